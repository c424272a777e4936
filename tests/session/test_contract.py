"""The SessionStore contract, run against MemoryStore and RedisStore (the real server)."""

import math
import threading
from collections.abc import Callable

import pytest

from app.session import LockTimeout, SessionStore
from tests.session.conftest import StoreFactory

NESTED = {
    "flow": "ev_charging",
    "node": "ask_station",
    "facts": {"station": "강남역 2번 출구 충전소", "kwh": 42, "ok": True, "note": None},
    "history": [["main_menu", 0], ["ev_charging", 1]],
    "transcript": [{"from": "user", "text": "충전이 안 돼요 ㅠㅠ"}],
    "version": 3,
}
WAIT = 5.0  # generous bound for event waits; tests finish far sooner unless something is broken


def run_thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_absent_state_is_none(store: SessionStore) -> None:
    with store.open("nobody") as handle:
        assert handle.state is None


def test_save_then_load_round_trips_nested_json(store: SessionStore) -> None:
    with store.open("alice") as handle:
        handle.save(NESTED)
        assert handle.state == NESTED
    with store.open("alice") as handle:
        assert handle.state == NESTED


def test_saved_state_is_a_copy(store: SessionStore) -> None:
    state = {"facts": {"plate": "12가3456"}}
    with store.open("alice") as handle:
        handle.save(state)
        state["facts"]["plate"] = "changed"
        assert handle.state == {"facts": {"plate": "12가3456"}}
    with store.open("alice") as handle:
        loaded = handle.state
        assert loaded == {"facts": {"plate": "12가3456"}}
        loaded["facts"]["plate"] = "mutated without save"
    with store.open("alice") as handle:
        assert handle.state == {"facts": {"plate": "12가3456"}}


def test_clear_removes_state(store: SessionStore) -> None:
    with store.open("alice") as handle:
        handle.save({"n": 1})
    with store.open("alice") as handle:
        handle.clear()
        assert handle.state is None
    with store.open("alice") as handle:
        assert handle.state is None


def test_state_is_isolated_per_user(store: SessionStore) -> None:
    with store.open("alice") as handle:
        handle.save({"who": "alice"})
    with store.open("bob") as handle:
        assert handle.state is None
        handle.save({"who": "bob"})
    with store.open("alice") as handle:
        assert handle.state == {"who": "alice"}


def test_save_is_immediate_even_if_the_body_then_raises(store: SessionStore) -> None:
    with pytest.raises(RuntimeError), store.open("alice") as handle:
        handle.save({"n": 1})
        raise RuntimeError("boom")
    with store.open("alice") as handle:
        assert handle.state == {"n": 1}


@pytest.mark.parametrize("bad", [[1, 2], "text", None])
def test_save_rejects_non_objects(store: SessionStore, bad: object) -> None:
    with store.open("alice") as handle, pytest.raises(TypeError):
        handle.save(bad)  # type: ignore[arg-type]


def test_save_rejects_values_json_cannot_represent(store: SessionStore) -> None:
    with store.open("alice") as handle:
        with pytest.raises(TypeError):
            handle.save({"when": object()})
        with pytest.raises(ValueError):
            handle.save({"x": math.nan})
    with store.open("alice") as handle:
        assert handle.state is None


def test_empty_user_key_is_rejected(store: SessionStore) -> None:
    with pytest.raises(ValueError), store.open(""):
        pass


def test_handle_cannot_be_used_after_exit(store: SessionStore) -> None:
    with store.open("alice") as handle:
        pass
    with pytest.raises(RuntimeError):
        handle.save({"late": True})
    with pytest.raises(RuntimeError):
        handle.clear()


def test_ping_answers(store: SessionStore) -> None:
    assert store.ping() is True


def test_second_open_waits_for_the_first(store: SessionStore) -> None:
    events: list[str] = []
    first_in, let_first_go, second_in = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with store.open("alice"):
            events.append("first in")
            first_in.set()
            let_first_go.wait(WAIT)
            events.append("first out")

    def second() -> None:
        first_in.wait(WAIT)
        with store.open("alice"):
            events.append("second in")
            second_in.set()

    threads = [run_thread(first), run_thread(second)]
    assert first_in.wait(WAIT)
    assert not second_in.wait(0.2), "second open() got in while the first still held the lock"
    let_first_go.set()
    for thread in threads:
        thread.join(WAIT)
    assert events == ["first in", "first out", "second in"]


def test_lock_wait_exceeded_raises_lock_timeout(make_store: StoreFactory) -> None:
    store = make_store(lock_wait_seconds=0.2)
    holding, done = threading.Event(), threading.Event()

    def holder() -> None:
        with store.open("alice"):
            holding.set()
            done.wait(WAIT)

    thread = run_thread(holder)
    assert holding.wait(WAIT)
    try:
        with pytest.raises(LockTimeout), store.open("alice"):
            pytest.fail("the body must not run without the lock")
    finally:
        done.set()
        thread.join(WAIT)
    with store.open("alice") as handle:  # and the lock is usable again afterwards
        assert handle.state is None


def test_different_users_do_not_block_each_other(make_store: StoreFactory) -> None:
    store = make_store(lock_wait_seconds=0.2)
    holding, done = threading.Event(), threading.Event()

    def hold_alice() -> None:
        with store.open("alice"):
            holding.set()
            done.wait(WAIT)

    thread = run_thread(hold_alice)
    assert holding.wait(WAIT)
    try:
        with store.open("bob") as handle:
            handle.save({"who": "bob"})
    finally:
        done.set()
        thread.join(WAIT)


def test_lock_is_released_when_the_body_raises(make_store: StoreFactory) -> None:
    store = make_store(lock_wait_seconds=0.2)
    with pytest.raises(KeyError), store.open("alice"):
        raise KeyError("boom")
    with store.open("alice") as handle:
        assert handle.state is None


def test_state_is_read_after_the_lock_is_taken(store: SessionStore) -> None:
    writer_in, reader_starting, reader_in, let_writer_go = (threading.Event() for _ in range(4))
    seen: list[object] = []

    def writer() -> None:
        with store.open("alice") as handle:
            writer_in.set()
            let_writer_go.wait(WAIT)
            handle.save({"step": "written by the lock holder"})

    def reader() -> None:
        writer_in.wait(WAIT)
        reader_starting.set()
        with store.open("alice") as handle:
            seen.append(handle.state)
            reader_in.set()

    threads = [run_thread(writer), run_thread(reader)]
    assert reader_starting.wait(WAIT)
    assert not reader_in.wait(0.2), "the reader got in while the writer held the lock"
    let_writer_go.set()
    for thread in threads:
        thread.join(WAIT)
    assert seen == [{"step": "written by the lock holder"}]


def test_concurrent_updates_of_one_user_are_not_lost(make_store: StoreFactory) -> None:
    store = make_store(lock_wait_seconds=4.0)
    n_threads, iterations = 8, 25
    start = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def increment() -> None:
        try:
            start.wait(WAIT)
            for _ in range(iterations):
                with store.open("alice") as handle:
                    count = (handle.state or {}).get("count", 0)
                    handle.save({"count": count + 1})
        except BaseException as exc:
            errors.append(exc)

    threads = [run_thread(increment) for _ in range(n_threads)]
    for thread in threads:
        thread.join(30)
    assert errors == []
    with store.open("alice") as handle:
        assert handle.state == {"count": n_threads * iterations}


def test_save_json_stores_the_text_and_reads_back_the_same_state(store: SessionStore) -> None:
    with store.open("alice") as handle:
        handle.save_json('{"node":"ev.q1","values":{"plate":"12가3456"}}')
        assert handle.state == {"node": "ev.q1", "values": {"plate": "12가3456"}}
        handle.state["node"] = "changed here"  # type: ignore[index]
    with store.open("alice") as handle:
        assert handle.state == {"node": "ev.q1", "values": {"plate": "12가3456"}}
