"""Delivery on RQ (with Redis): one job per handoff and desk, retried on RQ's scheduler with backoff.

The web process enqueues (`RQDispatcher.submit`); a worker process (`cs-bot worker`, the Procfile's
`worker:` line) runs `deliver`, which reads its settings — desks, Redis prefix — from the environment.
A job id per handoff and desk makes enqueueing twice harmless; `attempt` skips a desk that has it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import redis
from rq import Queue, Retry, get_current_job

from app.handoff.delivery import DEFAULT_RETRY_SCHEDULE, attempt, mark_pending
from app.handoff.desks import DeliveryError, Desk
from app.handoff.record import DeliveryState, seoul_now
from app.handoff.repository import HandoffRepository

log = logging.getLogger(__name__)
QUEUE = "csbot-handoffs"


class RQDispatcher:
    def __init__(
        self,
        connection: redis.Redis,
        repo: HandoffRepository,
        desks: Sequence[Desk],
        schedule: Sequence[int] = DEFAULT_RETRY_SCHEDULE,
        clock: Callable[[], datetime] = seoul_now,
        queue_name: str = QUEUE,
        same_server_as_repo: bool = False,
    ) -> None:
        self.queue = Queue(queue_name, connection=connection)
        self.repo, self.desks, self.schedule, self.clock = repo, list(desks), list(schedule), clock
        self.same_server_as_repo = same_server_as_repo  # the jobs can ride in the record's transaction

    def submit(self, handoff_id: str) -> None:
        mark_pending(self.repo, handoff_id, self.desks, self.clock)
        if self.desks:
            self.queue.enqueue_many(self._jobs(handoff_id))  # one pipeline for every desk's job

    def enqueue_on(self, handoff_id: str) -> Callable[[Any], None] | None:
        """With the queue on the records' Redis: the pending marks and the jobs, queued on the pipeline
        that saves the new record (saved and scheduled in one transaction, no round trip of their own)."""
        delivery_in = getattr(self.repo, "delivery_in", None)
        if not (self.same_server_as_repo and self.desks and delivery_in is not None):
            return None

        def add(pipe: Any) -> None:
            pending = DeliveryState(state="pending", updated_at=self.clock())
            for desk in self.desks:
                delivery_in(pipe, handoff_id, desk.name, pending)
            self.queue.enqueue_many(self._jobs(handoff_id), pipeline=pipe)

        return add

    def _jobs(self, handoff_id: str) -> list[Any]:
        retry = Retry(max=len(self.schedule), interval=self.schedule) if self.schedule else None
        return [
            Queue.prepare_data(
                deliver,
                (handoff_id, desk.name),
                job_id=f"{handoff_id}-{desk.name}",
                retry=retry,
                result_ttl=24 * 3600,
                failure_ttl=30 * 24 * 3600,
                timeout=60,
            )
            for desk in self.desks
        ]

    def depth(self) -> dict[str, int]:
        return {"queued": self.queue.count, "scheduled": self.queue.scheduled_job_registry.count}

    def close(self) -> None:
        pass


def deliver(handoff_id: str, desk_name: str) -> None:
    """The RQ job: one attempt; raising makes RQ retry it on the schedule given at enqueue time."""
    context = worker_context()
    desk = context["desks"].get(desk_name)
    if desk is None:
        log.error("handoff %s: desk %r is no longer configured; not delivered there", handoff_id, desk_name)
        return
    job = get_current_job()
    retries_left = job.retries_left if job is not None and job.retries_left is not None else 0
    planned = len(job.retry_intervals or []) if job is not None else 0
    number = planned - retries_left + 1
    if not attempt(context["repo"], desk, handoff_id, number, final=retries_left == 0):
        raise DeliveryError(f"{desk_name} did not take handoff {handoff_id} (attempt {number})")


@functools.cache
def worker_context() -> dict[str, Any]:
    """Repository and desks built once per worker process from the environment."""
    from app.config import load_settings
    from app.handoff.setup import build_desks, build_repository

    settings = load_settings()
    return {"repo": build_repository(settings), "desks": {d.name: d for d in build_desks(settings)}}
