"""Redis stalls and round trips, against a Redis server this test starts on its own port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from app.session import LockTimeout, StoreUnavailable, store_from_url
from app.session.redis_store import RedisStore
from tests.own_redis import OwnRedis, own_redis
from tests.round_trips import record_round_trips

USER = "stalled-customer-key"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OwnRedis]:
    with own_redis(tmp_path / "redis") as started:
        yield started


def test_a_lock_command_applied_late_after_a_stall_does_not_lock_the_customer_out(server: OwnRedis) -> None:
    store = store_from_url(server.url, prefix="stall:")
    assert isinstance(store, RedisStore)
    with store.open(USER) as handle:  # the customer is in a conversation
        handle.save({"node": "ev.ask_station"})
    server.pause()  # Redis stalls (a fork, a slow disk, a long command) ...
    try:
        with pytest.raises(StoreUnavailable), store.open(USER):  # ... this turn gives up after 1 s
            pytest.fail("no lock while Redis is stalled")
        time.sleep(0.3)  # the stall goes on a little longer than the client waited
    finally:
        server.resume()  # Redis now runs the lock command it had received: it is late
    with store.open(USER) as handle:  # the customer's next turn gets in (and was not locked out)
        assert handle.state == {"node": "ev.ask_station"}
    checker = redis.Redis(port=server.port)
    assert not checker.exists(store.lock_key(USER))
    store.close()


def test_a_waiting_turn_is_answered_even_when_the_app_clock_is_behind_redis(
    server: OwnRedis, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = store_from_url(server.url, prefix="skew:")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 30)  # this machine's clock is 30 s late
    with store.open(USER) as handle:
        handle.save({"n": 1})
    with store.open(USER) as handle:
        assert handle.state == {"n": 1}
    assert "clocks of this machine and Redis disagree" in caplog.text
    store.close()


class CountingClient(redis.Redis):
    """A client that counts the commands it sends (each is one round trip: no pipelines here)."""

    calls: list[str]

    def execute_command(self, *args, **options):  # type: ignore[no-untyped-def]
        self.calls.append(str(args[0]))
        return super().execute_command(*args, **options)


def test_a_turn_is_two_round_trips_lock_with_read_and_write_with_transcript_and_unlock(
    server: OwnRedis,
) -> None:
    client = CountingClient(port=server.port)
    client.calls = []
    store = RedisStore(client, prefix="rt:")
    with store.open(USER) as handle:  # first use also loads the scripts into Redis
        handle.save({"n": 0})
    client.calls.clear()
    with store.open(USER) as handle:
        handle.save({"n": handle.state["n"] + 1})  # type: ignore[index]
        handle.add_transcript(['{"who":"customer","text":"네"}', '{"who":"bot","text":"좋아요"}'])
    assert client.calls == ["EVALSHA", "EVALSHA"]
    assert client.lrange(store.transcript_key(USER), 0, -1) == [
        '{"who":"customer","text":"네"}'.encode(),
        '{"who":"bot","text":"좋아요"}'.encode(),
    ]
    assert not client.exists(store.lock_key(USER))


def test_a_busy_lock_still_times_out(server: OwnRedis) -> None:
    store = store_from_url(server.url, prefix="busy:", lock_wait_seconds=0.2)
    inside, leave = threading.Event(), threading.Event()

    def holder() -> None:
        with store.open(USER):
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=holder, daemon=True)
    thread.start()
    assert inside.wait(5)
    try:
        with pytest.raises(LockTimeout), store.open(USER):
            pytest.fail("the body must not run without the lock")
    finally:
        leave.set()
        thread.join(5)
    store.close()


class PipelineCountingClient(CountingClient):
    """Also counts pipelines sent (one round trip each, however many commands they carry)."""

    pipelines: list[int]

    def pipeline(self, transaction=True, shard_hint=None):  # type: ignore[no-untyped-def]
        pipe = super().pipeline(transaction=transaction, shard_hint=shard_hint)
        sent = self.pipelines
        execute = pipe.execute

        def counted(raise_on_error: bool = True):  # type: ignore[no-untyped-def]
            sent.append(len(pipe.command_stack))
            return execute(raise_on_error=raise_on_error)

        pipe.execute = counted  # type: ignore[method-assign]
        return pipe


def test_commands_a_turn_adds_ride_in_the_writes_round_trip_and_never_fail_it(
    server: OwnRedis, caplog: pytest.LogCaptureFixture
) -> None:
    client = PipelineCountingClient(port=server.port)
    client.calls, client.pipelines = [], []
    store = RedisStore(client, prefix="ride:")
    with store.open(USER) as handle:
        handle.save({"n": 0})
    client.calls.clear()
    with store.open(USER) as handle:
        handle.save({"n": 1})
        handle.also_command("XADD", "ride:events", "*", "kind", "node_reached")
        handle.also_command("XADD", "ride:events", "*", "kind", "resolved", "flow", "ev")
    assert client.calls == ["EVALSHA", "EVALSHA"]  # the lock and read; the write with the XADDs
    assert client.pipelines == []
    assert [fields for _, fields in client.xrange("ride:events")] == [
        {b"kind": b"node_reached"},
        {b"kind": b"resolved", b"flow": b"ev"},
    ]
    client.set("ride:broken", "not a stream")
    with store.open(USER) as handle:
        handle.save({"n": 2})
        handle.also_command("XADD", "ride:broken", "*", "kind", "x")
        handle.also_command("XADD", "ride:events", "*", "kind", "after the broken one")
    with store.open(USER) as handle:
        assert handle.state == {"n": 2}  # the turn was written although an added command failed
    assert "1 command(s) sent with the session write failed" in caplog.text
    assert client.xlen("ride:events") == 3  # the command after the failed one still ran
    store.close()


def test_a_holder_that_lost_its_lock_runs_none_of_its_added_commands(server: OwnRedis) -> None:
    client = redis.Redis(port=server.port)
    store = RedisStore(client, prefix="lost:", lock_timeout_seconds=0.2)
    with pytest.raises(LockTimeout), store.open(USER) as handle:
        handle.save({"n": 1})
        handle.also_command("XADD", "lost:events", "*", "kind", "node_reached")
        time.sleep(0.3)  # the lock expires: another turn may hold it now
    assert client.xlen("lost:events") == 0
    assert client.get(store.state_key(USER)) is None
    store.close()


def test_a_turn_sends_two_commands_counted_on_the_connection(
    server: OwnRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_from_url(server.url, prefix="direct:")
    assert isinstance(store, RedisStore)
    with store.open(USER) as handle:  # loads the scripts
        handle.save({"n": 0})
    sent = record_round_trips(monkeypatch)
    with store.open(USER) as handle:
        handle.save({"n": handle.state["n"] + 1})  # type: ignore[index]
        handle.add_transcript(['{"who":"customer","text":"네"}'])
    assert sent == ["EVALSHA", "EVALSHA"]
    store.close()


def test_after_a_redis_restart_the_next_turn_reconnects_and_reloads_the_scripts(server: OwnRedis) -> None:
    store = store_from_url(server.url, prefix="restart:")
    assert isinstance(store, RedisStore)
    with store.open(USER) as handle:
        handle.save({"n": 1})
    server.stop()  # the store's idle connection is now dead, and the new server has no scripts
    server.start()
    with store.open(USER) as handle:  # no persistence: the state is gone, but the turn works
        assert handle.state is None
        handle.save({"n": 2})
    with store.open(USER) as handle:
        assert handle.state == {"n": 2}
    store.close()


def test_round_trip_counting_names_single_commands_and_pipelines(
    server: OwnRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counter the round-trip tests rely on: one entry per packet, whatever sent it."""
    client = redis.Redis.from_url(server.url)
    client.ping()
    sent = record_round_trips(monkeypatch)
    client.set("count:a", "가나다 \r\n *3")
    with client.pipeline() as pipe:
        pipe.get("count:a").delete("count:a").execute()
    assert sent == ["SET", "pipeline"]
    client.close()
