"""The handoff side of a turn: keep the transcript, make and save the record, schedule delivery.

Called by `Conversations` inside the per-user lock, before the reply is sent. Never raises: a store
that is down sends the record to the local spool, so a handoff is never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.engine.reply import HandoffRequest, Reply
from app.handoff.delivery import Dispatcher
from app.handoff.hours import BusinessHours, when_korean
from app.handoff.record import FactLine, HandoffRecord, TranscriptEntry, new_handoff_id, seoul_now
from app.handoff.repository import HandoffRepository
from app.handoff.spool import Spool
from app.kakao.request import SkillRequest
from app.metrics import record_handoff, record_store_error
from app.privacy import mask_key

log = logging.getLogger(__name__)

INTERNAL_ERROR_CATEGORY = "챗봇 오류 ▶ 상담 연결"


class HandoffService:
    def __init__(
        self,
        repo: HandoffRepository,
        dispatcher: Dispatcher,
        spool: Spool,
        hours: BusinessHours,
        clock: Callable[[], datetime] = seoul_now,
    ) -> None:
        self.repo, self.dispatcher, self.spool, self.hours, self.clock = repo, dispatcher, spool, hours, clock

    def agents(self, now: datetime) -> dict[str, Any]:
        """What templates may say about agents now (`agents` in the engine's template context)."""
        return {
            "available": self.hours.is_open(now),
            "back": when_korean(self.hours.next_opening(now), now),
            "hours": self.hours.describe(),
        }

    def note_turn(self, request: SkillRequest, reply: Reply, now: datetime) -> None:
        """Add this turn to the customer's transcript (kept for every session, bounded, expiring)."""
        try:
            self.repo.append_transcript(request.user_key, customer_and_bot(request, reply, now))
        except Exception as exc:
            log.warning(
                "transcript not recorded for user=%s: %s", mask_key(request.user_key), type(exc).__name__
            )

    def open(self, request: SkillRequest, handoff: HandoffRequest, now: datetime) -> HandoffRecord:
        """Make, save and deliver the record (a `cs-bot replay` customer's is made but not filed)."""
        try:
            transcript = tuple(self.repo.transcript(request.user_key))
        except Exception:
            transcript = ()
        record = self._record(
            request,
            now,
            flow=handoff.flow,
            node=handoff.node,
            path=handoff.path,
            category=handoff.category,
            reason=handoff.reason,
            facts=tuple(FactLine(key=f.key, label=f.label, value=f.value) for f in handoff.facts),
            agent_notes=handoff.agent_notes,
            transcript=transcript,
        )
        if not request.is_replay:
            self.keep(record)
        return record

    def failure(self, request: SkillRequest, now: datetime) -> HandoffRecord:
        """Something inside failed: what the customer just said still reaches an agent."""
        record = self._record(
            request,
            now,
            node="-",
            category=INTERNAL_ERROR_CATEGORY,
            reason="internal_error",
            transcript=(customer_line(request, now),),
        )
        if not request.is_replay:
            self.keep(record)
        return record

    def _record(self, request: SkillRequest, now: datetime, **fields: Any) -> HandoffRecord:
        """A new record: who and when are the same for every kind of handoff."""
        return HandoffRecord(
            id=new_handoff_id(now),
            created_at=now,
            bot_user_key=request.user_key,
            plusfriend_user_key=request.plusfriend_user_key,
            outside_hours=not self.hours.is_open(now),
            **fields,
        )

    def keep(self, record: HandoffRecord) -> None:
        """Save and schedule delivery; on any failure the record goes to the local spool instead."""
        record_handoff(record.reason)
        try:
            self.repo.save(record)
            self.dispatcher.submit(record.id)
        except Exception as exc:
            log.error("handoff %s not saved (%s); spooling it", record.id, type(exc).__name__)
            record_store_error("handoff")
            self.spool.add(record)
        else:
            log.info("handoff %s saved: category=%s reason=%s", record.id, record.category, record.reason)

    def queue_depth(self) -> dict[str, int]:
        """Records kept in the local spool and deliveries waiting (when the queue answers), for /metrics."""
        depth = {"spooled": len(self.spool.pending())}
        try:
            depth.update(self.dispatcher.depth())
        except Exception as exc:  # Redis down: the spool count is what matters then
            log.warning("delivery queue depth not available: %s", type(exc).__name__)
        return depth

    def drain_spool(self) -> int:
        try:
            return self.spool.drain(self.repo, self.dispatcher)
        except Exception:
            log.exception("draining the handoff spool failed")
            return 0


def customer_and_bot(request: SkillRequest, reply: Reply, now: datetime) -> list[TranscriptEntry]:
    return [customer_line(request, now), TranscriptEntry(at=now, who="bot", text=reply.as_text())]


def customer_line(request: SkillRequest, now: datetime) -> TranscriptEntry:
    """What the customer typed or tapped this turn, as a transcript line."""
    trigger = request.trigger_type or ""
    tapped = bool(request.client_extra) or trigger.startswith(("QUICKREPLY", "CARD", "LIST"))
    return TranscriptEntry(at=now, who="customer", text=request.utterance or "(빈 메시지)", tapped=tapped)
