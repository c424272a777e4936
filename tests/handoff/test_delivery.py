"""Delivery outside the request path: a desk that fails for a while still gets every handoff."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
import responses

from app.handoff.delivery import ThreadDispatcher, attempt
from app.handoff.desks import SlackDesk, WebhookDesk
from app.handoff.record import DeliveryState
from app.handoff.repository import MemoryHandoffRepository
from tests.handoff.conftest import make_record

URL = "https://desk.example.com/handoffs"
SLACK = "https://hooks.slack.example.com/services/T0/B0/X"
FAST = (0.01, 0.01, 0.01)  # three quick retries instead of minutes and hours


@pytest.fixture
def memory_repo() -> MemoryHandoffRepository:
    return MemoryHandoffRepository()


@pytest.fixture
def dispatch(memory_repo: MemoryHandoffRepository) -> Iterator[ThreadDispatcher]:
    dispatcher = ThreadDispatcher(memory_repo, [WebhookDesk(URL, "s"), SlackDesk(SLACK)], FAST)
    yield dispatcher
    dispatcher.close()


def wait_until_settled(dispatcher: ThreadDispatcher, repo: MemoryHandoffRepository, handoff_id: str) -> None:
    import time

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        view = repo.get(handoff_id)
        assert view is not None
        if all(d.state in ("delivered", "failed") for d in view.delivery.values()) and view.delivery:
            return
        dispatcher.wait_idle(0.2)
        time.sleep(0.01)
    raise AssertionError(f"delivery did not settle: {repo.get(handoff_id)}")


@responses.activate
def test_a_desk_that_fails_then_recovers_gets_the_handoff(
    memory_repo: MemoryHandoffRepository, dispatch: ThreadDispatcher
) -> None:
    responses.post(URL, status=503)
    responses.post(URL, body=requests.Timeout())
    responses.post(URL, status=200)
    responses.post(SLACK, body="ok")
    record = make_record()
    memory_repo.save(record)
    dispatch.submit(record.id)
    wait_until_settled(dispatch, memory_repo, record.id)
    view = memory_repo.get(record.id)
    assert view is not None
    assert view.delivery["webhook"].state == "delivered" and view.delivery["webhook"].attempts == 3
    assert view.delivery["slack"].state == "delivered" and view.delivery["slack"].attempts == 1
    delivered = [c for c in responses.calls if c.request.url == URL]
    assert len(delivered) == 3
    assert {json.loads(c.request.body)["id"] for c in delivered} == {record.id}


@responses.activate
def test_a_desk_that_never_recovers_is_marked_failed_after_the_schedule(
    memory_repo: MemoryHandoffRepository, dispatch: ThreadDispatcher
) -> None:
    responses.post(URL, status=500)
    responses.post(SLACK, body="ok")
    record = make_record()
    memory_repo.save(record)
    dispatch.submit(record.id)
    wait_until_settled(dispatch, memory_repo, record.id)
    view = memory_repo.get(record.id)
    assert view is not None
    webhook = view.delivery["webhook"]
    assert (
        webhook.state == "failed" and webhook.attempts == 1 + len(FAST) and webhook.last_error == "HTTP 500"
    )
    assert len([c for c in responses.calls if c.request.url == URL]) == 1 + len(FAST)


@responses.activate
def test_an_already_delivered_desk_is_not_sent_again(memory_repo: MemoryHandoffRepository) -> None:
    record = make_record()
    memory_repo.save(record)
    memory_repo.set_delivery(record.id, "webhook", DeliveryState(state="delivered", attempts=1))
    assert attempt(memory_repo, WebhookDesk(URL), record.id, 2, final=False)
    assert len(responses.calls) == 0


def test_an_expired_handoff_has_nothing_to_deliver(memory_repo: MemoryHandoffRepository) -> None:
    assert attempt(memory_repo, WebhookDesk(URL), "H-gone", 1, final=False)


@responses.activate
def test_pending_state_is_recorded_at_submit(memory_repo: MemoryHandoffRepository) -> None:
    responses.post(URL, status=503)
    dispatcher = ThreadDispatcher(memory_repo, [WebhookDesk(URL)], (3600,))  # the retry is an hour away
    record = make_record()
    memory_repo.save(record)
    dispatcher.submit(record.id)
    dispatcher.wait_idle(2)
    view = memory_repo.get(record.id)
    assert view is not None and view.delivery["webhook"].state == "retrying"
    assert view.delivery["webhook"].last_error == "HTTP 503"
    dispatcher.close()
