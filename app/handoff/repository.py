"""Where handoffs and transcripts are kept: one protocol, a memory and a Redis implementation.

A record's content never changes after it is saved; its status (대기/처리중/완료) and the delivery
state of each desk are kept beside it, so that agents and delivery workers never overwrite each
other. Records expire after the retention period; transcripts are bounded and expire too.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from app.handoff.record import DeliveryState, HandoffRecord, HandoffView, Status, TranscriptEntry, seoul_now

DEFAULT_RETENTION = timedelta(days=30)
DEFAULT_TRANSCRIPT_TTL = timedelta(hours=24)
DEFAULT_TRANSCRIPT_ENTRIES = 100  # 50 turns: customer + bot


class HandoffRepository(Protocol):
    def save(self, record: HandoffRecord) -> None:
        """Idempotent: saving the same id again keeps its status and delivery state."""

    def get(self, handoff_id: str) -> HandoffView | None: ...

    def list(
        self, *, status: Status | None = None, category: str | None = None, limit: int = 200
    ) -> list[HandoffView]:
        """Newest first."""

    def set_status(self, handoff_id: str, status: Status, at: datetime) -> HandoffView | None: ...

    def set_delivery(self, handoff_id: str, desk: str, state: DeliveryState) -> None: ...

    def append_transcript(self, user_key: str, entries: Sequence[TranscriptEntry]) -> None: ...

    def transcript(self, user_key: str) -> list[TranscriptEntry]: ...

    def ping(self) -> bool: ...


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
        self._lock = threading.Lock()
        self._views: dict[str, HandoffView] = {}
        self._transcripts: dict[str, tuple[datetime, deque[TranscriptEntry]]] = {}

    def save(self, record: HandoffRecord) -> None:
        with self._lock:
            current = self._views.get(record.id)
            self._views[record.id] = current or HandoffView(record=record)
            cutoff = self._clock() - self.retention
            for expired in [i for i, v in self._views.items() if v.record.created_at < cutoff]:
                del self._views[expired]

    def get(self, handoff_id: str) -> HandoffView | None:
        with self._lock:
            return self._views.get(handoff_id)

    def list(
        self, *, status: Status | None = None, category: str | None = None, limit: int = 200
    ) -> list[HandoffView]:
        with self._lock:
            views = sorted(self._views.values(), key=lambda v: v.record.created_at, reverse=True)
        return [v for v in views if matches(v, status, category)][:limit]

    def set_status(self, handoff_id: str, status: Status, at: datetime) -> HandoffView | None:
        with self._lock:
            view = self._views.get(handoff_id)
            if view is None:
                return None
            self._views[handoff_id] = view = view.model_copy(update={"status": status, "status_at": at})
            return view

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

    def _live_transcript(self, user_key: str) -> deque[TranscriptEntry] | None:
        written, lines = self._transcripts.get(user_key, (None, None))
        if written is None or self._clock() - written >= self.transcript_ttl:
            self._transcripts.pop(user_key, None)
            return None
        return lines

    def ping(self) -> bool:
        return True
