"""The per-user rate limit counted by the session stores: in Redis inside the lock script (shared by
every worker and machine, no round trip of its own), in memory by `limits` for the one process."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from app.session import RateLimited, RateWindow, rate_windows
from app.session.redis_store import RedisStore
from tests.session.conftest import StoreFactory

TWO_PER_MINUTE = (RateWindow(limit=2, seconds=60),)


def test_the_limit_spec_reads_as_windows() -> None:
    assert rate_windows("20/5seconds;120/minute") == (RateWindow(20, 5), RateWindow(120, 60))
    assert rate_windows("") == ()
    with pytest.raises(ValueError):
        rate_windows("twenty per second")


def test_turns_over_the_limit_are_refused_and_take_nothing(make_store: StoreFactory) -> None:
    store = make_store(rate_limits=TWO_PER_MINUTE)
    for turn in range(2):
        with store.open("alice") as handle:
            handle.save({"turn": turn})
    with pytest.raises(RateLimited), store.open("alice"):
        pytest.fail("a turn over the limit must not run")
    with store.open("bob") as handle:  # another customer is not affected
        assert handle.state is None
    with pytest.raises(RateLimited), store.open("alice"):
        pass


def test_a_refused_turn_leaves_the_state_and_no_lock(
    make_redis_store: StoreFactory, redis_client: redis.Redis
) -> None:
    store = make_redis_store(rate_limits=TWO_PER_MINUTE)
    for turn in range(2):
        with store.open("alice") as handle:
            handle.save({"turn": turn})
    with pytest.raises(RateLimited), store.open("alice"):
        pass
    assert isinstance(store, RedisStore)
    assert not redis_client.exists(store.lock_key("alice"))
    other = make_redis_store()  # no limit: the state is as the last allowed turn left it
    with other.open("alice") as handle:
        assert handle.state == {"turn": 1}


def test_every_worker_counts_against_the_same_limit(make_redis_store: StoreFactory) -> None:
    """Two stores (two gunicorn workers, or two machines) share one count per customer."""
    first, second = make_redis_store(rate_limits=TWO_PER_MINUTE), make_redis_store(rate_limits=TWO_PER_MINUTE)
    with first.open("alice"):
        pass
    with second.open("alice"):
        pass
    with pytest.raises(RateLimited), first.open("alice"):
        pass


def test_waiting_for_a_busy_lock_counts_the_turn_once(make_redis_store: StoreFactory) -> None:
    store = make_redis_store(rate_limits=TWO_PER_MINUTE, lock_wait_seconds=2.0)
    store.lock_poll_seconds = 0.005  # many retries while the lock is held
    entered = threading.Event()

    def hold() -> None:
        with store.open("alice"):
            entered.set()
            time.sleep(0.3)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(2)
    with store.open("alice"):  # waited through dozens of retries: still only the second turn
        pass
    holder.join()
    with pytest.raises(RateLimited), store.open("alice"):
        pass


def test_the_counters_expire_with_their_window(
    make_redis_store: StoreFactory, redis_client: redis.Redis, redis_prefix: str
) -> None:
    store = make_redis_store(rate_limits=(RateWindow(limit=5, seconds=60),))
    with store.open("alice"):
        pass
    counters = [k for k in redis_client.scan_iter(match=f"{redis_prefix}*rate*")]
    assert len(counters) == 1
    assert b"{alice}" in counters[0]  # the customer's hash tag: the same Cluster shard as the lock
    assert 0 < redis_client.ttl(counters[0]) <= 60
