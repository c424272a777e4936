"""store_from_url: the URL scheme picks the store; settings reach it; bad schemes are refused."""

import pytest

from app.session import MemoryStore, RedisStore, store_from_url


@pytest.mark.parametrize("url", [None, "", "  ", "memory://"])
def test_no_url_or_memory_scheme_gives_memory_store(url: str | None) -> None:
    store = store_from_url(url, ttl_seconds=99, lock_wait_seconds=0.5)
    assert isinstance(store, MemoryStore)
    assert (store.ttl_seconds, store.lock_wait_seconds) == (99, 0.5)


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:6379/0", "rediss://user:secret@redis.example.com:6380/1", "unix:///tmp/redis.sock"],
)
def test_redis_schemes_give_redis_store(url: str) -> None:
    store = store_from_url(url, ttl_seconds=99, lock_wait_seconds=1.0, lock_timeout_seconds=2.0, prefix="x:")
    assert isinstance(store, RedisStore)
    assert (store.ttl_seconds, store.lock_wait_seconds, store.lock_timeout_seconds, store.prefix) == (
        99,
        1.0,
        2.0,
        "x:",
    )
    options = store._client.connection_pool.connection_kwargs
    assert options["socket_timeout"] == 1.0
    assert options.get("socket_connect_timeout", 1.0) == 1.0  # unix sockets have no connect timeout
    store.close()


@pytest.mark.parametrize("url", ["http://user:secret@example.com/", "localhost:6379", "memcached://x"])
def test_other_schemes_are_refused_without_echoing_the_url(url: str) -> None:
    with pytest.raises(ValueError, match="redis://") as caught:
        store_from_url(url)
    assert "secret" not in str(caught.value)


def test_redis_settings_over_kakao_timeout_are_refused() -> None:
    with pytest.raises(ValueError, match="5"):
        store_from_url("redis://127.0.0.1:6379/0", lock_timeout_seconds=6)
