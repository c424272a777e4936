"""Where conversation events are kept: one small protocol, a Redis stream or a memory ring.

Redis: one stream `{prefix}events`; each turn's events go in one pipeline (one round trip), every
XADD trims entries older than the retention (`MINID ~`, EVENTS_RETENTION_DAYS), so the stream never
grows past it. Without Redis: a ring of the newest events in this process (lost on restart; enough
for a laptop and the tests). Recording never raises: losing a statistic must not fail a customer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

import redis
from redis.exceptions import RedisError

from app.insight.events import Event

log = logging.getLogger(__name__)

DAY = 86400
MEMORY_EVENTS = 200_000
READ_BATCH = 1000


class EventLog(Protocol):
    def record(self, events: Sequence[Event]) -> None:
        """Keep the events of one turn; never raises."""
        ...

    def read(self, start: float | None = None, end: float | None = None) -> Iterator[Event]:
        """Events with `start <= at < end` (Unix seconds; None: open) in the order they were recorded
        (several workers' clocks may differ a little; the report orders each customer's by time)."""
        ...


class MemoryEventLog:
    def __init__(
        self,
        retention_days: int = 30,
        limit: int = MEMORY_EVENTS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.retention = retention_days * DAY
        self.clock = clock
        self._events: deque[Event] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def record(self, events: Sequence[Event]) -> None:
        with self._lock:
            self._events.extend(events)
            oldest = self.clock() - self.retention
            while self._events and self._events[0].at < oldest:
                self._events.popleft()

    def read(self, start: float | None = None, end: float | None = None) -> Iterator[Event]:
        with self._lock:
            events = list(self._events)
        return iter([e for e in events if _within(e.at, start, end)])


class RedisEventLog:
    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "csbot:",
        retention_days: int = 30,
        clock: Callable[[], float] = time.time,
        exact_trim: bool = False,
    ) -> None:
        self.client = client
        self.key = f"{prefix}events"
        self.retention = retention_days * DAY
        self.clock = clock
        self.approximate = not exact_trim  # `~`: Redis trims whole blocks, cheaply (tests: exactly)

    def record(self, events: Sequence[Event]) -> None:
        if not events:
            return
        try:
            pipe = self.client.pipeline(transaction=False)  # one round trip for the turn's events
            for command in self.commands(events):
                pipe.execute_command(*command)
            pipe.execute()
        except RedisError as exc:
            log.warning("conversation events not recorded: %s", type(exc).__name__)

    def commands(self, events: Sequence[Event]) -> list[tuple[str, ...]]:
        """The XADDs of these events as plain commands (the session store runs them with the state's
        write: no round trip of their own). Each trims entries older than the retention."""
        trim = ("MINID", "~", f"{int((self.clock() - self.retention) * 1000)}-0")
        if not self.approximate:
            trim = ("MINID", trim[2])
        return [
            ("XADD", self.key, *trim, "*", *(w for pair in event.to_fields().items() for w in pair))
            for event in events
        ]

    def read(self, start: float | None = None, end: float | None = None) -> Iterator[Event]:
        """Stream ids are the server's clock; a margin of a day around the range lets `at` (the web
        worker's clock) decide."""
        low = "-" if start is None else str(max(int((start - DAY) * 1000), 0))
        high = "+" if end is None else str(int((end + DAY) * 1000))
        while True:
            batch = self.client.xrange(self.key, low, high, count=READ_BATCH)
            for _id, fields in batch:
                event = Event.from_fields({k.decode(): v.decode() for k, v in fields.items()})
                if _within(event.at, start, end):
                    yield event
            if len(batch) < READ_BATCH:
                return
            low = "(" + batch[-1][0].decode()


def _within(at: float, start: float | None, end: float | None) -> bool:
    return (start is None or at >= start) and (end is None or at < end)
