"""Handoffs in Redis, shared by every web worker, delivery worker and the agent inbox.

Keys (all under the app's prefix):
- `handoff:{id}` — a hash: `record` (zlib-compressed JSON, never rewritten; its transcript is most
  of it and compresses ~5×), `status`, `status_at`, `delivery:{desk}`; expires after the retention
  period. Records saved as plain JSON by earlier versions are still read.
- `handoffs` — a sorted set of ids by creation time (newest first listing); pruned as records expire.
- `{user}:transcript` — a list of JSON lines, trimmed to the last N and expiring after the TTL; the
  session store appends to it in the same script that saves the turn (app/session/redis_store.py).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

import redis
from redis.exceptions import RedisError

from app.handoff.record import DeliveryState, HandoffRecord, HandoffView, Status, TranscriptEntry, seoul_now
from app.handoff.repository import (
    DEFAULT_RETENTION,
    DEFAULT_TRANSCRIPT_ENTRIES,
    DEFAULT_TRANSCRIPT_TTL,
    matches,
)
from app.session import StoreUnavailable
from app.session.keys import customer_key

_SET_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return -1
"""
RECORD_COMPRESSION = 6  # zlib level: most of the gain of 9 at a fraction of the CPU


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
        key, ttl = self._key(record.id), int(self.retention.total_seconds())
        cutoff = (self._clock() - self.retention).timestamp()
        with _redis_errors("saving a handoff"):
            pipe = self.client.pipeline()
            pipe.hset(key, "record", pack_record(record))
            pipe.hsetnx(key, "status", "open")
            pipe.expire(key, ttl)
            pipe.zadd(self._index, {record.id: record.created_at.timestamp()})
            pipe.zremrangebyscore(self._index, "-inf", cutoff)
            pipe.execute()

    def get(self, handoff_id: str) -> HandoffView | None:
        with _redis_errors("reading a handoff"):
            fields = self.client.hgetall(self._key(handoff_id))
        return _view(fields) if fields else None

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
                            return views
        return views

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


def pack_record(record: HandoffRecord) -> bytes:
    return zlib.compress(record.model_dump_json().encode(), RECORD_COMPRESSION)


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
