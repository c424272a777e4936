"""The transcript kept once, on memory and on the real Redis: a customer's second record stores only
the lines said since their first, and every reader still gets the whole conversation, in order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from app.handoff.chain import MAX_HOPS, LastHandoff, split
from app.handoff.desks import payload, slack_text
from app.handoff.record import HandoffRecord, TranscriptEntry
from app.handoff.redis_repository import RedisHandoffRepository, unpack_record
from app.handoff.repository import HandoffRepository, MemoryHandoffRepository
from app.handoff.spool import Spool
from tests.conftest import new_redis_client
from tests.handoff.conftest import Clock, later, make_record

CUSTOMER, OTHER = "c" * 66, "d" * 66


def turn(minutes: int, said: str, answer: str) -> tuple[TranscriptEntry, TranscriptEntry]:
    at = later(minutes)
    return (
        TranscriptEntry(at=at, who="customer", text=said),
        TranscriptEntry(at=at, who="bot", text=answer),
    )


FIRST = (
    *turn(0, "충전이 안 돼요", "오류 코드를 알려 주세요"),
    *turn(1, "상담직원 연결", "상담직원에게 전달했어요"),
)
SECOND = (
    *turn(30, "아직 충전이 안 돼요", "다시 확인해 볼게요"),
    *turn(31, "상담직원 연결", "다시 전달했어요"),
)
THIRD = (*turn(60, "환불은요?", "환불 안내예요"), *turn(61, "상담직원 연결", "또 전달했어요"))


def request(minutes: int, lines: tuple[TranscriptEntry, ...], user: str = CUSTOMER) -> HandoffRecord:
    return make_record(at=later(minutes), bot_user_key=user, transcript=lines)


def stored(repo: HandoffRepository, handoff_id: str) -> HandoffRecord:
    """The record as kept, before any reader puts its transcript together."""
    if isinstance(repo, RedisHandoffRepository):
        return unpack_record(repo.client.hget(repo._key(handoff_id), "record"))  # type: ignore[arg-type]
    assert isinstance(repo, MemoryHandoffRepository)
    return repo._views[handoff_id].record


def expire(repo: HandoffRepository, clock: Clock, record: HandoffRecord) -> None:
    """`record` reaches the end of its retention while the later ones are still kept."""
    if isinstance(repo, RedisHandoffRepository):
        repo.client.delete(repo._key(record.id))  # what Redis does when its 30-day TTL runs out
        return
    clock.now = record.created_at + repo.retention + timedelta(seconds=1)
    repo.save(request(0, FIRST, user="e" * 66).model_copy(update={"id": "H-purge", "created_at": clock.now}))


def two_handoffs(repo: HandoffRepository) -> tuple[HandoffRecord, HandoffRecord]:
    first, second = request(1, FIRST), request(31, (*FIRST, *SECOND))
    assert repo.keep_request(first).new
    repo.change_status(first.id, "done", "김상담", later(10))
    assert repo.keep_request(second).new
    return first, second


def texts(record: HandoffRecord) -> list[str]:
    return [line.text for line in record.transcript]


def test_the_second_record_stores_only_the_new_lines_and_reads_whole(repo: HandoffRepository) -> None:
    first, second = two_handoffs(repo)
    kept = stored(repo, second.id)
    assert texts(kept) == texts(request(0, SECOND))
    assert kept.transcript_continues == first.id and kept.earlier_lines == len(FIRST)
    assert texts(stored(repo, first.id)) == texts(first)  # the first is unchanged
    whole = texts(second)
    view = repo.get(second.id)
    assert view is not None and texts(view.record) == whole and view.record.transcript_gone == 0
    assert [texts(v.record) for v in repo.list()] == [whole, texts(first)]
    page = repo.page(statuses={"open", "done"})
    assert [texts(v.record) for v in page.views] == [whole, texts(first)]
    (desk,) = repo.with_desk([view])
    assert texts(desk.record) == whole
    body = payload(desk)
    assert [line["text"] for line in body["transcript"]] == whole
    assert body["transcript_gone"] == 0 and body["transcript_note"] is None


def test_a_third_record_reads_whole_through_two_earlier_ones(repo: HandoffRepository) -> None:
    _first, second = two_handoffs(repo)
    repo.change_status(second.id, "done", "김상담", later(40))
    third = request(61, (*FIRST, *SECOND, *THIRD))
    assert repo.keep_request(third).new
    kept = stored(repo, third.id)
    assert texts(kept) == texts(request(0, THIRD)) and kept.transcript_continues == second.id
    view = repo.get(third.id)
    assert view is not None and texts(view.record) == texts(third)


def test_asking_again_while_open_adds_only_lines_said_after_the_whole(repo: HandoffRepository) -> None:
    _first, second = two_handoffs(repo)
    again = request(61, (*FIRST, *SECOND, *THIRD))
    kept = repo.keep_request(again)
    assert not kept.new and kept.handoff_id == second.id
    (view,) = repo.with_desk([repo.get(second.id)])  # type: ignore[list-item]
    assert [e.text for e in view.followups] == texts(request(0, THIRD))
    assert texts(view.record) == texts(second)


def test_an_expired_earlier_record_leaves_the_rest_and_a_note(repo: HandoffRepository, clock: Clock) -> None:
    first, second = two_handoffs(repo)
    expire(repo, clock, first)
    assert repo.get(first.id) is None
    view = repo.get(second.id)
    assert view is not None
    assert texts(view.record) == texts(request(0, SECOND))
    assert view.record.transcript_gone == len(FIRST)
    assert payload(view)["transcript_note"] == "이전 대화 일부(4개)는 보관 기간이 지나 없습니다"
    assert "이전 대화 일부(4개)는 보관 기간이 지나 없습니다" in slack_text(view)


def test_records_saved_whole_read_exactly_as_saved(repo: HandoffRepository) -> None:
    old = request(31, (*FIRST, *SECOND))  # as earlier versions saved every record
    repo.save(old)
    view = repo.get(old.id)
    assert view is not None and view.record == old
    assert [v.record for v in repo.list()] == [old]


def test_another_customers_records_never_mix_in(repo: HandoffRepository) -> None:
    first, _second = two_handoffs(repo)
    theirs = request(32, (*FIRST, *SECOND), user=OTHER)  # the same lines, another customer
    assert repo.keep_request(theirs).new
    assert stored(repo, theirs.id).transcript_continues is None
    assert texts(stored(repo, theirs.id)) == texts(theirs)
    forged = request(33, SECOND, user=OTHER).model_copy(
        update={"transcript_continues": first.id, "earlier_lines": 4}
    )
    repo.save(forged)
    view = repo.get(forged.id)
    assert view is not None and texts(view.record) == texts(request(0, SECOND))
    assert view.record.transcript_gone == 4  # named, but not theirs: not shown


@pytest.mark.parametrize(
    ("reference", "earlier", "gone"),
    [("H-nope", 4, 4), ("", 4, 0), (None, 4, 0), ("H-nope", 0, 0), ("H-nope", -3, 0), ("H-nope", 10**9, 100)],
)
def test_bad_or_absent_references_show_what_the_record_has(
    repo: HandoffRepository, reference: str | None, earlier: int, gone: int
) -> None:
    record = request(31, SECOND).model_copy(
        update={"transcript_continues": reference, "earlier_lines": earlier}
    )
    repo.save(record)
    view = repo.get(record.id)
    assert view is not None and texts(view.record) == texts(record)
    assert view.record.transcript_gone == gone


def test_a_record_that_names_itself_or_a_later_one_is_not_followed(repo: HandoffRepository) -> None:
    first, second = two_handoffs(repo)
    looped = request(0, FIRST).model_copy(
        update={"id": "H-loop", "transcript_continues": "H-loop", "earlier_lines": 2}
    )
    repo.save(looped)
    view = repo.get("H-loop")
    assert view is not None and texts(view.record) == texts(request(0, FIRST))
    backwards = stored(repo, first.id).model_copy(
        update={"id": "H-back", "transcript_continues": second.id, "earlier_lines": 2}
    )
    repo.save(backwards)
    found = repo.get("H-back")
    assert found is not None and texts(found.record) == texts(first) and found.record.transcript_gone == 2


def test_when_the_live_transcript_moved_on_the_record_keeps_its_whole_transcript(
    repo: HandoffRepository,
) -> None:
    first = request(1, FIRST)
    repo.keep_request(first)
    repo.change_status(first.id, "done", "김상담", later(10))
    fresh = request(61, THIRD)  # the live transcript expired: nothing of the first record is in it
    repo.keep_request(fresh)
    kept = stored(repo, fresh.id)
    assert kept.transcript_continues is None and texts(kept) == texts(fresh)


def test_the_chain_is_never_longer_than_a_reader_follows(make_repo: Callable[..., HandoffRepository]) -> None:
    repo = make_repo()
    lines: tuple[TranscriptEntry, ...] = ()
    for n in range(MAX_HOPS + 2):
        lines = (*lines, *turn(n * 10, f"{n}번째 질문", f"{n}번째 답"))
        record = request(n * 10, lines)
        assert repo.keep_request(record).new
        repo.change_status(record.id, "done", "김상담", later(n * 10 + 1))
        kept = stored(repo, record.id)
        assert (kept.transcript_continues is None) == (n % (MAX_HOPS + 1) == 0)
        view = repo.get(record.id)
        assert view is not None and texts(view.record) == texts(record) and view.record.transcript_gone == 0


def test_a_whole_transcript_is_at_most_the_configured_lines(
    make_repo: Callable[..., HandoffRepository],
) -> None:
    repo = make_repo(transcript_entries=10)
    _first, second = two_handoffs(repo)
    record = stored(repo, second.id).model_copy(update={"id": "H-many", "earlier_lines": 50})
    repo.save(record)
    view = repo.get("H-many")
    assert view is not None and len(view.record.transcript) == len(FIRST) + len(SECOND)
    assert view.record.transcript_gone == 10 - len(FIRST)


def test_a_failure_record_with_one_line_is_never_taken_for_the_whole_conversation() -> None:
    failed = make_record(bot_user_key=CUSTOMER, transcript=FIRST[2:3])  # only the failed turn's line
    _kept, pointer = split(failed, None)
    later_record = make_record(at=later(31), bot_user_key=CUSTOMER, transcript=(*FIRST, *SECOND))
    kept, _ = split(later_record, pointer)
    assert kept.transcript_continues is None and texts(kept) == texts(later_record)


@pytest.mark.parametrize("raw", [None, b"", b"nonsense", b"[1, 2]", b'["H-1", "x", 0, "a", "b"]', b"{}"])
def test_an_unreadable_latest_record_pointer_is_ignored(raw: bytes | None) -> None:
    assert LastHandoff.loads(raw) is None
    record = make_record(bot_user_key=CUSTOMER, transcript=FIRST)
    assert split(record, LastHandoff.loads(raw))[0] == record


def test_a_garbled_pointer_in_redis_makes_a_whole_record(redis_prefix: str, clock: Clock) -> None:
    repo = RedisHandoffRepository(new_redis_client(), prefix=redis_prefix, clock=clock)
    _first, second = two_handoffs(repo)
    repo.change_status(second.id, "done", "김상담", later(40))
    repo.client.set(f"{redis_prefix}{{{CUSTOMER}}}:last-handoff", b"\xff garbage")
    third = request(61, (*FIRST, *SECOND, *THIRD))
    assert repo.keep_request(third).new
    kept = stored(repo, third.id)
    assert kept.transcript_continues is None and texts(kept) == texts(third)


def test_a_record_spooled_in_an_outage_keeps_every_line_and_reads_whole_once_moved_in(
    repo: HandoffRepository, tmp_path: Path
) -> None:
    first = request(1, FIRST)
    repo.keep_request(first)
    repo.change_status(first.id, "done", "김상담", later(10))
    spool = Spool(tmp_path / "spool")
    outage_record = request(31, (*FIRST, *SECOND))
    spool.add(outage_record)  # Redis was down: the spool file has the whole transcript
    assert [texts(r) for r in spool.pending()] == [texts(outage_record)]
    submitted: list[str] = []
    assert spool.drain(repo, Recorder(submitted)) == 1
    assert submitted == [outage_record.id]
    view = repo.get(outage_record.id)
    assert view is not None and texts(view.record) == texts(outage_record)
    assert stored(repo, outage_record.id).transcript_continues == first.id  # kept once from then on


class Recorder:
    def __init__(self, sent: list[str]) -> None:
        self.sent = sent

    def submit(self, handoff_id: str) -> None:
        self.sent.append(handoff_id)

    def close(self) -> None:
        pass
