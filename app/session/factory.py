"""Pick the session store from a URL: memory when unset, Redis for redis://, rediss:// and unix://."""

from urllib.parse import urlsplit

import redis

from app.session.memory import MemoryStore
from app.session.redis_store import RedisStore
from app.session.store import SessionStore

REDIS_SCHEMES = ("redis", "rediss", "unix")


def store_from_url(
    url: str | None,
    *,
    ttl_seconds: int = 1800,
    lock_wait_seconds: float = 2.0,
    lock_timeout_seconds: float = 3.0,
    prefix: str = "csbot:",
) -> SessionStore:
    """`None`/`""`/`memory://` → MemoryStore; `redis://`, `rediss://`, `unix://` → RedisStore.

    The Redis client is created lazily (no connection is made here) with 1-second socket timeouts,
    so a dead server fails a request quickly instead of eating Kakao's 5-second budget.
    """
    url = (url or "").strip()
    scheme = urlsplit(url).scheme.lower() if url else "memory"
    if scheme == "memory":
        return MemoryStore(ttl_seconds=ttl_seconds, lock_wait_seconds=lock_wait_seconds)
    if scheme in REDIS_SCHEMES:
        client = redis.Redis.from_url(
            url, socket_timeout=1.0, socket_connect_timeout=1.0, health_check_interval=30
        )
        return RedisStore(
            client,
            ttl_seconds=ttl_seconds,
            lock_wait_seconds=lock_wait_seconds,
            lock_timeout_seconds=lock_timeout_seconds,
            prefix=prefix,
        )
    # The URL itself is not echoed: it may carry a password.
    raise ValueError(
        f"unsupported session store URL scheme {scheme or '(none)'!r}: expected memory://, redis://, "
        "rediss:// or unix:// (or leave REDIS_URL unset for the in-memory store)"
    )
