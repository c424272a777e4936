"""One skill call end to end, without HTTP: lock(user) → load → advance → save → unlock → render.

The store is the source of truth on every request (several gunicorn workers share it); nothing about
a conversation is kept in process memory between requests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from app.engine.advance import advance
from app.engine.catalog import Catalog
from app.engine.reply import Event, HandoffRequest, Outcome
from app.engine.session import Session
from app.kakao.render import render_reply
from app.kakao.request import SkillRequest
from app.privacy import mask_key
from app.session import SessionStore

log = logging.getLogger(__name__)

HandoffSink = Callable[[HandoffRequest, SkillRequest], None]
SLOW_TURN_SECONDS = 2.0  # Kakao gives 5 s; a turn this slow is worth a warning


def log_handoff(handoff: HandoffRequest, request: SkillRequest) -> None:
    """Default sink until agent desks are configured: the request is visible in the logs (masked)."""
    log.warning(
        "handoff requested user=%s category=%s reason=%s node=%s facts=%d",
        mask_key(request.user_key),
        handoff.category,
        handoff.reason,
        handoff.node,
        len(handoff.facts),
    )


class Conversations:
    def __init__(self, catalog: Catalog, store: SessionStore, on_handoff: HandoffSink = log_handoff) -> None:
        self.catalog = catalog
        self.store = store
        self.on_handoff = on_handoff

    def handle(self, request: SkillRequest) -> dict[str, Any]:
        """The Kakao response for this turn. Store failures propagate (the web layer apologises)."""
        started = time.monotonic()
        outcome = self.turn(request)
        if outcome.handoff is not None:
            self.on_handoff(outcome.handoff, request)
        body = render_reply(outcome.reply)
        elapsed = time.monotonic() - started
        if elapsed > SLOW_TURN_SECONDS:
            log.warning("slow turn: %.2fs user=%s", elapsed, mask_key(request.user_key))
        return body

    def turn(self, request: SkillRequest) -> Outcome:
        event = Event(request.utterance, dict(request.client_extra))
        if not request.user_key:  # nothing to key a conversation on: answer, but keep no state
            log.info("skill request without a user key; answering statelessly")
            return advance(self.catalog, None, event)
        with self.store.open(request.user_key) as handle:
            outcome = advance(self.catalog, Session.from_state(handle.state), event)
            handle.save(outcome.session.to_state())
        if outcome.restarted:
            log.info("conversation restarted for user=%s", mask_key(request.user_key))
        return outcome
