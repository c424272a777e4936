"""Where handoffs and transcripts are kept: one protocol, a memory and a Redis implementation.

A record's content never changes after it is saved; its status (대기/처리중/완료) and the delivery
state of each desk are kept beside it, so that agents and delivery workers never overwrite each
other. Records expire after the retention period; transcripts are bounded and expire too.

A customer's transcript is kept once (app/handoff/chain.py): a new record stores only the lines said
since the customer's previous record and points to it; every read gives the whole conversation back.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from pydantic import TypeAdapter

from app.handoff.chain import LastHandoff, split, whole_views
from app.handoff.record import (
    STATUS_LABELS,
    DeliveryState,
    HandoffRecord,
    HandoffView,
    HistoryEntry,
    Memo,
    Status,
    TranscriptEntry,
    seoul_now,
)
from app.session.store import Read

DEFAULT_RETENTION = timedelta(days=30)
DEFAULT_TRANSCRIPT_TTL = timedelta(hours=24)
DEFAULT_TRANSCRIPT_ENTRIES = 100  # 50 turns: customer + bot
FOLLOWUP_CAP = 40  # lines a customer can add to an open handoff by asking again


@dataclass(frozen=True)
class Kept:
    """Where a customer's request went: a new handoff, or the one they already had open.
    `also_done`: the caller's `also` commands (delivery jobs) went out with the new record."""

    handoff_id: str
    new: bool
    also_done: bool = False


@dataclass(frozen=True)
class Prior:
    """What keeping a customer's next request needs, read together (one round trip on Redis, inside
    the customer's lock): the live transcript, and for `keep_request` the open handoff and the latest
    record as stored (None: `keep_request` reads them itself)."""

    transcript: tuple[TranscriptEntry, ...]
    open_id: Any = None
    last: Any = None


def prior_from(replies: Sequence[Any]) -> Prior:
    """The `Prior` of the replies to `prior_reads` (live transcript lines, open handoff, latest record)."""
    lines, open_id, last = replies
    return Prior(_TRANSCRIPT.validate_json(b"[" + b",".join(lines) + b"]"), open_id, last)


_TRANSCRIPT = TypeAdapter(tuple[TranscriptEntry, ...])  # the live transcript's lines, decoded in one call

AddCommands = Callable[[Any], None]  # queues more commands on a Redis pipeline
DeferCommand = Callable[..., None]  # takes one Redis command's words, to be run later in one go


@dataclass(frozen=True)
class Claim:
    """The outcome of 담당하기: `view` after it, `holder` who holds it; `ok` False when another
    agent already holds it (and the claimer may not take it over)."""

    view: HandoffView
    ok: bool
    holder: str | None


@dataclass(frozen=True)
class Page:
    views: list[HandoffView]
    next_cursor: str | None  # pass as `before` for the next page; None on the last page


class HandoffRepository(Protocol):
    def save(self, record: HandoffRecord) -> None:
        """Idempotent: saving the same id again keeps its status and delivery state."""

    def get(self, handoff_id: str) -> HandoffView | None:
        """With its whole transcript (so are the views of every method below that returns some)."""

    def list(
        self, *, status: Status | None = None, category: str | None = None, limit: int = 200
    ) -> list[HandoffView]:
        """Newest first."""

    def set_status(self, handoff_id: str, status: Status, at: datetime) -> HandoffView | None: ...

    def set_delivery(self, handoff_id: str, desk: str, state: DeliveryState) -> None: ...

    def append_transcript(self, user_key: str, entries: Sequence[TranscriptEntry]) -> None: ...

    def transcript(self, user_key: str) -> list[TranscriptEntry]: ...

    def ping(self) -> bool: ...

    # --- one record per customer request, the desk side (claims, history, memo), paging ---------

    def prior(self, user_key: str) -> Prior:
        """The customer's live transcript and what `keep_request` needs, in one round trip."""
        ...

    def prior_reads(self, user_key: str) -> Sequence[Read]:
        """The reads `prior` makes, as commands the session store can run with the customer's lock on
        a turn that may hand off (their replies make the same `Prior`: `prior_from`); empty where
        there is nothing to read over the network (in memory)."""
        ...

    def keep_request(
        self,
        record: HandoffRecord,
        prior: Prior | None = None,
        also: AddCommands | None = None,
        defer: DeferCommand | None = None,
    ) -> Kept:
        """Save a new handoff — unless this customer already has an open one (대기/처리중): then the
        new lines of the conversation are added to that one and no second record is made. A new record
        stores only the lines said since the customer's previous record (app/handoff/chain.py).
        `prior`: read by `prior()` under the same customer lock (saves a round trip). `also`: more
        commands for the new record's save pipeline (Redis repositories; `Kept.also_done` says so).
        `defer`: a Redis repository hands the new record's save commands to it instead of sending
        them (the session store runs them in the turn's write script: no round trip of their own)."""

    def open_handoff_of(self, user_key: str) -> str | None: ...

    def claim(self, handoff_id: str, agent: str, by: str, at: datetime, *, take_over: bool) -> Claim | None:
        """`agent` holds the handoff from now on, unless another agent holds it and not `take_over`."""

    def change_status(self, handoff_id: str, status: Status, by: str, at: datetime) -> HandoffView | None: ...

    def set_memo(self, handoff_id: str, text: str, by: str, at: datetime) -> HandoffView | None: ...

    def with_desk(self, views: Sequence[HandoffView]) -> list[HandoffView]:
        """The same views with assignee, memo, history and follow-up lines filled in."""

    def page(
        self,
        *,
        statuses: Collection[Status],
        category: str | None = None,
        assignee: str | None = None,
        before: str | None = None,
        limit: int = 50,
    ) -> Page:
        """Newest first, `limit` at most, starting after the cursor `before`; with the desk side."""

    def counts(self, *, category: str | None = None, assignee: str | None = None) -> Counter[str]:
        """How many handoffs per status (and per category: key `category:<name>`)."""


def cursor_of(view: HandoffView) -> str:
    return f"{view.record.created_at.timestamp():.6f}"


def new_lines(view: HandoffView, record: HandoffRecord) -> tuple[TranscriptEntry, ...]:
    """The lines of `record` said after everything `view` already has (a customer asking again)."""
    last = last_line_at(view)
    return tuple(e for e in record.transcript if e.at > last)


def last_line_at(view: HandoffView) -> datetime:
    """When the newest line a handoff has (its record's or a follow-up) was said."""
    return max((e.at for e in (*view.record.transcript, *view.followups)), default=view.record.created_at)


def again_entry(record: HandoffRecord) -> HistoryEntry:
    return HistoryEntry(at=record.created_at, by="고객", action="again", detail=record.reason_label)


def matches(view: HandoffView, status: Status | None, category: str | None) -> bool:
    return (status is None or view.status == status) and (
        category is None or view.record.category == category
    )


class MemoryHandoffRepository:
    """For one process without Redis (local use, tests). Same behaviour as the Redis one."""

    def __init__(
        self,
        retention: timedelta = DEFAULT_RETENTION,
        transcript_ttl: timedelta = DEFAULT_TRANSCRIPT_TTL,
        transcript_entries: int = DEFAULT_TRANSCRIPT_ENTRIES,
        clock: Callable[[], datetime] = seoul_now,
    ) -> None:
        self.retention = retention
        self.transcript_ttl = transcript_ttl
        self.transcript_entries = transcript_entries
        self._clock = clock
        self._lock = threading.RLock()  # reentrant: reading a chain of records inside an update
        self._views: dict[str, HandoffView] = {}
        self._transcripts: dict[str, tuple[datetime, deque[TranscriptEntry]]] = {}
        self._open: dict[str, str] = {}  # user key → their open handoff
        self._last: dict[str, tuple[datetime, LastHandoff]] = {}  # user key → their latest record

    def _whole(self, views: Sequence[HandoffView]) -> list[HandoffView]:
        """The views with their whole transcripts (the earlier lines from the customer's earlier records)."""

        def fetch(ids: Collection[str]) -> dict[str, HandoffRecord]:
            with self._lock:
                return {i: self._views[i].record for i in ids if i in self._views}

        return whole_views(views, fetch, self.transcript_entries)

    def _one(self, view: HandoffView | None) -> HandoffView | None:
        return self._whole([view])[0] if view is not None else None

    def save(self, record: HandoffRecord) -> None:
        with self._lock:
            current = self._views.get(record.id)
            self._views[record.id] = current or HandoffView(record=record)
            cutoff = self._clock() - self.retention
            for expired in [i for i, v in self._views.items() if v.record.created_at < cutoff]:
                del self._views[expired]

    def get(self, handoff_id: str) -> HandoffView | None:
        with self._lock:
            view = self._views.get(handoff_id)
        return self._one(view)

    def list(
        self, *, status: Status | None = None, category: str | None = None, limit: int = 200
    ) -> list[HandoffView]:
        with self._lock:
            views = sorted(self._views.values(), key=lambda v: v.record.created_at, reverse=True)
        return self._whole([v for v in views if matches(v, status, category)][:limit])

    def set_status(self, handoff_id: str, status: Status, at: datetime) -> HandoffView | None:
        with self._lock:
            view = self._views.get(handoff_id)
            if view is None:
                return None
            self._views[handoff_id] = view = view.model_copy(update={"status": status, "status_at": at})
        return self._one(view)

    def set_delivery(self, handoff_id: str, desk: str, state: DeliveryState) -> None:
        with self._lock:
            view = self._views.get(handoff_id)
            if view is not None:
                delivery = {**view.delivery, desk: state}
                self._views[handoff_id] = view.model_copy(update={"delivery": delivery})

    def append_transcript(self, user_key: str, entries: Sequence[TranscriptEntry]) -> None:
        with self._lock:
            lines = self._live_transcript(user_key) or deque(maxlen=self.transcript_entries)
            lines.extend(entries)
            self._transcripts[user_key] = (self._clock(), lines)

    def transcript(self, user_key: str) -> list[TranscriptEntry]:
        with self._lock:
            return list(self._live_transcript(user_key) or ())

    def prior(self, user_key: str) -> Prior:
        return Prior(tuple(self.transcript(user_key)))

    def prior_reads(self, user_key: str) -> Sequence[Read]:
        return ()  # `prior` reads memory directly

    def _live_transcript(self, user_key: str) -> deque[TranscriptEntry] | None:
        written, lines = self._transcripts.get(user_key, (None, None))
        if written is None or self._clock() - written >= self.transcript_ttl:
            self._transcripts.pop(user_key, None)
            return None
        return lines

    def ping(self) -> bool:
        return True

    # --- one record per customer request, the desk side, paging -----------------------------------

    def keep_request(
        self,
        record: HandoffRecord,
        prior: Prior | None = None,
        also: AddCommands | None = None,
        defer: DeferCommand | None = None,
    ) -> Kept:
        with self._lock:
            current = self._one(self._views.get(self._open.get(record.bot_user_key, "")))
            if current is not None and current.status != "done":
                lines = new_lines(current, record)
                stored = self._views[current.record.id]
                self._views[current.record.id] = stored.model_copy(
                    update={
                        "followups": (*stored.followups, *lines)[-FOLLOWUP_CAP:],
                        "history": (*stored.history, again_entry(record)),
                    }
                )
                return Kept(current.record.id, new=False)
            self._open[record.bot_user_key] = record.id
            self.save(self._continued(record))
        return Kept(record.id, new=True)

    def _continued(self, record: HandoffRecord) -> HandoffRecord:
        """What to store of a new record: the lines since the customer's previous one (see chain.py)."""
        now, user = self._clock(), record.bot_user_key
        written, last = self._last.get(user, (None, None))
        if written is None or now - written >= self.transcript_ttl:
            last = None
        stored, pointer = split(record, last)
        self._last[user] = (now, pointer)
        return stored

    def open_handoff_of(self, user_key: str) -> str | None:
        with self._lock:
            view = self._views.get(self._open.get(user_key, ""))
            return view.record.id if view is not None and view.status != "done" else None

    def claim(self, handoff_id: str, agent: str, by: str, at: datetime, *, take_over: bool) -> Claim | None:
        with self._lock:
            view = self._views.get(handoff_id)
            if view is None:
                return None
            holder = view.assignee
            if holder is not None and holder != agent and not take_over:
                return Claim(self._whole([view])[0], ok=False, holder=holder)
            if holder != agent:
                entry = claim_entry(holder, agent, by, at)
                view = view.model_copy(update={"assignee": agent, "history": (*view.history, entry)})
                self._views[handoff_id] = view
            return Claim(self._whole([view])[0], ok=True, holder=agent)

    def change_status(self, handoff_id: str, status: Status, by: str, at: datetime) -> HandoffView | None:
        with self._lock:
            view = self._views.get(handoff_id)
            if view is None:
                return None
            entry = status_entry(view.status, status, by, at)
            view = view.model_copy(
                update={"status": status, "status_at": at, "history": (*view.history, entry)}
            )
            self._views[handoff_id] = view
            user = view.record.bot_user_key
            if status == "done" and self._open.get(user) == handoff_id:
                del self._open[user]
            elif status != "done":
                self._open.setdefault(user, handoff_id)
            return self._one(view)

    def set_memo(self, handoff_id: str, text: str, by: str, at: datetime) -> HandoffView | None:
        with self._lock:
            view = self._views.get(handoff_id)
            if view is None:
                return None
            memo = Memo(text=text, by=by, at=at)
            entry = HistoryEntry(at=at, by=by, action="memo")
            view = view.model_copy(update={"memo": memo, "history": (*view.history, entry)})
            self._views[handoff_id] = view
            return self._one(view)

    def with_desk(self, views: Sequence[HandoffView]) -> list[HandoffView]:
        with self._lock:
            return self._whole([self._views.get(v.record.id, v) for v in views])

    def page(
        self,
        *,
        statuses: Collection[Status],
        category: str | None = None,
        assignee: str | None = None,
        before: str | None = None,
        limit: int = 50,
    ) -> Page:
        with self._lock:
            views = sorted(self._views.values(), key=lambda v: v.record.created_at, reverse=True)
        edge = float(before) if before else None
        chosen = [
            v
            for v in views
            if v.status in statuses
            and (category is None or v.record.category == category)
            and (assignee is None or v.assignee == assignee)
            and (edge is None or v.record.created_at.timestamp() < edge)
        ]
        shown = self._whole(chosen[:limit])
        return Page(shown, cursor_of(shown[-1]) if len(chosen) > limit else None)

    def counts(self, *, category: str | None = None, assignee: str | None = None) -> Counter[str]:
        with self._lock:
            views = list(self._views.values())
        return count_views(
            [(v.status, v.record.category, v.assignee) for v in views], category=category, assignee=assignee
        )


def count_views(
    rows: Sequence[tuple[str, str, str | None]], *, category: str | None, assignee: str | None
) -> Counter[str]:
    """Per status within the filters; `all:<status>` without them; `category:<name>` per category."""
    counts: Counter[str] = Counter()
    for status, row_category, row_assignee in rows:
        counts[f"category:{row_category}"] += 1
        counts[f"all:{status}"] += 1
        if (category is None or row_category == category) and (assignee is None or row_assignee == assignee):
            counts[status] += 1
    return counts


def claim_entry(holder: str | None, agent: str, by: str, at: datetime) -> HistoryEntry:
    if holder is None and by == agent:
        return HistoryEntry(at=at, by=by, action="claimed", detail=agent)
    return HistoryEntry(at=at, by=by, action="reassigned", detail=f"{holder or '없음'} → {agent}")


def status_entry(old: Status, new: Status, by: str, at: datetime) -> HistoryEntry:
    return HistoryEntry(at=at, by=by, action="status", detail=f"{STATUS_LABELS[old]} → {STATUS_LABELS[new]}")
