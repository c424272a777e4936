"""RedisStore specifics, against the real server: key layout, TTL, lock expiry, corrupt data, outages."""

import logging
import socket
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from app.session import LockTimeout, RedisStore, StoreUnavailable, store_from_url

MakeRedisStore = Callable[..., RedisStore]
USER = "kakao-user-key-0123456789abcdef"


def test_state_is_json_under_the_prefixed_key_with_ttl(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis, redis_prefix: str
) -> None:
    store = make_redis_store(ttl_seconds=60)
    with store.open(USER) as handle:
        handle.save({"node": "충전 시작", "n": 1})
    key = f"{redis_prefix}{{{USER}}}:session"  # the customer's hash tag: one Cluster slot per customer
    assert store.state_key(USER) == key
    assert store.lock_key(USER) == f"{redis_prefix}{{{USER}}}:lock"
    assert redis_client.get(key) == '{"node":"충전 시작","n":1}'.encode()
    assert 0 < redis_client.ttl(key) <= 60
    assert not redis_client.exists(store.lock_key(USER))  # released


def test_every_save_refreshes_the_ttl(make_redis_store: MakeRedisStore, redis_client: redis.Redis) -> None:
    store = make_redis_store(ttl_seconds=60)
    with store.open(USER) as handle:
        handle.save({"n": 1})
    redis_client.expire(store.state_key(USER), 5)  # as if 55 s had passed
    with store.open(USER) as handle:
        handle.save({"n": 2})
    assert 5 < redis_client.ttl(store.state_key(USER)) <= 60


def test_clear_deletes_the_key(make_redis_store: MakeRedisStore, redis_client: redis.Redis) -> None:
    store = make_redis_store()
    with store.open(USER) as handle:
        handle.save({"n": 1})
    with store.open(USER) as handle:
        handle.clear()
    assert not redis_client.exists(store.state_key(USER))


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"], ids=repr)
def test_corrupt_state_reads_as_none(
    make_redis_store: MakeRedisStore,
    redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
    raw: bytes,
) -> None:
    store = make_redis_store()
    redis_client.set(store.state_key(USER), raw)
    with caplog.at_level(logging.WARNING), store.open(USER) as handle:
        assert handle.state is None
        handle.save({"fresh": True})
    assert "kaka…(31)" in caplog.text
    assert USER not in caplog.text
    with store.open(USER) as handle:
        assert handle.state == {"fresh": True}


def test_dead_lock_holder_is_taken_over_after_expiry(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis
) -> None:
    store = make_redis_store(lock_wait_seconds=0.1)
    redis_client.set(store.lock_key(USER), "token-of-a-crashed-worker", px=800)
    with pytest.raises(LockTimeout), store.open(USER):
        pass
    patient = make_redis_store(lock_wait_seconds=2.0)
    with patient.open(USER) as handle:
        handle.save({"n": 1})
    assert redis_client.get(patient.lock_key(USER)) is None


def test_lock_held_by_a_crashed_holder_expires_after_lock_timeout(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis
) -> None:
    store = make_redis_store(lock_timeout_seconds=3.0)
    with store.open(USER):
        assert 0 < redis_client.pttl(store.lock_key(USER)) <= 3000


def test_releasing_an_expired_lock_only_logs(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_redis_store()
    with caplog.at_level(logging.WARNING), store.open(USER):
        redis_client.delete(store.lock_key(USER))  # as if it had expired
    assert "expired before release" in caplog.text
    assert "kaka…(31)" in caplog.text
    assert USER not in caplog.text


def test_a_holder_that_lost_its_lock_cannot_overwrite_the_new_holder(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis
) -> None:
    store = make_redis_store()
    for write in ("save", "clear"):
        with store.open(USER) as first:
            first.save({"by": "fast"})
        with pytest.raises(LockTimeout), store.open(USER) as slow:  # the write happens on leaving
            redis_client.delete(store.lock_key(USER))  # the slow request's lock expires ...
            with store.open(USER) as fast:  # ... and the next request takes it over
                fast.save({"by": "fast"})
                fast.add_transcript(['{"who":"fast"}'])
            slow.save({"by": "slow"}) if write == "save" else slow.clear()
            slow.add_transcript(['{"who":"slow"}'])
        with store.open(USER) as handle:
            assert handle.state == {"by": "fast"}
        assert redis_client.lrange(store.transcript_key(USER), 0, -1) == [b'{"who":"fast"}']
        redis_client.delete(store.transcript_key(USER))


def test_keys_stay_under_the_prefix(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis, redis_prefix: str
) -> None:
    store = make_redis_store()
    for user in ("a", "b:c", "한글 사용자"):
        with store.open(user) as handle:
            handle.save({"u": user})
    keys = {key.decode() for key in redis_client.scan_iter(match=f"{redis_prefix}*")}
    assert keys == {f"{redis_prefix}{{{u}}}:session" for u in ("a", "b:c", "한글 사용자")}


def test_closed_port_raises_store_unavailable_quickly() -> None:
    store = store_from_url("redis://127.0.0.1:1/0", prefix="csbot-test-unreachable:")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught, store.open(USER):
        pytest.fail("the body must not run")
    assert isinstance(caught.value.__cause__, redis.ConnectionError)
    assert not isinstance(caught.value, LockTimeout)
    assert store.ping() is False
    assert time.monotonic() - started < 1.5
    store.close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP port that accepts connections and never answers (a hung Redis)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


def test_hung_server_fails_within_the_socket_timeout(silent_server: str) -> None:
    store = store_from_url(silent_server)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught, store.open(USER):
        pass
    assert isinstance(caught.value.__cause__, redis.TimeoutError)
    assert time.monotonic() - started < 2.5  # well inside Kakao's 5 s
    store.close()


@pytest.mark.parametrize(
    "kwargs",
    [{"lock_wait_seconds": 5}, {"lock_timeout_seconds": 5}, {"lock_timeout_seconds": 0}, {"ttl_seconds": 0}],
    ids=str,
)
def test_invalid_settings_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RedisStore(redis.Redis(), **kwargs)  # type: ignore[arg-type]
