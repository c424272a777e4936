"""Handoffs in Redis, shared by every web worker, delivery worker and the agent inbox.

Keys (all under the app's prefix):
- `handoff:{id}` — a hash: `record` (zlib-compressed JSON, never rewritten; its transcript is most
  of it and compresses ~5×), `status`, `status_at`, `delivery:{desk}`; expires after the retention
  period. Records saved as plain JSON by earlier versions are still read.
- `handoffs` — a sorted set of ids by creation time (newest first listing); pruned as records expire.
- `{user}:transcript` — a list of JSON lines, trimmed to the last N and expiring after the TTL; the
  session store appends to it in the same script that saves the turn (app/session/redis_store.py).
- Desk side (agent inbox): `assignee`, `memo` and `category` fields in `handoff:{id}`;
  `handoff:{id}:history` and `handoff:{id}:more` (lines the customer added by asking again) as lists of
  JSON; `handoff-open:{user}` — the customer's open handoff (one record per customer request).
- `{user}:last-handoff` — the customer's latest record (`LastHandoff`: id, line count, fingerprints,
  chain depth; ~100 bytes), written in the pipeline that saves the record. It expires with the live
  transcript's TTL (a day): by then the live transcript no longer holds that record's lines anyway.

The transcript kept once (app/handoff/chain.py). A customer who asks for an agent again after the
earlier handoff was closed gets a new record, and their live transcript still holds the lines that
record already keeps. So the new record stores only the lines said since (`transcript`), the id of
the earlier record (`transcript_continues`) and how many lines come from there (`earlier_lines`):

    H-2 {transcript: [l7 … l10], transcript_continues: "H-1", earlier_lines: 6}
      └─ H-1 {transcript: [l3 … l6], transcript_continues: "H-0", earlier_lines: 2}
           └─ H-0 {transcript: [l1, l2]}            whole of H-2 = l1 … l10

Saving costs nothing extra: `last-handoff` is read in the pipeline that already looks up the
customer's open handoff, and written in the one that saves the record. Every read (`get`, `list`,
`page`, and what returns views) follows the chain for the views it returns: one pipelined HGET per
hop for all of them, at most `MAX_HOPS` hops (a chain is never made longer) and `transcript_entries`
earlier lines. A record whose earlier record expired shows what remains, with `transcript_gone` for
the agents' note; a record saved whole (by earlier versions, during an outage through the spool, or
when the live transcript no longer holds the earlier record's lines) reads exactly as saved.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import redis
from redis.exceptions import RedisError

from app.handoff.chain import LastHandoff, split, whole_views
from app.handoff.record import (
    DeliveryState,
    HandoffRecord,
    HandoffView,
    HistoryEntry,
    Memo,
    Status,
    TranscriptEntry,
    seoul_now,
)
from app.handoff.repository import (
    DEFAULT_RETENTION,
    DEFAULT_TRANSCRIPT_ENTRIES,
    DEFAULT_TRANSCRIPT_TTL,
    FOLLOWUP_CAP,
    AddCommands,
    Claim,
    DeferCommand,
    Kept,
    Page,
    Prior,
    again_entry,
    claim_entry,
    count_views,
    cursor_of,
    last_line_at,
    matches,
    prior_from,
    status_entry,
)
from app.session import StoreUnavailable
from app.session.keys import customer_key
from app.session.store import Read

_SET_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return -1
"""
LAST_AT = (
    "last_at"  # the time of a handoff's newest line (record or follow-up): what "asked again" adds after
)
RECORD_COMPRESSION = 6  # zlib level: most of the gain of 9 at a fraction of the CPU

# KEYS: handoff hash; ARGV: agent, take_over ("1"/"0") → {0} missing, {1, previous} taken, {2, holder} refused
_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
local holder = redis.call('HGET', KEYS[1], 'assignee')
if holder == ARGV[1] then return {3, holder} end
if holder and ARGV[2] ~= '1' then return {2, holder} end
redis.call('HSET', KEYS[1], 'assignee', ARGV[1])
return {1, holder or ''}
"""


@contextmanager
def _redis_errors(action: str) -> Iterator[None]:
    try:
        yield
    except RedisError as exc:
        raise StoreUnavailable(f"Redis unavailable while {action}: {exc}") from exc


class RedisHandoffRepository:
    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "csbot:",
        retention: timedelta = DEFAULT_RETENTION,
        transcript_ttl: timedelta = DEFAULT_TRANSCRIPT_TTL,
        transcript_entries: int = DEFAULT_TRANSCRIPT_ENTRIES,
        clock: Callable[[], datetime] = seoul_now,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.retention = retention
        self.transcript_ttl = transcript_ttl
        self.transcript_entries = transcript_entries
        self._clock = clock
        self._set_if_exists = client.register_script(_SET_IF_EXISTS)

    def _key(self, handoff_id: str) -> str:
        return f"{self.prefix}handoff:{handoff_id}"

    @property
    def _index(self) -> str:
        return f"{self.prefix}handoffs"

    def save(self, record: HandoffRecord) -> None:
        with _redis_errors("saving a handoff"):
            pipe = self.client.pipeline()
            self._save_in(pipe, record)
            pipe.execute()

    def _save_in(self, pipe: redis.client.Pipeline, record: HandoffRecord) -> None:
        key, ttl = self._key(record.id), int(self.retention.total_seconds())
        cutoff = (self._clock() - self.retention).timestamp()
        pipe.hset(key, "record", pack_record(record))
        pipe.hsetnx(key, "status", "open")
        pipe.expire(key, ttl)
        pipe.zadd(self._index, {record.id: record.created_at.timestamp()})
        pipe.zremrangebyscore(self._index, "-inf", cutoff)

    def get(self, handoff_id: str) -> HandoffView | None:
        with _redis_errors("reading a handoff"):
            fields = self.client.hgetall(self._key(handoff_id))
        return self._whole([_view(fields)])[0] if fields else None

    def _whole(self, views: Sequence[HandoffView]) -> list[HandoffView]:
        """The views with their whole transcripts (the earlier lines from the customer's earlier records)."""
        return whole_views(views, self._records, self.transcript_entries)

    def _records(self, ids: Collection[str]) -> dict[str, HandoffRecord]:
        """The stored records of `ids` that still exist, in one round trip."""
        with _redis_errors("reading earlier handoffs"):
            pipe = self.client.pipeline()
            for handoff_id in ids:
                pipe.hget(self._key(handoff_id), "record")
            found = dict(zip(ids, pipe.execute(), strict=True))
        return {handoff_id: unpack_record(raw) for handoff_id, raw in found.items() if raw}

    def list(
        self, *, status: Status | None = None, category: str | None = None, limit: int = 200
    ) -> list[HandoffView]:
        views: list[HandoffView] = []
        with _redis_errors("listing handoffs"):
            ids = [i.decode() for i in self.client.zrevrange(self._index, 0, -1)]
            for start in range(0, len(ids), 100):
                batch = ids[start : start + 100]
                pipe = self.client.pipeline()
                for handoff_id in batch:
                    pipe.hgetall(self._key(handoff_id))
                for handoff_id, fields in zip(batch, pipe.execute(), strict=True):
                    if not fields:  # expired: drop it from the index too
                        self.client.zrem(self._index, handoff_id)
                        continue
                    view = _view(fields)
                    if matches(view, status, category):
                        views.append(view)
                        if len(views) >= limit:
                            return self._whole(views)
        return self._whole(views)

    def set_status(self, handoff_id: str, status: Status, at: datetime) -> HandoffView | None:
        key = self._key(handoff_id)
        with _redis_errors("changing a handoff's status"):
            if not self.client.exists(key):
                return None
            self.client.hset(key, mapping={"status": status, "status_at": at.isoformat()})
        return self.get(handoff_id)

    def set_delivery(self, handoff_id: str, desk: str, state: DeliveryState) -> None:
        with _redis_errors("recording a delivery"):  # one round trip; never recreates an expired record
            self._set_if_exists(
                keys=[self._key(handoff_id)], args=[f"delivery:{desk}", state.model_dump_json()]
            )

    def append_transcript(self, user_key: str, entries: Sequence[TranscriptEntry]) -> None:
        key = self.transcript_key(user_key)
        with _redis_errors("recording the transcript"):
            pipe = self.client.pipeline()
            pipe.rpush(key, *[e.model_dump_json() for e in entries])
            pipe.ltrim(key, -self.transcript_entries, -1)
            pipe.expire(key, int(self.transcript_ttl.total_seconds()))
            pipe.execute()

    def transcript_key(self, user_key: str) -> str:
        return customer_key(self.prefix, user_key, "transcript")

    def transcript(self, user_key: str) -> list[TranscriptEntry]:
        with _redis_errors("reading the transcript"):
            lines = self.client.lrange(self.transcript_key(user_key), 0, -1)
        return [TranscriptEntry.model_validate_json(line) for line in lines]

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except Exception:
            return False

    # --- one record per customer request, the desk side (claims, history, memo), paging -----------

    def _open_key(self, user_key: str) -> str:
        return f"{self.prefix}handoff-open:{user_key}"

    def _ttl(self) -> int:
        return int(self.retention.total_seconds())

    def _push(self, handoff_id: str, suffix: str, *lines: str, keep: int = 0) -> None:
        pipe = self.client.pipeline()
        self._push_in(pipe, handoff_id, suffix, *lines, keep=keep)
        pipe.execute()

    def _push_in(self, pipe: Any, handoff_id: str, suffix: str, *lines: str, keep: int = 0) -> None:
        key = f"{self._key(handoff_id)}:{suffix}"
        pipe.rpush(key, *lines)
        if keep:
            pipe.ltrim(key, -keep, -1)
        pipe.expire(key, self._ttl())

    def _last_key(self, user_key: str) -> str:
        return customer_key(self.prefix, user_key, "last-handoff")

    def prior(self, user_key: str) -> Prior:
        with _redis_errors("reading what a handoff needs"):
            return prior_from(self._open_and_last(user_key, with_transcript=True))

    def prior_reads(self, user_key: str) -> Sequence[Read]:
        return [
            ("LRANGE", self.transcript_key(user_key), "0", "-1"),
            ("GET", self._open_key(user_key)),
            ("GET", self._last_key(user_key)),
        ]

    def _open_and_last(self, user_key: str, with_transcript: bool = False) -> list[Any]:
        """[live transcript lines,] the open handoff's id and the latest record's pointer, as stored:
        one round trip."""
        pipe = self.client.pipeline(transaction=False)
        if with_transcript:
            pipe.lrange(self.transcript_key(user_key), 0, -1)
        pipe.get(self._open_key(user_key))
        pipe.get(self._last_key(user_key))
        return list(pipe.execute())

    def keep_request(
        self,
        record: HandoffRecord,
        prior: Prior | None = None,
        also: AddCommands | None = None,
        defer: DeferCommand | None = None,
    ) -> Kept:
        user = record.bot_user_key
        with _redis_errors("keeping a handoff"):
            open_id, last = (prior.open_id, prior.last) if prior else self._open_and_last(user)
            opened = self._open_state(open_id)
            if opened is not None:  # the customer asked again: add to the open handoff
                current_id, last_at = opened
                if last_at is None:  # saved by an earlier version: read it whole
                    current = self.get(current_id)
                    if current is not None:
                        last_at = last_line_at(self.with_desk([current])[0])
                lines = tuple(e for e in record.transcript if last_at is None or e.at > last_at)
                pipe = self.client.pipeline(transaction=False)
                if lines:
                    self._push_in(
                        pipe, current_id, "more", *[e.model_dump_json() for e in lines], keep=FOLLOWUP_CAP
                    )
                    pipe.hset(self._key(current_id), LAST_AT, max(e.at for e in lines).isoformat())
                self._push_in(pipe, current_id, "history", again_entry(record).model_dump_json())
                self._send(pipe, defer)
                return Kept(current_id, new=False)
            stored, pointer = split(record, LastHandoff.loads(last))
            pipe = self.client.pipeline() if defer is None else self.client.pipeline(transaction=False)
            self._save_in(pipe, stored)
            pipe.hset(self._key(record.id), mapping={"category": record.category, LAST_AT: _last_at(record)})
            pipe.set(self._open_key(user), record.id, ex=self._ttl())
            pipe.set(self._last_key(user), pointer.dumps(), ex=int(self.transcript_ttl.total_seconds()))
            if also is not None:
                also(pipe)  # e.g. the delivery jobs: saved and scheduled in one transaction
            self._send(pipe, defer)
        return Kept(record.id, new=True, also_done=also is not None)

    @staticmethod
    def _send(pipe: Any, defer: DeferCommand | None) -> None:
        """Send the pipeline now, or hand its commands to `defer` (the session's write runs them)."""
        if defer is None:
            pipe.execute()
            return
        for words, _options in pipe.command_stack:
            defer(*words)
        pipe.reset()

    def _open_state(self, found: bytes | None) -> tuple[str, datetime | None] | None:
        """The open handoff `handoff-open:{user}` named and the time of its newest line, unless it is
        done or gone: one round trip."""
        if not found:
            return None
        handoff_id = found.decode()
        status, last_at = self.client.hmget(self._key(handoff_id), ["status", LAST_AT])
        if status is None or status == b"done":
            return None
        return handoff_id, datetime.fromisoformat(last_at.decode()) if last_at else None

    def delivery_in(self, pipe: Any, handoff_id: str, desk: str, state: DeliveryState) -> None:
        """Queue a desk's delivery state on a pipeline that also creates the record."""
        pipe.hset(self._key(handoff_id), f"delivery:{desk}", state.model_dump_json())

    def open_handoff_of(self, user_key: str) -> str | None:
        with _redis_errors("finding a customer's open handoff"):
            opened = self._open_state(self.client.get(self._open_key(user_key)))
        return opened[0] if opened is not None else None

    def claim(self, handoff_id: str, agent: str, by: str, at: datetime, *, take_over: bool) -> Claim | None:
        with _redis_errors("claiming a handoff"):
            outcome, holder = self.client.eval(
                _CLAIM, 1, self._key(handoff_id), agent, "1" if take_over else "0"
            )
            if outcome == 0:
                return None
            previous = holder.decode() or None
            if outcome == 1:
                self._push(handoff_id, "history", claim_entry(previous, agent, by, at).model_dump_json())
        view = self.get(handoff_id)
        if view is None:
            return None
        view = self.with_desk([view])[0]
        return Claim(view, ok=outcome != 2, holder=view.assignee)

    def change_status(self, handoff_id: str, status: Status, by: str, at: datetime) -> HandoffView | None:
        before = self.get(handoff_id)
        if before is None:
            return None
        self.set_status(handoff_id, status, at)
        with _redis_errors("recording a status change"):
            self._push(handoff_id, "history", status_entry(before.status, status, by, at).model_dump_json())
            open_key = self._open_key(before.record.bot_user_key)
            if status == "done":
                if self.client.get(open_key) == handoff_id.encode():
                    self.client.delete(open_key)
            else:
                self.client.set(open_key, handoff_id, ex=self._ttl(), nx=True)
        view = self.get(handoff_id)
        return self.with_desk([view])[0] if view else None

    def set_memo(self, handoff_id: str, text: str, by: str, at: datetime) -> HandoffView | None:
        key = self._key(handoff_id)
        with _redis_errors("saving a memo"):
            if not self.client.exists(key):
                return None
            self.client.hset(key, "memo", Memo(text=text, by=by, at=at).model_dump_json())
            self._push(handoff_id, "history", HistoryEntry(at=at, by=by, action="memo").model_dump_json())
        view = self.get(handoff_id)
        return self.with_desk([view])[0] if view else None

    def with_desk(self, views: Sequence[HandoffView]) -> list[HandoffView]:
        if not views:
            return []
        with _redis_errors("reading the desk side of handoffs"):
            pipe = self.client.pipeline()
            for view in views:
                key = self._key(view.record.id)
                pipe.hmget(key, "assignee", "memo")
                pipe.lrange(f"{key}:history", 0, -1)
                pipe.lrange(f"{key}:more", 0, -1)
            found = pipe.execute()
        filled = []
        for index, view in enumerate(views):
            (assignee, memo), history, more = found[3 * index : 3 * index + 3]
            filled.append(
                view.model_copy(
                    update={
                        "assignee": assignee.decode() if assignee else None,
                        "memo": Memo.model_validate_json(memo) if memo else None,
                        "history": tuple(HistoryEntry.model_validate_json(h) for h in history),
                        "followups": tuple(TranscriptEntry.model_validate_json(m) for m in more),
                    }
                )
            )
        return filled

    def page(
        self,
        *,
        statuses: Collection[Status],
        category: str | None = None,
        assignee: str | None = None,
        before: str | None = None,
        limit: int = 50,
    ) -> Page:
        chosen: list[HandoffView] = []
        top = f"({before}" if before else "+inf"
        with _redis_errors("paging handoffs"):
            while len(chosen) <= limit:
                batch = [i.decode() for i in self.client.zrevrangebyscore(self._index, top, "-inf", 0, 100)]
                if not batch:
                    break
                pipe = self.client.pipeline()
                for handoff_id in batch:
                    pipe.hmget(self._key(handoff_id), "status", "category", "assignee")
                rows = pipe.execute()
                wanted = [
                    handoff_id
                    for handoff_id, (status, cat, holder) in zip(batch, rows, strict=True)
                    if status is not None
                    and status.decode() in statuses
                    and (assignee is None or (holder or b"").decode() == assignee)
                    and (category is None or cat is None or cat.decode() == category)
                ]
                pipe = self.client.pipeline()
                for handoff_id in wanted:
                    pipe.hgetall(self._key(handoff_id))
                for fields in pipe.execute():
                    view = _view(fields) if fields else None
                    if view is not None and (category is None or view.record.category == category):
                        chosen.append(view)
                last = self.client.zscore(self._index, batch[-1])
                top = f"({last:.6f}" if last is not None else "-inf"
                if len(batch) < 100:
                    break
        shown = self.with_desk(self._whole(chosen[:limit]))
        return Page(shown, cursor_of(shown[-1]) if len(chosen) > limit else None)

    def counts(self, *, category: str | None = None, assignee: str | None = None) -> Counter[str]:
        rows: list[tuple[str, str, str | None]] = []
        with _redis_errors("counting handoffs"):
            ids = [i.decode() for i in self.client.zrevrange(self._index, 0, -1)]
            for start in range(0, len(ids), 500):
                batch = ids[start : start + 500]
                pipe = self.client.pipeline()
                for handoff_id in batch:
                    pipe.hmget(self._key(handoff_id), "status", "category", "assignee")
                for handoff_id, (status, cat, holder) in zip(batch, pipe.execute(), strict=True):
                    if status is None:
                        continue
                    if cat is None:  # saved before categories were kept beside the record
                        view = self.get(handoff_id)
                        cat = view.record.category.encode() if view else b""
                    rows.append((status.decode(), cat.decode(), holder.decode() if holder else None))
        return count_views(rows, category=category, assignee=assignee)


def pack_record(record: HandoffRecord) -> bytes:
    """Compressed JSON without the fields that hold their default (`tapped: false`, `cut: 0`, …)."""
    return zlib.compress(record.model_dump_json(exclude_defaults=True).encode(), RECORD_COMPRESSION)


def unpack_record(raw: bytes) -> HandoffRecord:
    """A stored record: compressed, or plain JSON as earlier versions saved it."""
    text = raw if raw[:1] == b"{" else zlib.decompress(raw)
    return HandoffRecord.model_validate_json(text)


def _view(fields: dict[bytes, bytes]) -> HandoffView:
    record = unpack_record(fields[b"record"])
    text = {k.decode(): v.decode() for k, v in fields.items() if k != b"record"}
    delivery = {
        k.removeprefix("delivery:"): DeliveryState.model_validate(json.loads(v))
        for k, v in text.items()
        if k.startswith("delivery:")
    }
    return HandoffView(
        record=record,
        status=text.get("status", "open"),  # type: ignore[arg-type]
        status_at=datetime.fromisoformat(text["status_at"]) if text.get("status_at") else None,
        delivery=delivery,
    )


def _last_at(record: HandoffRecord) -> str:
    return max((e.at for e in record.transcript), default=record.created_at).isoformat()
