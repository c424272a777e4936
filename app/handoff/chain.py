"""A customer's transcript kept once: a new handoff record stores only the lines said since the
customer's previous record, and points to that record for the earlier ones.

Saving (`split`): the repository remembers each customer's latest record as a `LastHandoff` (its id,
how many lines its whole transcript has, fingerprints of its last line and of the whole). A new record
whose transcript still holds those lines — the live transcript is one list per customer, so they are
its first lines — keeps only what follows them, with `transcript_continues` (that record's id) and
`earlier_lines` (how many lines come from there). Anything that does not match exactly — the live
transcript expired or moved on, a failure record with one line, a chain already `MAX_HOPS` long —
stores its whole transcript, as every record did before.

Reading (`whole_transcripts`): the one place every reader (inbox, API, desks, follow-ups) gets the
whole conversation back, following the chain a batch per hop. Lines whose record is gone (expired,
missing, another customer's) are counted in `transcript_gone` for the agents' note.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from app.handoff.record import HandoffRecord, HandoffView, TranscriptEntry

MAX_HOPS = 4  # earlier records a transcript may reach into: a reader's extra round trips at most
DEFAULT_LINE_LIMIT = 100

Fetch = Callable[[Collection[str]], Mapping[str, HandoffRecord]]


def gone_note(count: int) -> str:
    """What agents read where earlier lines are missing (their record expired)."""
    return f"이전 대화 일부({count}개)는 보관 기간이 지나 없습니다"


def fingerprint(lines: Sequence[TranscriptEntry]) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for line in lines:
        digest.update(f"{line.at.timestamp()!r}\x1f{line.who}\x1f{line.text}\x1e".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class LastHandoff:
    """What a customer's next record needs to know about their latest one (kept per customer)."""

    handoff_id: str
    lines: int  # lines of its whole transcript
    depth: int  # earlier records its whole transcript reaches into
    last_line: str  # fingerprint of its last line
    whole: str  # fingerprint of all its lines

    def dumps(self) -> str:
        return json.dumps([self.handoff_id, self.lines, self.depth, self.last_line, self.whole])

    @classmethod
    def loads(cls, raw: str | bytes | None) -> LastHandoff | None:
        """None for nothing or anything unreadable: the next record then keeps its whole transcript."""
        if not raw:
            return None
        try:
            handoff_id, lines, depth, last_line, whole = json.loads(raw)
            if not all(isinstance(v, str) for v in (handoff_id, last_line, whole)):
                return None
            return cls(handoff_id, int(lines), int(depth), last_line, whole)
        except (ValueError, TypeError):
            return None


def split(record: HandoffRecord, last: LastHandoff | None) -> tuple[HandoffRecord, LastHandoff]:
    """What to store of a new `record` (carrying its whole transcript) after the customer's `last`
    record, and what the customer's next record will need to know about this one."""
    whole = record.transcript
    kept = _earlier_in(whole, last) if last is not None and last.handoff_id != record.id else 0
    depth = 0
    stored = record
    if kept and last is not None:
        depth = last.depth + 1
        update = {"transcript": whole[kept:], "transcript_continues": last.handoff_id, "earlier_lines": kept}
        stored = record.model_copy(update=update)
    pointer = LastHandoff(record.id, len(whole), depth, fingerprint(whole[-1:]), fingerprint(whole))
    return stored, pointer


def _earlier_in(whole: Sequence[TranscriptEntry], last: LastHandoff) -> int:
    """How many of `whole`'s first lines are the last lines of `last` (0: not a continuation)."""
    if not whole or last.depth + 1 > MAX_HOPS or last.lines < 1:
        return 0
    ends = [i + 1 for i, line in enumerate(whole) if fingerprint((line,)) == last.last_line]
    if not ends:
        return 0
    count = ends[-1]
    if count > last.lines or (count == last.lines and fingerprint(whole[:count]) != last.whole):
        return 0
    return count


@dataclass
class _Walk:
    record: HandoffRecord
    need: int
    ref: str | None
    earlier: list[TranscriptEntry] = field(default_factory=list)
    gone: int = 0
    seen: set[str] = field(default_factory=set)

    def finish(self) -> HandoffRecord:
        update = {
            "transcript": (*self.earlier, *self.record.transcript),
            "earlier_lines": 0,
            "transcript_gone": self.record.transcript_gone + self.gone + self.need,
        }
        return self.record.model_copy(update=update)

    def take(self, previous: HandoffRecord | None) -> None:
        """Take what is needed from `previous` (the record `ref` names) and move on to its own."""
        record = self.record
        if (
            previous is None
            or previous.bot_user_key != record.bot_user_key
            or previous.id in self.seen
            or previous.created_at > record.created_at
        ):
            self.ref = None  # expired, missing, or not this customer's: what is missing is gone
            return
        self.seen.add(previous.id)
        lines = previous.transcript[-self.need :]
        self.earlier[:0] = lines
        self.need -= len(lines)
        further = min(previous.earlier_lines, self.need) if previous.transcript_continues else 0
        self.gone += self.need - further
        self.need, self.ref = further, previous.transcript_continues if further else None


def whole_transcripts(
    records: Sequence[HandoffRecord], fetch: Fetch, limit: int = DEFAULT_LINE_LIMIT
) -> list[HandoffRecord]:
    """`records` with their whole transcripts (at most `limit` earlier lines each, `MAX_HOPS` hops,
    one `fetch` of a batch of ids per hop). Records saved whole come back unchanged."""
    walks = {
        index: _Walk(record, min(record.earlier_lines, limit), record.transcript_continues, seen={record.id})
        for index, record in enumerate(records)
        if record.transcript_continues and record.earlier_lines > 0
    }
    for _hop in range(MAX_HOPS):
        wanted = {w.ref for w in walks.values() if w.ref and w.need > 0}
        if not wanted:
            break
        found = fetch(wanted)
        for walk in walks.values():
            if walk.ref and walk.need > 0:
                walk.take(found.get(walk.ref))
    return [walks[i].finish() if i in walks else record for i, record in enumerate(records)]


def whole_views(views: Sequence[HandoffView], fetch: Fetch, limit: int) -> list[HandoffView]:
    """`views` with their records' whole transcripts (see `whole_transcripts`)."""
    records = whole_transcripts([v.record for v in views], fetch, limit)
    pairs = zip(views, records, strict=True)
    return [
        view if record is view.record else view.model_copy(update={"record": record})
        for view, record in pairs
    ]
