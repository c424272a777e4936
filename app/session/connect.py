"""A Redis client from REDIS_URL: a single server, Redis Sentinel or Redis Cluster.

- `redis://`, `rediss://`, `unix://` — one server (redis-py's own URL format);
- `redis+sentinel://[:password@]host:port[,host:port…]/<service name>[/<db>]` — the master that the
  sentinels name, followed on failover;
- `redis+cluster://[:password@]host:port[,host:port…]` — a Redis Cluster (any nodes to start from).

Every client uses short socket timeouts, so a dead server fails a turn quickly instead of eating
Kakao's 5-second budget. The same URL forms are understood by flask-limiter (RATE_LIMIT_STORAGE).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

import redis
from redis.cluster import ClusterNode, RedisCluster
from redis.sentinel import Sentinel

SOCKET_TIMEOUT_SECONDS = 1.0
SINGLE_SCHEMES = ("redis", "rediss", "unix")
SENTINEL_SCHEME = "redis+sentinel"
CLUSTER_SCHEME = "redis+cluster"
REDIS_SCHEMES = (*SINGLE_SCHEMES, SENTINEL_SCHEME, CLUSTER_SCHEME)


def scheme_of(url: str | None) -> str:
    url = (url or "").strip()
    return urlsplit(url).scheme.lower() if url else "memory"


def is_cluster_url(url: str | None) -> bool:
    return scheme_of(url) == CLUSTER_SCHEME


def redis_from_url(url: str, timeout: float = SOCKET_TIMEOUT_SECONDS) -> Any:
    """A lazily connecting client (redis.Redis or RedisCluster); ValueError for an unknown scheme."""
    scheme = scheme_of(url)
    options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if scheme in SINGLE_SCHEMES:
        return redis.Redis.from_url(url, health_check_interval=30, **options)
    parts = urlsplit(url)
    password = unquote(parts.password) if parts.password else None
    username = unquote(parts.username) if parts.username else None
    hosts = [_host_port(item) for item in parts.netloc.rpartition("@")[2].split(",") if item]
    if not hosts:
        raise ValueError(f"{scheme}:// URL names no host:port")
    if scheme == CLUSTER_SCHEME:
        nodes = [ClusterNode(host, port) for host, port in hosts]
        return RedisCluster(startup_nodes=nodes, username=username, password=password, **options)
    if scheme == SENTINEL_SCHEME:
        path = [p for p in parts.path.split("/") if p]
        if not path:
            raise ValueError(
                "redis+sentinel:// URL needs the service name: redis+sentinel://h:26379/mymaster"
            )
        db = int(path[1]) if len(path) > 1 else 0
        sentinel = Sentinel(hosts, sentinel_kwargs=options, **options)
        return sentinel.master_for(path[0], db=db, username=username, password=password)
    # The URL itself is not echoed: it may carry a password.
    raise ValueError(
        f"unsupported Redis URL scheme {scheme or '(none)'!r}: expected redis://, rediss://, unix://, "
        "redis+sentinel:// or redis+cluster:// (or leave REDIS_URL unset for the in-memory store)"
    )


def _host_port(item: str) -> tuple[str, int]:
    host, _, port = item.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("Redis URL hosts must be host:port")
    return host.strip("[]"), int(port)
