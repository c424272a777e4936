"""MemoryStore specifics: TTL on the injected clock, JSON storage, no lock left behind per user."""

import threading
from collections.abc import Callable

import pytest

from app.session import LockTimeout, MemoryStore
from tests.session.conftest import FakeClock

MakeMemoryStore = Callable[..., MemoryStore]


def save(store: MemoryStore, user_key: str, state: dict[str, object]) -> None:
    with store.open(user_key) as handle:
        handle.save(state)


def load(store: MemoryStore, user_key: str) -> dict[str, object] | None:
    with store.open(user_key) as handle:
        return handle.state


def test_state_expires_ttl_after_the_write(make_memory_store: MakeMemoryStore, clock: FakeClock) -> None:
    store = make_memory_store(ttl_seconds=60)
    save(store, "alice", {"n": 1})
    clock.advance(59.9)
    assert load(store, "alice") == {"n": 1}
    clock.advance(0.1)
    assert load(store, "alice") is None


def test_every_save_refreshes_the_ttl(make_memory_store: MakeMemoryStore, clock: FakeClock) -> None:
    store = make_memory_store(ttl_seconds=60)
    save(store, "alice", {"n": 1})
    clock.advance(50)
    save(store, "alice", {"n": 2})
    clock.advance(50)  # 100 s after the first write, 50 s after the second
    assert load(store, "alice") == {"n": 2}
    clock.advance(10)
    assert load(store, "alice") is None


def test_reading_does_not_refresh_the_ttl(make_memory_store: MakeMemoryStore, clock: FakeClock) -> None:
    store = make_memory_store(ttl_seconds=60)  # like Redis: GET leaves the expiry alone
    save(store, "alice", {"n": 1})
    clock.advance(59)
    assert load(store, "alice") == {"n": 1}
    clock.advance(1)
    assert load(store, "alice") is None


def test_state_is_stored_as_json_text(make_memory_store: MakeMemoryStore) -> None:
    store = make_memory_store()
    save(store, "alice", {"text": "충전 카드", "n": 1})
    raw, _expires_at = store._entries["alice"]
    assert raw == '{"text":"충전 카드","n":1}'


def test_expired_entries_of_absent_users_are_purged(
    make_memory_store: MakeMemoryStore, clock: FakeClock
) -> None:
    store = make_memory_store(ttl_seconds=60)
    for n in range(100):
        save(store, f"user-{n}", {"n": n})
    clock.advance(61)
    save(store, "latecomer", {"n": 0})
    assert set(store._entries) == {"latecomer"}


def test_no_lock_object_is_kept_per_user(make_memory_store: MakeMemoryStore) -> None:
    store = make_memory_store()
    for n in range(100):
        save(store, f"user-{n}", {"n": n})
    with pytest.raises(ValueError), store.open("boom"):
        raise ValueError
    assert store._locks == {}


def test_lock_bookkeeping_survives_a_lock_timeout(make_memory_store: MakeMemoryStore) -> None:
    store = make_memory_store(lock_wait_seconds=0.05)
    holding, done = threading.Event(), threading.Event()

    def holder() -> None:
        with store.open("alice"):
            holding.set()
            done.wait(5)

    thread = threading.Thread(target=holder, daemon=True)
    thread.start()
    assert holding.wait(5)
    with pytest.raises(LockTimeout), store.open("alice"):
        pass
    assert store._locks["alice"].users == 1  # only the holder is left
    done.set()
    thread.join(5)
    assert store._locks == {}


def test_lock_wait_of_zero_means_try_once(make_memory_store: MakeMemoryStore) -> None:
    store = make_memory_store(lock_wait_seconds=0)
    with store.open("alice"), pytest.raises(LockTimeout), store.open("alice"):
        pass  # threading.Lock is not re-entrant: the nested open cannot get in


def test_close_drops_all_state(make_memory_store: MakeMemoryStore) -> None:
    store = make_memory_store()
    save(store, "alice", {"n": 1})
    store.close()
    assert load(store, "alice") is None


@pytest.mark.parametrize(
    "kwargs", [{"ttl_seconds": 0}, {"ttl_seconds": -5}, {"lock_wait_seconds": -1}], ids=str
)
def test_invalid_settings_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        MemoryStore(**kwargs)  # type: ignore[arg-type]
