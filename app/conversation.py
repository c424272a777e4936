"""One skill call end to end, without HTTP: lock+load → advance → save+transcript+unlock → render.

The store is the source of truth on every request (several gunicorn workers share it); nothing about
a conversation is kept in process memory between requests. On Redis an ordinary turn is two round
trips: the lock and the read travel together, and the state, this turn's transcript lines, its
conversation events and the unlock together. A handoff turn adds one read (the customer's transcript,
open handoff and latest record); the record and its delivery jobs ride in the same write, inside the
customer's lock, before the reply goes back to Kakao.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from app.engine.advance import advance, may_hand_off
from app.engine.catalog import Catalog
from app.engine.reply import Event, HandoffRequest, Outcome
from app.engine.session import Session
from app.handoff.hours import moment_korean
from app.handoff.record import TranscriptEntry, seoul_now
from app.handoff.service import HandoffService, customer_and_bot_json
from app.insight.recorder import EventRecorder  # insight (issue 12)
from app.kakao.render import apology_response, render_reply, slow_down_response
from app.kakao.request import SkillRequest
from app.metrics import observe_turn, record_answer, record_store_error
from app.privacy import mask_key
from app.session import RateLimited, SessionStore, StoreUnavailable

log = logging.getLogger(__name__)

HandoffObserver = Callable[[HandoffRequest, SkillRequest], None]
SLOW_TURN_SECONDS = 2.0  # Kakao gives 5 s; a turn this slow is worth a warning


class Conversations:
    def __init__(
        self,
        catalog: Catalog,
        store: SessionStore,
        handoffs: HandoffService,
        clock: Callable[[], datetime] = seoul_now,
        insight: EventRecorder | None = None,  # insight (issue 12): conversation events
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.handoffs = handoffs
        self.clock = clock
        self.insight = insight or EventRecorder.disabled(catalog)  # insight (issue 12)
        self.on_handoff: HandoffObserver | None = None  # called after a handoff was recorded (tests, metrics)
        self._moment: tuple[datetime, dict[str, Any]] | None = None  # per minute: hours change on minutes

    def handle(self, request: SkillRequest) -> dict[str, Any]:
        """The Kakao response for this turn — an apology with 상담직원 연결 if anything inside fails,
        in which case what the customer said is still handed to an agent."""
        started, now = time.monotonic(), self.clock()
        try:
            outcome = self.turn(request, now)
            body = render_reply(outcome.reply)
        except RateLimited:
            log.warning("rate limit reached by user=%s", mask_key(request.user_key))
            record_answer("rate_limited")
            return slow_down_response()
        except StoreUnavailable as exc:
            log.error("session store unavailable for user=%s: %s", mask_key(request.user_key), exc)
            record_store_error("session")
            return self.failed(request, now)
        except Exception:
            log.exception("skill turn failed for user=%s", mask_key(request.user_key))
            return self.failed(request, now)
        elapsed = time.monotonic() - started
        if elapsed > SLOW_TURN_SECONDS:
            log.warning("slow turn: %.2fs user=%s", elapsed, mask_key(request.user_key))
        record_answer("normal")
        return body

    def turn(self, request: SkillRequest, now: datetime) -> Outcome:
        event = Event(request.utterance, dict(request.client_extra), self.moment(now))
        if not request.user_key:  # nothing to key a conversation on: answer, but keep no state
            log.info("skill request without a user key; answering statelessly")
            # agent desk (issue 11): a handoff without a user key cannot be recorded; say so honestly
            return self.handoffs.stateless(self.catalog, advance(self.catalog, None, event))
        # What a handoff reads is read with the lock when this turn may hand off (asked for an agent
        # now, or the customer waits where one answer can): the handoff turn needs no read of its own.
        reads = self.handoffs.prefetch_reads(request.user_key)
        read_now = bool(reads) and may_hand_off(self.catalog, event)
        with self.store.open(request.user_key, reads, read_now) as handle:
            outcome = advance(self.catalog, Session.from_state(handle.state), event)
            if reads:
                # also after a handoff: what the customer adds then joins it (a handoff turn too)
                after_handoff = outcome.session.handoff_at is not None
                handle.prefetch_next(outcome.session.node in self.catalog.near_handoff or after_handoff)
            observe_turn(self.catalog, handle.state, outcome, request.is_replay)
            events = self.insight.events(request, handle.state, outcome, now)  # insight (issue 12): pure
            state_json = outcome.session.model_dump_json()  # the state's JSON, made once
            handle.save_json(state_json)
            # agent desk (issue 11): a later failed turn still passes on the facts collected so far
            self.handoffs.remember(request.user_key, self.catalog, state_json)
            lines: list[str] = []
            if self.store.keeps_transcripts:  # written with the state, in the same round trip
                lines = customer_and_bot_json(request, outcome.reply, now)
                handle.add_transcript(lines)
            else:
                self.handoffs.note_turn(request, outcome.reply, now)
            if outcome.handoff is not None:  # inside the lock: one open handoff per customer
                pending = [TranscriptEntry.model_validate_json(line) for line in lines]
                defer = partial(handle.also_command, required=True) if self.store.shares_pipeline else None
                prefetched = handle.prefetched
                self.handoffs.open(request, outcome.handoff, now, pending, defer, prefetched)
                if self.on_handoff is not None:
                    self.on_handoff(outcome.handoff, request)
            if events and self.store.shares_pipeline and self.insight.pipelines:
                for command in self.insight.commands(events):  # run with the state's write
                    handle.also_command(*command)
            else:
                self.insight.record(events)  # insight (issue 12): one pipelined round trip
        if outcome.restarted:
            log.info("conversation restarted for user=%s", mask_key(request.user_key))
        return outcome

    def moment(self, now: datetime) -> dict[str, Any]:
        """What the engine may know about the moment: whether agents answer now (for templates), the
        time a handoff is made (repeated when the customer asks about it), today (to resolve 어제).
        All of it changes by the minute, so it is made once a minute (the engine only reads it)."""
        minute = now.replace(second=0, microsecond=0)
        cached = self._moment
        if cached is None or cached[0] != minute:
            moment = {
                "agents": self.handoffs.agents(minute),
                "now_label": moment_korean(minute),
                "today": minute.date().isoformat(),
            }
            self._moment = cached = (minute, moment)
        return cached[1]

    def failed(self, request: SkillRequest, now: datetime) -> dict[str, Any]:
        try:
            self.handoffs.failure(request, now)
            self.insight.failed(request, now)  # insight (issue 12)
        except Exception:  # the last resort must not fail the answer
            log.exception("could not record the failed turn for user=%s", mask_key(request.user_key))
        record_answer("apology")
        return apology_response()
