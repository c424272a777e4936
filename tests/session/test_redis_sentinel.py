"""Redis Sentinel URLs: a real Redis and a real sentinel (own ports) started by this test."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from app.session import RedisStore, store_from_url
from tests.own_redis import OwnRedis, free_port, own_redis


@pytest.fixture
def sentinel_url(tmp_path: Path) -> Iterator[str]:
    with own_redis(tmp_path / "master") as master:
        port = free_port(range(master.port + 1, 7200))
        conf = tmp_path / "sentinel.conf"
        conf.write_text(f"port {port}\nbind 127.0.0.1\nsentinel monitor csbot 127.0.0.1 {master.port} 1\n")
        sentinel = OwnRedis(port, tmp_path / "sentinel")
        sentinel.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", str(conf), "--sentinel"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            probe = redis.Redis(port=port, socket_timeout=0.5)
            for _ in range(100):
                try:
                    if probe.sentinel_get_master_addr_by_name("csbot"):
                        break
                except redis.RedisError:
                    time.sleep(0.05)
            yield f"redis+sentinel://127.0.0.1:{port}/csbot/0"
        finally:
            sentinel.stop()


def test_a_sentinel_url_finds_the_master_and_keeps_sessions(sentinel_url: str) -> None:
    store = store_from_url(sentinel_url, prefix="sentinel:")
    assert isinstance(store, RedisStore)
    with store.open("sentinel-user") as handle:
        handle.save({"node": "main.menu"})
    with store.open("sentinel-user") as handle:
        assert handle.state == {"node": "main.menu"}
    assert store.ping()
    store.close()


@pytest.mark.parametrize(
    "url", ["redis+sentinel://127.0.0.1:26379", "redis+cluster://", "redis+sentinel://host-without-port/x"]
)
def test_incomplete_sentinel_and_cluster_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        store_from_url(url)
