"""Reads that ride with the lock: on a turn that may hand off, the session store reads what the
handoff needs in the lock's own round trip — asked by this turn (`read_now`) or by the previous one
(`prefetch_next`, kept beside the state) — and never on other turns."""

from collections.abc import Callable

import redis

from app.session import MemoryStore, RedisStore

MakeRedisStore = Callable[..., RedisStore]
USER = "kakao-user-key-prefetch-0123456789"


def reads_for(store: RedisStore, user: str) -> list[tuple[str, ...]]:
    return [
        ("LRANGE", f"{store.prefix}{{{user}}}:transcript", "0", "-1"),
        ("GET", f"{store.prefix}{{{user}}}:missing"),
    ]


def test_nothing_is_read_unless_asked(make_redis_store: MakeRedisStore, redis_client: redis.Redis) -> None:
    store = make_redis_store()
    redis_client.rpush(store.transcript_key(USER), b'{"line":1}')
    with store.open(USER, reads_for(store, USER)) as handle:
        assert handle.prefetched is None
        handle.save({"node": "main.menu"})


def test_asked_now_the_reads_come_back_with_the_state(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis
) -> None:
    store = make_redis_store()
    with store.open(USER) as handle:
        handle.save({"node": "ev.q1"})
        handle.add_transcript(['{"line":1}', '{"line":2}'])
    with store.open(USER, reads_for(store, USER), read_now=True) as handle:
        assert handle.state == {"node": "ev.q1"}
        assert handle.prefetched == [[b'{"line":1}', b'{"line":2}'], None]  # a missing key reads as None


def test_the_previous_turn_asks_for_the_next_one_and_a_later_turn_stops_it(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis
) -> None:
    store = make_redis_store(ttl_seconds=60)
    reads = reads_for(store, USER)
    with store.open(USER, reads) as handle:
        handle.save({"node": "ev.ask_place"})
        handle.prefetch_next(True)  # one answer here can hand off
    assert redis_client.get(store.hint_key(USER)) == b"1"
    assert 0 < redis_client.ttl(store.hint_key(USER)) <= 60  # lives no longer than the state
    with store.open(USER, reads) as handle:
        assert handle.prefetched == [[], None]  # read although this turn did not ask
        handle.save({"node": "ev.q2"})
        handle.prefetch_next(False)
    assert not redis_client.exists(store.hint_key(USER))
    with store.open(USER, reads) as handle:
        assert handle.prefetched is None


def test_a_cleared_conversation_drops_the_hint(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis
) -> None:
    store = make_redis_store()
    with store.open(USER) as handle:
        handle.save({"node": "ev.ask_place"})
        handle.prefetch_next(True)
    with store.open(USER) as handle:
        handle.clear()
    assert not redis_client.exists(store.hint_key(USER))


def test_a_busy_lock_still_reads_once_taken(
    make_redis_store: MakeRedisStore, redis_client: redis.Redis
) -> None:
    """The reads run only once the lock is ours: a waiter that retries gets them with its lock."""
    store = make_redis_store(lock_wait_seconds=1.0)
    redis_client.set(store.lock_key(USER), "someone else", px=150)
    redis_client.rpush(store.transcript_key(USER), b'{"line":1}')
    with store.open(USER, reads_for(store, USER), read_now=True) as handle:
        assert handle.prefetched == [[b'{"line":1}'], None]


def test_the_memory_store_reads_nothing() -> None:
    store = MemoryStore()
    with store.open(USER, [("GET", "anything")], read_now=True) as handle:
        assert handle.prefetched is None
        handle.prefetch_next(True)  # accepted, and nothing to keep
