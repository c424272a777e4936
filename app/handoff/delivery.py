"""Delivering a handoff to each desk, outside the request path, with retries and backoff.

One attempt (`attempt`) is the same wherever it runs: load the record, skip if that desk already has
it, mark the attempt (전송 중), send, record the outcome on the handoff. Delivery is at-least-once: a
process that dies between a desk's 2xx and recording it sends again on the retry (app/handoff/
recovery.py picks such jobs up within seconds); the handoff id in `Idempotency-Key` lets desks dedupe.
Two dispatchers schedule attempts with the same policy:
`ThreadDispatcher` (in-process, when there is no Redis) and `RQDispatcher` (app/handoff/jobs.py).
The default schedule retries within a minute first, then ever more slowly for about 15 hours.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from app.handoff.desks import DeliveryError, Desk
from app.handoff.record import DeliveryState, seoul_now
from app.handoff.repository import HandoffRepository
from app.metrics import record_delivery

log = logging.getLogger(__name__)

# seconds to wait before retry 1, 2, …: 10 s, 30 s, 1 min, 5 min, 15 min, 30 min, 1 h, 1 h, 2 h, 2 h, 4 h, 4 h
DEFAULT_RETRY_SCHEDULE: tuple[int, ...] = (10, 30, 60, 300, 900, 1800, 3600, 3600, 7200, 7200, 14400, 14400)


class Dispatcher(Protocol):
    def submit(self, handoff_id: str) -> None:
        """Schedule delivery of a saved handoff to every desk (returns at once)."""

    def enqueue_on(self, handoff_id: str) -> Callable[[Any], None] | None:
        """Commands that schedule the delivery of a record being saved, for the repository's save
        pipeline (`keep_request(also=…)`); None when this dispatcher cannot (then `submit` after)."""

    def close(self) -> None: ...

    def depth(self) -> dict[str, int]:
        """Deliveries waiting, by state (`queued`: due now, `scheduled`: a retry later) — for metrics."""


def attempt(
    repo: HandoffRepository,
    desk: Desk,
    handoff_id: str,
    number: int,
    final: bool,
    clock: Callable[[], datetime] = seoul_now,
) -> bool:
    """Try once; True when the desk has the handoff (now or before), False when it should be retried."""
    view = repo.get(handoff_id)
    if view is None:
        log.warning("handoff %s is gone (expired?); nothing to deliver to %s", handoff_id, desk.name)
        record_delivery("gone")
        return True
    if view.delivery.get(desk.name, DeliveryState()).state == "delivered":
        return True
    # Marked before sending: if this process dies before the outcome is recorded, the handoff shows
    # 전송 중 and the retry sends it again (at-least-once; desks dedupe on Idempotency-Key).
    repo.set_delivery(
        handoff_id, desk.name, DeliveryState(state="sending", attempts=number, updated_at=clock())
    )
    try:
        desk.send(view)
    except DeliveryError as exc:
        state = "failed" if final else "retrying"
        repo.set_delivery(
            handoff_id,
            desk.name,
            DeliveryState(state=state, attempts=number, last_error=str(exc), updated_at=clock()),
        )
        log.warning("handoff %s → %s failed (attempt %d, %s): %s", handoff_id, desk.name, number, state, exc)
        record_delivery(state)
        return False
    repo.set_delivery(
        handoff_id, desk.name, DeliveryState(state="delivered", attempts=number, updated_at=clock())
    )
    log.info("handoff %s → %s delivered (attempt %d)", handoff_id, desk.name, number)
    record_delivery("delivered")
    return True


def mark_pending(
    repo: HandoffRepository, handoff_id: str, desks: Sequence[Desk], clock: Callable[[], datetime]
) -> None:
    for desk in desks:
        current = repo.get(handoff_id)
        if current is None or desk.name not in current.delivery:
            repo.set_delivery(handoff_id, desk.name, DeliveryState(state="pending", updated_at=clock()))


class ThreadDispatcher:
    """Deliveries on a background thread of this process (no Redis): same attempts, same schedule.

    Pending retries live in memory, like the records themselves in this mode (one process, local use).
    """

    def __init__(
        self,
        repo: HandoffRepository,
        desks: Sequence[Desk],
        schedule: Sequence[float] = DEFAULT_RETRY_SCHEDULE,
        clock: Callable[[], datetime] = seoul_now,
    ) -> None:
        self.repo, self.desks, self.schedule, self.clock = repo, list(desks), list(schedule), clock
        self._queue: list[
            tuple[float, int, str, int, int]
        ] = []  # (due, seq, handoff id, desk index, attempt)
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._busy = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="handoff-delivery", daemon=True)
        self._thread.start()

    def enqueue_on(self, handoff_id: str) -> Callable[[Any], None] | None:
        return None  # deliveries live in this process's memory

    def submit(self, handoff_id: str) -> None:
        mark_pending(self.repo, handoff_id, self.desks, self.clock)
        with self._cv:
            for index in range(len(self.desks)):
                heapq.heappush(self._queue, (time.monotonic(), next(self._seq), handoff_id, index, 1))
            self._cv.notify()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once nothing is due or running (tests; retries scheduled later do not count)."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._busy or (self._queue and self._queue[0][0] <= time.monotonic()):
                if not self._cv.wait(timeout=max(0.0, deadline - time.monotonic())):
                    return False
            return True

    def depth(self) -> dict[str, int]:
        now = time.monotonic()
        with self._cv:
            due = sum(1 for item in self._queue if item[0] <= now)
            return {"queued": due + self._busy, "scheduled": len(self._queue) - due}

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._closed and (not self._queue or self._queue[0][0] > time.monotonic()):
                    delay = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cv.wait(timeout=delay)
                if self._closed:
                    return
                _, _, handoff_id, index, number = heapq.heappop(self._queue)
                self._busy += 1
            final = number > len(self.schedule)
            try:
                done = attempt(self.repo, self.desks[index], handoff_id, number, final, self.clock)
            except Exception:  # the store failing must not kill the thread; try again later
                log.exception("delivery attempt of %s crashed", handoff_id)
                done = final
            with self._cv:
                self._busy -= 1
                if not done and not final:
                    due = time.monotonic() + self.schedule[number - 1]
                    heapq.heappush(self._queue, (due, next(self._seq), handoff_id, index, number + 1))
                self._cv.notify_all()
