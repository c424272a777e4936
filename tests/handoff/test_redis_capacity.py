"""How handoff records are kept in Redis: compact, and readable whatever version saved them."""

from __future__ import annotations

from datetime import timedelta

import redis

from app.handoff.record import DeliveryState, TranscriptEntry
from app.handoff.redis_repository import RedisHandoffRepository
from tests.conftest import new_redis_client
from tests.handoff.conftest import NOW, make_record

BOT_LINE = (
    "전기차 충전 인증 오류를 도와드릴게요. 충전기 화면에 표시된 오류 코드를 알려 주시면 원인을 확인해 "
    "드릴게요. 회원카드를 다시 태그하시거나 앱의 QR 인증을 이용해 보세요."
)


def long_transcript(turns: int = 50) -> tuple[TranscriptEntry, ...]:
    lines: list[TranscriptEntry] = []
    for n in range(turns):
        lines.append(
            TranscriptEntry(at=NOW + timedelta(seconds=n), who="customer", text=f"{n}번째 질문이에요")
        )
        lines.append(TranscriptEntry(at=NOW + timedelta(seconds=n), who="bot", text=BOT_LINE))
    return tuple(lines)


def test_a_record_with_a_full_transcript_takes_a_fraction_of_its_json(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    repo = RedisHandoffRepository(new_redis_client(), prefix=redis_prefix)
    record = make_record(transcript=long_transcript())
    repo.save(record)
    plain = len(record.model_dump_json().encode())
    stored = redis_client.memory_usage(f"{redis_prefix}handoff:{record.id}")
    assert plain > 20_000  # 50 turns: the ~28 KB records the issue measured
    assert stored is not None and stored < plain / 4
    view = repo.get(record.id)
    assert view is not None and view.record == record


def test_records_saved_as_plain_json_by_earlier_versions_are_still_read(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    repo = RedisHandoffRepository(new_redis_client(), prefix=redis_prefix)
    record = make_record()
    redis_client.hset(f"{redis_prefix}handoff:{record.id}", mapping={"record": record.model_dump_json()})
    redis_client.zadd(f"{redis_prefix}handoffs", {record.id: record.created_at.timestamp()})
    assert [v.record for v in repo.list()] == [record]


def test_a_delivery_state_is_never_written_to_an_expired_record(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    repo = RedisHandoffRepository(new_redis_client(), prefix=redis_prefix)
    repo.set_delivery("H-gone", "webhook", DeliveryState(state="delivered"))
    assert not redis_client.exists(f"{redis_prefix}handoff:H-gone")
