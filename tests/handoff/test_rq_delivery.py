"""Delivery on RQ with the real Redis and a real RQ worker in burst mode."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest
import redis
import responses
from rq import Queue, SimpleWorker

from app.handoff import jobs
from app.handoff.desks import SIGNATURE_HEADER, SlackDesk, WebhookDesk, verify_signature
from app.handoff.jobs import RQDispatcher
from app.handoff.redis_repository import RedisHandoffRepository
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
