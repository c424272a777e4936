"""Delivery on RQ with the real Redis and a real RQ worker in burst mode."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import responses
from rq import Queue, SimpleWorker

from app.handoff import jobs
from app.handoff.desks import SIGNATURE_HEADER, SlackDesk, WebhookDesk, verify_signature
from app.handoff.hours import BusinessHours
from app.handoff.jobs import RQDispatcher
from app.handoff.redis_repository import RedisHandoffRepository
from app.handoff.service import HandoffService
from app.handoff.spool import Spool
from tests.conftest import REDIS_URL, new_redis_client
from tests.handoff.conftest import make_record
from tests.web.conftest import clean_queue

URL = "https://desk.example.com/handoffs"
SLACK = "https://hooks.slack.example.com/services/T0/B0/X"


@pytest.fixture
def setup(redis_prefix: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RedisHandoffRepository, str]]:
    """The worker builds its desks and repository from the environment, like `cs-bot worker` does."""
    queue = f"{redis_prefix}handoffs".replace(":", "-")
    for name, value in {
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": redis_prefix,
        "HANDOFF_WEBHOOK_URL": URL,
        "HANDOFF_WEBHOOK_SECRET": "desk-secret",
        "SLACK_WEBHOOK_URL": SLACK,
    }.items():
        monkeypatch.setenv(name, value)
    jobs.worker_context.cache_clear()
    client = new_redis_client()
    yield RedisHandoffRepository(client, prefix=redis_prefix), queue
    jobs.worker_context.cache_clear()
    client.close()
    clean_queue(queue)


def run_worker(queue: str) -> None:
    connection = redis.Redis.from_url(REDIS_URL)
    SimpleWorker([Queue(queue, connection=connection)], connection=connection).work(burst=True)
    connection.close()


def dispatcher(repo: RedisHandoffRepository, queue: str, schedule: tuple[int, ...]) -> RQDispatcher:
    desks = [WebhookDesk(URL, "desk-secret"), SlackDesk(SLACK)]
    return RQDispatcher(redis.Redis.from_url(REDIS_URL), repo, desks, schedule, queue_name=queue)


@responses.activate
def test_rq_worker_retries_until_the_desk_recovers(setup: tuple[RedisHandoffRepository, str]) -> None:
    repo, queue = setup
    responses.post(URL, status=502)
    responses.post(URL, status=503)
    responses.post(URL, status=200)
    responses.post(SLACK, body="ok")
    record = make_record()
    repo.save(record)
    dispatcher(repo, queue, (0, 0, 0)).submit(record.id)  # retries without waiting, so one burst runs them
    pending = repo.get(record.id)
    assert pending is not None and {d.state for d in pending.delivery.values()} == {"pending"}
    run_worker(queue)
    view = repo.get(record.id)
    assert view is not None
    assert (view.delivery["webhook"].state, view.delivery["webhook"].attempts) == ("delivered", 3)
    assert (view.delivery["slack"].state, view.delivery["slack"].attempts) == ("delivered", 1)
    last = [c for c in responses.calls if c.request.url == URL][-1].request
    assert verify_signature("desk-secret", last.body, last.headers[SIGNATURE_HEADER])
    assert json.loads(last.body)["id"] == record.id


@responses.activate
def test_rq_worker_gives_up_after_the_schedule_and_records_failure(
    setup: tuple[RedisHandoffRepository, str],
) -> None:
    repo, queue = setup
    responses.post(URL, status=500)
    responses.post(SLACK, body="ok")
    record = make_record()
    repo.save(record)
    dispatcher(repo, queue, (0, 0)).submit(record.id)
    run_worker(queue)
    view = repo.get(record.id)
    assert view is not None
    assert (view.delivery["webhook"].state, view.delivery["webhook"].attempts) == ("failed", 3)
    assert view.delivery["webhook"].last_error == "HTTP 500"
    assert len([c for c in responses.calls if c.request.url == URL]) == 3


@responses.activate
def test_submitting_twice_delivers_once(setup: tuple[RedisHandoffRepository, str]) -> None:
    repo, queue = setup
    responses.post(URL, status=200)
    responses.post(SLACK, body="ok")
    record = make_record()
    repo.save(record)
    rq = dispatcher(repo, queue, (0,))
    rq.submit(record.id)
    run_worker(queue)
    rq.submit(record.id)  # e.g. drained again from the spool
    run_worker(queue)
    assert len([c for c in responses.calls if c.request.url == URL]) == 1


def test_default_schedule_retries_within_a_minute_then_for_hours() -> None:
    from app.handoff.delivery import DEFAULT_RETRY_SCHEDULE

    assert sum(DEFAULT_RETRY_SCHEDULE[:3]) <= 120
    assert all(a <= b for a, b in itertools.pairwise(DEFAULT_RETRY_SCHEDULE))
    assert sum(DEFAULT_RETRY_SCHEDULE) >= 6 * 3600


class CountingRedis(redis.Redis):
    """Counts what reaches the server: single commands and whole pipelines (one round trip each)."""

    sent: list[str]

    def execute_command(self, *args, **options):  # type: ignore[no-untyped-def]
        self.sent.append(str(args[0]))
        return super().execute_command(*args, **options)

    def pipeline(self, transaction=True, shard_hint=None):  # type: ignore[no-untyped-def]
        pipe = super().pipeline(transaction=transaction, shard_hint=shard_hint)
        execute, sent = pipe.execute, self.sent

        def counted(raise_on_error: bool = True):  # type: ignore[no-untyped-def]
            sent.append("pipeline:" + ",".join(str(c[0][0]) for c in pipe.command_stack))
            return execute(raise_on_error=raise_on_error)

        pipe.execute = counted  # type: ignore[method-assign]
        return pipe


@responses.activate
def test_a_new_handoff_and_its_delivery_jobs_are_one_transaction(
    setup: tuple[RedisHandoffRepository, str], redis_prefix: str, tmp_path: Path
) -> None:
    """With the queue on the records' Redis, saving a handoff and scheduling its deliveries is one
    round trip (after one read of what the customer said), and the worker still delivers it."""
    _, queue = setup
    responses.post(URL, status=200)
    responses.post(SLACK, body="ok")
    client = CountingRedis.from_url(REDIS_URL)
    client.sent = []
    repo = RedisHandoffRepository(client, prefix=redis_prefix)
    desks = [WebhookDesk(URL, "desk-secret"), SlackDesk(SLACK)]
    rq = RQDispatcher(client, repo, desks, (0,), queue_name=queue, same_server_as_repo=True)
    service = HandoffService(repo, rq, Spool(tmp_path), BusinessHours.parse("mon-sun 00:00-23:59"))
    record = make_record()
    service.keep(make_record(bot_user_key="warm" * 10))  # RQ reads the server version once per client
    client.sent.clear()

    service.keep(record, repo.prior(record.bot_user_key))

    assert len(client.sent) == 2  # the read of what keeping needs, then one transaction
    saved = client.sent[1]
    assert saved.startswith("pipeline:") and "ZADD" in saved and "RPUSH" in saved  # record and job
    pending = repo.get(record.id)
    assert pending is not None and {d.state for d in pending.delivery.values()} == {"pending"}
    run_worker(queue)
    view = repo.get(record.id)
    assert view is not None and {d.state for d in view.delivery.values()} == {"delivered"}
    assert (
        json.loads([c for c in responses.calls if c.request.url == URL][-1].request.body)["id"] == record.id
    )
    client.close()


@responses.activate
def test_with_the_queue_on_another_server_the_record_is_saved_then_submitted(
    setup: tuple[RedisHandoffRepository, str], tmp_path: Path
) -> None:
    repo, queue = setup
    responses.post(URL, status=200)
    responses.post(SLACK, body="ok")
    rq = dispatcher(repo, queue, (0,))  # same_server_as_repo defaults to False: no shared pipeline
    service = HandoffService(repo, rq, Spool(tmp_path), BusinessHours.parse("mon-sun 00:00-23:59"))
    record = make_record()
    service.keep(record)
    pending = repo.get(record.id)
    assert pending is not None and {d.state for d in pending.delivery.values()} == {"pending"}
    run_worker(queue)
    view = repo.get(record.id)
    assert view is not None and {d.state for d in view.delivery.values()} == {"delivered"}
