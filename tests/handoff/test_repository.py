"""The handoff repository contract, run against the memory and the real Redis implementation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import redis

from app.handoff.record import DeliveryState, TranscriptEntry
from app.handoff.redis_repository import RedisHandoffRepository
from app.handoff.repository import HandoffRepository
from tests.handoff.conftest import NOW, Clock, later, make_record


def test_saved_record_comes_back_whole_and_open(repo: HandoffRepository) -> None:
    record = make_record()
    repo.save(record)
    view = repo.get(record.id)
    assert view is not None
    assert view.record == record
    assert view.status == "open" and view.status_label == "대기"
    assert view.delivery == {}
    assert repo.get("H-nope") is None


def test_list_is_newest_first_and_filters(repo: HandoffRepository) -> None:
    old = make_record(at=later(-60), category="일반 문의")
    mid = make_record(at=later(-30))
    new = make_record(at=later(0), category="일반 문의")
    for record in (mid, new, old):
        repo.save(record)
    assert [v.record.id for v in repo.list()] == [new.id, mid.id, old.id]
    assert [v.record.id for v in repo.list(category="일반 문의")] == [new.id, old.id]
    repo.set_status(mid.id, "done", NOW)
    assert [v.record.id for v in repo.list(status="done")] == [mid.id]
    assert [v.record.id for v in repo.list(status="open", category="일반 문의", limit=1)] == [new.id]


def test_status_changes_persist_and_saving_again_keeps_them(repo: HandoffRepository) -> None:
    record = make_record()
    repo.save(record)
    view = repo.set_status(record.id, "in_progress", later(5))
    assert view is not None and view.status == "in_progress" and view.status_at == later(5)
    repo.save(record)  # e.g. drained again from the spool
    again = repo.get(record.id)
    assert again is not None and again.status == "in_progress"
    assert repo.set_status("H-unknown", "done", NOW) is None


def test_delivery_state_is_kept_per_desk(repo: HandoffRepository) -> None:
    record = make_record()
    repo.save(record)
    repo.set_delivery(
        record.id, "webhook", DeliveryState(state="retrying", attempts=2, last_error="HTTP 503")
    )
    repo.set_delivery(record.id, "slack", DeliveryState(state="delivered", attempts=1))
    view = repo.get(record.id)
    assert view is not None
    assert view.delivery["webhook"].state == "retrying" and view.delivery["webhook"].last_error == "HTTP 503"
    assert view.delivery["slack"].state == "delivered"
    repo.set_delivery("H-unknown", "slack", DeliveryState())  # nothing to record on: no error
    assert repo.get("H-unknown") is None


def test_transcript_is_per_user_ordered_and_bounded(make_repo: Callable[..., HandoffRepository]) -> None:
    repo = make_repo(transcript_entries=10)
    lines = [TranscriptEntry(at=later(i), who="customer", text=f"메시지 {i}") for i in range(14)]
    for line in lines:
        repo.append_transcript("user-a", [line])
    repo.append_transcript("user-b", [TranscriptEntry(at=NOW, who="bot", text="다른 고객")])
    kept = repo.transcript("user-a")
    assert [e.text for e in kept] == [f"메시지 {i}" for i in range(4, 14)]
    assert [e.text for e in repo.transcript("user-b")] == ["다른 고객"]
    assert repo.transcript("nobody") == []


def test_records_expire_after_the_retention(
    make_repo: Callable[..., HandoffRepository], clock: Clock
) -> None:
    repo = make_repo(retention=timedelta(days=30))
    old = make_record(at=NOW - timedelta(days=31))
    repo.save(old)
    fresh = make_record()
    repo.save(fresh)
    if isinstance(repo, RedisHandoffRepository):  # Redis expires the key itself; check the TTL it set
        ttl = repo.client.ttl(f"{repo.prefix}handoff:{fresh.id}")
        assert 29 * 86400 < ttl <= 30 * 86400
        repo.client.delete(f"{repo.prefix}handoff:{old.id}")  # what the TTL would have done
    assert [v.record.id for v in repo.list()] == [fresh.id]


def test_transcript_expires(make_repo: Callable[..., HandoffRepository], clock: Clock) -> None:
    repo = make_repo(transcript_ttl=timedelta(hours=24))
    repo.append_transcript("user-a", [TranscriptEntry(at=NOW, who="customer", text="안녕")])
    if isinstance(repo, RedisHandoffRepository):
        ttl = repo.client.ttl(repo.transcript_key("user-a"))
        assert 23 * 3600 < ttl <= 24 * 3600
    else:
        clock.now = NOW + timedelta(hours=24)
        assert repo.transcript("user-a") == []


def test_redis_down_raises_store_unavailable() -> None:
    import pytest

    from app.session import StoreUnavailable

    client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_timeout=0.5, socket_connect_timeout=0.5)
    repo = RedisHandoffRepository(client, prefix="csbot-test:down:")
    with pytest.raises(StoreUnavailable):
        repo.save(make_record())
    with pytest.raises(StoreUnavailable):
        repo.transcript("x")
    assert repo.ping() is False
