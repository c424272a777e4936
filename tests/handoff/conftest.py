"""Handoff fixtures: records to save, and the repository contract parametrised over memory and Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
import redis

from app.handoff.record import SEOUL, FactLine, HandoffRecord, TranscriptEntry, new_handoff_id
from app.handoff.redis_repository import RedisHandoffRepository
from app.handoff.repository import HandoffRepository, MemoryHandoffRepository
from tests.conftest import new_redis_client

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=SEOUL)  # a Wednesday afternoon


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_record(
    at: datetime = NOW,
    category: str = "주차_고객 ▶ 결제 ▶ 본인 미사용",
    reason: str = "not_solved",
    **extra: object,
) -> HandoffRecord:
    fields: dict[str, object] = {
        "id": new_handoff_id(at),
        "created_at": at,
        "bot_user_key": "b" * 66,
        "plusfriend_user_key": "pfKey123",
        "flow": "parking_lpr",
        "node": "parking_lpr.handoff",
        "path": ("main.menu", "parking_lpr.status", "parking_lpr.handoff"),
        "category": category,
        "reason": reason,
        "facts": (FactLine(key="plate", label="차량번호", value="12가3456"),),
        "agent_notes": ("직영 주차장: 픽 취소 이후 보전처리 불필요",),
        "transcript": (
            TranscriptEntry(at=at, who="customer", text="주차 안 했는데 결제됐어요"),
            TranscriptEntry(at=at, who="bot", text="많이 놀라셨겠어요."),
        ),
    }
    fields.update(extra)
    return HandoffRecord.model_validate(fields)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "redis"])
def make_repo(request: pytest.FixtureRequest, clock: Clock) -> Iterator[Callable[..., HandoffRepository]]:
    clients: list[redis.Redis] = []

    def make(**options: object) -> HandoffRepository:
        if request.param == "memory":
            return MemoryHandoffRepository(clock=clock, **options)  # type: ignore[arg-type]
        prefix = request.getfixturevalue("redis_prefix")
        client = new_redis_client()
        clients.append(client)
        return RedisHandoffRepository(client, prefix=prefix, clock=clock, **options)  # type: ignore[arg-type]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def repo(make_repo: Callable[..., HandoffRepository]) -> HandoffRepository:
    return make_repo()


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)
