"""The web layer's side of conversation events: pseudonymise, derive (pure), record (one round trip)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError

from app.config import Settings
from app.engine.catalog import Catalog
from app.engine.reply import Outcome
from app.insight.events import Event, failure_events, pseudonym, turn_events
from app.insight.log import EventLog, MemoryEventLog, RedisEventLog
from app.kakao.request import SkillRequest

log = logging.getLogger(__name__)


class EventRecorder:
    def __init__(self, catalog: Catalog, events: EventLog, salt: bytes, enabled: bool = True) -> None:
        self.catalog = catalog
        self.log = events
        self.salt = salt
        self.enabled = enabled

    @classmethod
    def disabled(cls, catalog: Catalog) -> EventRecorder:
        """Records nothing (a `Conversations` built without events, e.g. in a unit test)."""
        return cls(catalog, MemoryEventLog(limit=1), b"", enabled=False)

    def events(
        self, request: SkillRequest, state_before: Mapping[str, Any] | None, outcome: Outcome, now: datetime
    ) -> list[Event]:
        """This turn's events (pure; never raises — a statistic must not fail a customer's turn)."""
        if not (self.enabled and request.user_key):
            return []
        try:
            customer = pseudonym(self.salt, request.user_key)
            at = now.timestamp()
            return turn_events(self.catalog, request, state_before, outcome, customer=customer, at=at)
        except Exception:
            log.exception("conversation events not derived")
            return []

    def record(self, events: Sequence[Event]) -> None:
        self.log.record(events)

    @property
    def pipelines(self) -> bool:
        """The events can ride in the session store's write pipeline (the same Redis server)."""
        return self.enabled and isinstance(self.log, RedisEventLog)

    def commands(self, events: Sequence[Event]) -> list[tuple[str, ...]]:
        """The events as Redis commands, to run with the session's write (see `pipelines`)."""
        assert isinstance(self.log, RedisEventLog)
        return self.log.commands(events)

    def failed(self, request: SkillRequest, now: datetime) -> None:
        """A turn that failed inside ended with a handoff (internal_error)."""
        if self.enabled and request.user_key and not request.is_replay:
            self.record(failure_events(pseudonym(self.salt, request.user_key), now.timestamp()))


def build_recorder(settings: Settings, catalog: Catalog) -> EventRecorder:
    """Redis stream with REDIS_URL (salt shared by every worker), else a memory ring."""
    return EventRecorder(catalog, build_event_log(settings), _salt(settings))


def build_event_log(settings: Settings) -> EventLog:
    days = settings.events_retention_days
    if settings.redis_url:
        from app.handoff.setup import redis_client

        return RedisEventLog(redis_client(settings), prefix=settings.redis_prefix, retention_days=days)
    return MemoryEventLog(retention_days=days)


def _salt(settings: Settings) -> bytes:
    """EVENTS_SALT; else one random salt kept in Redis (the same for every worker and restart), else
    a random one for this process."""
    if settings.events_salt is not None:
        return settings.events_salt.get_secret_value().encode()
    if settings.redis_url:
        from app.handoff.setup import redis_client

        key = f"{settings.redis_prefix}events:salt"
        try:
            client = redis_client(settings)
            client.set(key, secrets.token_hex(32), nx=True)
            stored = client.get(key)
            if stored:
                return bytes(stored)
        except RedisError as exc:
            log.warning("events salt not read from Redis (%s); using a process salt", type(exc).__name__)
    return secrets.token_bytes(32)
