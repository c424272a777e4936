"""The event log contract against both implementations (Redis: the real server, this test's keys only):
recording in one round trip, reading a period, retention, never failing a turn."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from app import create_app
from app.insight.events import Event
from app.insight.log import DAY, EventLog, MemoryEventLog, RedisEventLog
from tests.chat import Chat
from tests.conftest import REDIS_URL, new_redis_client

NOW = float(int(time.time()))  # stream ids are the server clock: events of about now


def event(at: float, kind: str = "node_reached", node: str = "main.menu") -> Event:
    return Event(kind, at, "c0ffee", "main", node, {"kind": "choice"})


@pytest.fixture(params=["memory", "redis"])
def log(request: pytest.FixtureRequest) -> Iterator[EventLog]:
    if request.param == "memory":
        yield MemoryEventLog(retention_days=30, clock=lambda: NOW)
        return
    prefix = request.getfixturevalue("redis_prefix")
    client = new_redis_client()
    yield RedisEventLog(client, prefix=prefix, retention_days=30, clock=lambda: NOW)
    client.close()


def test_reads_a_period_in_recorded_order(log: EventLog) -> None:
    log.record([event(NOW - 50, node="main.a"), event(NOW - 10, node="main.b")])
    log.record([event(NOW - 30, node="main.c")])
    assert [e.node for e in log.read()] == ["main.a", "main.b", "main.c"]
    assert [e.node for e in log.read(NOW - 40, NOW - 10)] == ["main.c"]
    assert list(log.read(NOW, None)) == []
    log.record([])


def test_redis_writes_a_turn_in_one_round_trip(redis_prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = new_redis_client()
    executed: list[int] = []
    original = redis.client.Pipeline.execute

    def counting(self: redis.client.Pipeline, *args: object, **kwargs: object) -> object:
        executed.append(len(self.command_stack))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", counting)
    RedisEventLog(client, prefix=redis_prefix).record([event(NOW + i) for i in range(5)])
    assert executed == [5]
    assert client.xlen(f"{redis_prefix}events") == 5
    client.close()


def test_redis_trims_events_past_the_retention(redis_prefix: str) -> None:
    client = new_redis_client()
    key = f"{redis_prefix}events"
    old = int((NOW - 31 * DAY) * 1000)
    client.xadd(key, event(NOW - 31 * DAY).to_fields(), id=f"{old}-0")  # type: ignore[arg-type]
    log = RedisEventLog(client, prefix=redis_prefix, retention_days=30, clock=lambda: NOW, exact_trim=True)
    log.record([event(NOW)])
    assert [e.at for e in log.read()] == [NOW]
    client.close()


def test_memory_ring_keeps_the_newest_within_the_retention() -> None:
    moment = [NOW]
    log = MemoryEventLog(retention_days=1, limit=3, clock=lambda: moment[0])
    log.record(
        [event(NOW - 2 * DAY, node="main.old"), *(event(NOW + i, node=f"main.n{i}") for i in range(4))]
    )
    assert [e.node for e in log.read()] == ["main.n1", "main.n2", "main.n3"]


def test_an_unreachable_redis_loses_the_events_not_the_turn() -> None:
    client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    RedisEventLog(client).record([event(NOW)])  # logged, never raised


def test_a_redis_app_records_into_its_stream_with_a_shared_salt(redis_prefix: str, tmp_path: Path) -> None:
    settings = {"redis_url": REDIS_URL, "redis_prefix": redis_prefix, "handoff_spool_dir": tmp_path / "s"}
    first, second = create_app(settings), create_app(settings)
    try:
        chat = Chat(first.test_client(), "f1" * 33).say("안녕").tap("주차 결제 취소")
        chat.client = second.test_client()  # the next turn reaches another worker
        chat.tap("아니요")
        client = new_redis_client()
        assert client.exists(f"{redis_prefix}events:salt") == 1
        client.close()
        events = list(first.extensions["cs_bot"].conversations.insight.log.read())
        assert [e.kind for e in events][:3] == ["node_reached", "flow_entered", "node_reached"]
        assert len({e.customer for e in events}) == 1  # both workers name the customer alike
        assert events[-1].node == "parking_lpr.not_holder"
    finally:
        first.extensions["cs_bot"].close()
        second.extensions["cs_bot"].close()
