"""The desk side of the repository contract, on memory and on the real Redis: one holder per handoff
even when agents claim at once, history, memo, one open handoff per customer, paging and counts."""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.handoff.record import TranscriptEntry
from app.handoff.redis_repository import RedisHandoffRepository
from app.handoff.repository import HandoffRepository
from tests.handoff.conftest import NOW, later, make_record


def test_agents_claiming_at_once_leave_exactly_one_holder(
    make_repo: Callable[..., HandoffRepository],
) -> None:
    repo = make_repo()
    record = make_record()
    repo.save(record)
    names = [f"상담{n}" for n in range(8)]
    outcomes: dict[str, bool] = {}
    start = threading.Barrier(len(names))

    def claim(name: str) -> None:
        # with Redis another web worker (its own connection); in memory the one process's repository
        other = make_repo() if isinstance(repo, RedisHandoffRepository) else repo
        start.wait()
        result = other.claim(record.id, name, name, NOW, take_over=False)
        assert result is not None
        outcomes[name] = result.ok

    threads = [threading.Thread(target=claim, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for name, ok in outcomes.items() if ok]
    assert len(winners) == 1
    (view,) = repo.with_desk([repo.get(record.id)])  # type: ignore[list-item]
    assert view.assignee == winners[0]
    assert [(h.by, h.action) for h in view.history] == [(winners[0], "claimed")]


def test_a_lead_takes_over_and_the_history_says_who(repo: HandoffRepository) -> None:
    record = make_record()
    repo.save(record)
    repo.claim(record.id, "김상담", "김상담", NOW, take_over=False)
    refused = repo.claim(record.id, "박상담", "박상담", later(1), take_over=False)
    assert refused is not None and not refused.ok and refused.holder == "김상담"
    taken = repo.claim(record.id, "박상담", "이리드", later(2), take_over=True)
    assert taken is not None and taken.ok and taken.view.assignee == "박상담"
    repo.change_status(record.id, "in_progress", "박상담", later(3))
    view = repo.set_memo(record.id, "환불 진행 중", "박상담", later(4))
    assert view is not None and view.memo is not None and view.memo.text == "환불 진행 중"
    assert [(h.by, h.action, h.detail) for h in view.history] == [
        ("김상담", "claimed", "김상담"),
        ("이리드", "reassigned", "김상담 → 박상담"),
        ("박상담", "status", "대기 → 처리중"),
        ("박상담", "memo", ""),
    ]
    assert view.history[1].at == later(2)
    assert repo.claim("H-nope", "김상담", "김상담", NOW, take_over=False) is None


def test_one_open_handoff_per_customer(repo: HandoffRepository) -> None:
    first = make_record()
    assert repo.keep_request(first).new
    again = make_record(
        at=later(5),
        transcript=(
            *first.transcript,
            TranscriptEntry(at=later(5), who="customer", text="상담직원 연결"),
            TranscriptEntry(at=later(5), who="bot", text="상담직원에게 전달해 드릴게요"),
        ),
    )
    kept = repo.keep_request(again)
    assert not kept.new and kept.handoff_id == first.id
    assert repo.get(again.id) is None
    (view,) = repo.with_desk([repo.get(first.id)])  # type: ignore[list-item]
    assert [e.text for e in view.followups] == ["상담직원 연결", "상담직원에게 전달해 드릴게요"]
    assert [h.action for h in view.history] == ["again"]
    assert repo.open_handoff_of(first.bot_user_key) == first.id
    repo.change_status(first.id, "done", "김상담", later(6))
    assert repo.open_handoff_of(first.bot_user_key) is None
    assert repo.keep_request(make_record(at=later(7))).new  # a new request after 완료


def test_pages_and_counts(repo: HandoffRepository) -> None:
    records = [make_record(at=later(n), bot_user_key=f"{n}" * 66) for n in range(5)]
    for record in records:
        repo.keep_request(record)
    repo.claim(records[0].id, "김상담", "김상담", NOW, take_over=False)
    repo.change_status(records[1].id, "done", "김상담", NOW)
    first = repo.page(statuses=("open", "in_progress", "done"), limit=2)
    assert [v.record.id for v in first.views] == [records[4].id, records[3].id]
    second = repo.page(statuses=("open", "in_progress", "done"), limit=2, before=first.next_cursor)
    third = repo.page(statuses=("open", "in_progress", "done"), limit=2, before=second.next_cursor)
    assert [v.record.id for v in second.views + third.views] == [r.id for r in records[2::-1]]
    assert third.next_cursor is None
    mine = repo.page(statuses=("open",), assignee="김상담")
    assert [v.record.id for v in mine.views] == [records[0].id] and mine.views[0].assignee == "김상담"
    counts = repo.counts()
    assert (counts["open"], counts["done"], counts["all:open"]) == (4, 1, 4)
    assert counts[f"category:{records[0].category}"] == 5
    assert repo.counts(assignee="김상담")["open"] == 1


def test_a_lone_surrogate_is_stored_and_read_back(repo: HandoffRepository) -> None:
    record = make_record(
        bot_user_key="s\ud83d" * 33,
        transcript=(TranscriptEntry(at=NOW, who="customer", text="취소 \ud83d 부탁"),),
    )
    repo.keep_request(record)
    view = repo.get(record.id)
    assert view is not None and view.record.transcript[0].text == "취소 \ufffd 부탁"
