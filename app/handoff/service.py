"""The handoff side of a turn: keep the transcript, make and save the record, schedule delivery.

Called by `Conversations` inside the per-user lock, before the reply is sent. Never raises: a store
that is down sends the record to the local spool, so a handoff is never lost.

One record per customer request: while a customer's handoff is open (대기/처리중), asking again — a
second 상담직원 연결, or a turn that fails — adds lines to it instead of making another record; during an
outage the spool keeps at most one record per customer. A failed turn still carries the facts collected
so far: this process remembers each customer's last session (bounded, short-lived) for that purpose.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from app.engine.advance import advance
from app.engine.catalog import Catalog
from app.engine.reply import Button, Card, Event, HandoffRequest, Outcome, Reply
from app.engine.session import Session
from app.handoff.delivery import Dispatcher
from app.handoff.hours import BusinessHours, when_korean
from app.handoff.labels import Labels
from app.handoff.record import (
    FactLine,
    HandoffRecord,
    TranscriptEntry,
    new_handoff_id,
    seoul_now,
    transcript_json,
)
from app.handoff.repository import DeferCommand, HandoffRepository, Prior, prior_from
from app.handoff.spool import Spool
from app.kakao.request import SkillRequest
from app.metrics import record_handoff, record_store_error
from app.privacy import mask_key
from app.session.store import Read

log = logging.getLogger(__name__)

INTERNAL_ERROR_CATEGORY = "챗봇 오류 ▶ 상담 연결"
REMEMBERED_SESSIONS = 10_000  # customers whose last session this process keeps for failure handoffs
REMEMBER_SECONDS = 1800.0
NO_USER_KEY_TITLE = "common.no_user_key_title"
NO_USER_KEY_TEXT = "common.no_user_key_text"


class HandoffService:
    def __init__(
        self,
        repo: HandoffRepository,
        dispatcher: Dispatcher,
        spool: Spool,
        hours: BusinessHours,
        clock: Callable[[], datetime] = seoul_now,
        labels: Labels | None = None,
    ) -> None:
        self.repo, self.dispatcher, self.spool, self.hours, self.clock = repo, dispatcher, spool, hours, clock
        self.labels = labels or Labels()
        # user key → (when, catalog, the session's JSON): a string, not the Session's ~10 objects, so
        # 10,000 remembered customers add nothing to what the garbage collector scans on every pass
        self._sessions: OrderedDict[str, tuple[float, Catalog, str]] = OrderedDict()
        self._sessions_lock = threading.Lock()

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

    def remember(self, user_key: str, catalog: Catalog, session_json: str) -> None:
        """This customer's session (`Session.model_dump_json()`, as saved) after a good turn: what a
        failure handoff can still pass on."""
        with self._sessions_lock:
            self._sessions[user_key] = (time.monotonic(), catalog, session_json)
            self._sessions.move_to_end(user_key)
            while len(self._sessions) > REMEMBERED_SESSIONS:
                self._sessions.popitem(last=False)

    def _remembered(self, user_key: str) -> tuple[Catalog, str] | None:
        with self._sessions_lock:
            found = self._sessions.get(user_key)
        if found is None or time.monotonic() - found[0] > REMEMBER_SECONDS:
            return None
        return found[1], found[2]

    def prefetch_reads(self, user_key: str) -> Sequence[Read]:
        """What a handoff reads (`open`), as commands the session store can run with the customer's
        lock on a turn that may hand off — saving the handoff turn its own round trip."""
        return self.repo.prior_reads(user_key)

    def stateless(self, catalog: Catalog, outcome: Outcome) -> Outcome:
        """A request without a user key: nothing can be recorded, so a handoff must not claim that it
        was passed on — say so honestly and offer the 상담직원 연결 button."""
        if outcome.handoff is None:
            return outcome
        title, text = (
            catalog.texts.render(NO_USER_KEY_TITLE, {}) if NO_USER_KEY_TITLE in catalog.texts else "",
            catalog.texts.render(NO_USER_KEY_TEXT, {}) if NO_USER_KEY_TEXT in catalog.texts else "",
        )
        card = Card(title=title, text=text, buttons=(Button(label="상담직원 연결", operator=True),))
        log.warning("handoff requested without a user key: nothing recorded, customer told so")
        return replace(outcome, reply=Reply(messages=(card,)), handoff=None)

    def open(
        self,
        request: SkillRequest,
        handoff: HandoffRequest,
        now: datetime,
        pending: Sequence[TranscriptEntry] = (),
        defer: DeferCommand | None = None,
        prefetched: Sequence[Any] | None = None,
    ) -> HandoffRecord:
        """Make, save and deliver the record (a `cs-bot replay` customer's is made but not filed).
        `pending`: this turn's lines when the store writes them only as the turn ends. `defer`: takes
        the new record's save commands, for the session store to run with the turn's write.
        `prefetched`: the replies to `prefetch_reads`, when the session store read them with the lock."""
        prior: Prior | None = None
        try:  # the live transcript, the open handoff and the latest record: read with the lock, or now
            prior = prior_from(prefetched) if prefetched is not None else self.repo.prior(request.user_key)
            transcript = (*prior.transcript, *pending)
        except Exception:
            transcript = tuple(pending)
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
            self.keep(record, prior, defer)
        return record

    def failure(self, request: SkillRequest, now: datetime) -> HandoffRecord:
        """Something inside failed: what the customer just said — and what they told the bot before,
        as far as this process knows it — still reaches an agent, once per open request."""
        line = customer_line(request, now)
        known = self._remembered(request.user_key) if request.user_key else None
        handoff = None
        if known is not None:
            try:
                catalog, session_json = known
                session = Session.model_validate_json(session_json)
                event = Event("", {"cmd": "agent", "reason": "internal_error"}, {"agents": self.agents(now)})
                handoff = advance(catalog, session, event).handoff
            except Exception:
                log.exception("could not rebuild the handoff of a failed turn")
        if handoff is None:
            fields: dict[str, Any] = {"node": "-", "category": INTERNAL_ERROR_CATEGORY}
        else:
            fields = {
                "flow": handoff.flow,
                "node": handoff.node,
                "path": handoff.path,
                "category": handoff.category,
                "facts": tuple(FactLine(key=f.key, label=f.label, value=f.value) for f in handoff.facts),
                "agent_notes": handoff.agent_notes,
            }
        record = self._record(request, now, reason="internal_error", transcript=(line,), **fields)
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
            reason_text=self.labels.reason(str(fields["reason"])),
            **fields,
        )

    def keep(
        self, record: HandoffRecord, prior: Prior | None = None, defer: DeferCommand | None = None
    ) -> str:
        """Save and schedule delivery — or add to the customer's open handoff; on any failure the
        record goes to the local spool instead. Returns the id the request is kept under. With the
        delivery queue on the same Redis, the record and its delivery jobs are one transaction."""
        record_handoff(record.reason)
        try:
            also = self.dispatcher.enqueue_on(record.id)
            kept = self.repo.keep_request(record, prior=prior, also=also, defer=defer)
            if kept.new and not kept.also_done:
                self.dispatcher.submit(record.id)
        except Exception as exc:
            log.error("handoff %s not saved (%s); spooling it", record.id, type(exc).__name__)
            record_store_error("handoff")
            return self.spool.add(record)
        if kept.new:
            how = "saved" if defer is None else "written with the turn"
            log.info("handoff %s %s: category=%s reason=%s", record.id, how, record.category, record.reason)
        else:
            log.info(
                "handoff request added to the open handoff %s (reason=%s)", kept.handoff_id, record.reason
            )
        return kept.handoff_id

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


def customer_and_bot_json(request: SkillRequest, reply: Reply, now: datetime) -> list[str]:
    """`customer_and_bot` as the JSON lines the session store appends, without building the entries."""
    return [
        transcript_json(now, "customer", _said(request), _tapped(request), request.utterance_cut),
        transcript_json(now, "bot", reply.as_text()),
    ]


def customer_line(request: SkillRequest, now: datetime) -> TranscriptEntry:
    """What the customer typed or tapped this turn, as a transcript line."""
    return TranscriptEntry(
        at=now,
        who="customer",
        text=_said(request),
        tapped=_tapped(request),
        cut=request.utterance_cut,  # the server keeps the first 1,000 characters of a longer message
    )


def _said(request: SkillRequest) -> str:
    return request.utterance or "(빈 메시지)"


def _tapped(request: SkillRequest) -> bool:
    """The customer tapped a quick reply, button or list item rather than typing."""
    trigger = request.trigger_type or ""
    return bool(request.client_extra) or trigger.startswith(("QUICKREPLY", "CARD", "LIST"))
