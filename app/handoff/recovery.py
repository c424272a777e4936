"""A delivery worker that notices within seconds when another worker died in the middle of a delivery.

RQ treats a job as abandoned only when its worker's heartbeat is older than the job-monitoring interval
plus 60 s (≈ 90 s by default), and checks for that every 10 minutes. Delivery workers here beat every
`HEARTBEAT_SECONDS`, check every `CHECK_SECONDS`, and retry a job whose worker has been silent for
`SILENCE_SECONDS` — on RQ's own retry path, so the attempt count and the retry schedule still hold.

What that means for desks: a worker killed after the desk accepted a handoff but before the outcome
was recorded (the handoff shows 전송 중) sends it again. Delivery is at-least-once; the handoff id is in
`Idempotency-Key` so that a desk keeps one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import redis
from rq import Queue, Worker
from rq.registry import StartedJobRegistry

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5  # RQ's job-monitoring interval: how often a busy worker says it is alive
CHECK_SECONDS = 5
SILENCE_SECONDS = 12  # no heartbeat for this long: the worker is gone
_RQ_GRACE = 60  # RQ adds this to the monitoring interval for a heartbeat's time to live


def recover_abandoned(connection: redis.Redis, queue_name: str, silence: float = SILENCE_SECONDS) -> int:
    """Retry (or fail, when out of retries) the started jobs whose worker has been silent for `silence`."""
    lock = f"rq:csbot-recovery:{queue_name}"
    if not connection.set(lock, "1", nx=True, ex=max(1, CHECK_SECONDS - 1)):
        return 0  # another worker is checking right now
    registry = StartedJobRegistry(queue_name, connection=connection)
    cutoff = time.time() + HEARTBEAT_SECONDS + _RQ_GRACE - silence
    stale = registry.get_expired_job_ids(cutoff)
    if stale:
        log.warning(
            "%d delivery job(s) of a stopped worker picked up again: %s", len(stale), ", ".join(stale)
        )
        registry.cleanup(timestamp=cutoff)
    return len(stale)


class DeliveryWorker(Worker):
    def clean_registries(self) -> None:
        for queue in self.queues:
            recover_abandoned(self.connection, queue.name)
        super().clean_registries()


def delivery_worker(queues: Sequence[Queue], connection: redis.Redis) -> DeliveryWorker:
    return DeliveryWorker(
        list(queues),
        connection=connection,
        job_monitoring_interval=HEARTBEAT_SECONDS,
        maintenance_interval=CHECK_SECONDS,
        worker_ttl=CHECK_SECONDS + 15,  # the idle wait for new jobs is worker_ttl - 15: check that often
    )
