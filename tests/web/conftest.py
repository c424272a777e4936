"""Flask-tutorial style fixtures: `app`/`client` on the in-memory store, `redis_app` on real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.engine.reply import HandoffRequest
from tests.chat import FIXTURES, fixture, response_text
from tests.chat import kakao_payload as payload
from tests.conftest import REDIS_URL

__all__ = ["FIXTURES", "fixture", "payload", "post", "quick_labels", "texts"]


def post(client: FlaskClient, body: Any, **kwargs: Any) -> Any:
    response = client.post("/skill", json=body, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


texts = response_text


def quick_labels(body: dict[str, Any]) -> list[str]:
    return [q["label"] for q in body["template"].get("quickReplies", [])]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"log_level": "DEBUG", "handoff_spool_dir": tmp_path / "spool"})
    yield app
    app.extensions["cs_bot"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@contextmanager
def app_on(store: str, request: pytest.FixtureRequest, **settings: Any) -> Iterator[Flask]:
    """An app on the in-memory store, or on the real Redis under the test's own prefix and RQ queue
    (`rq:…:<queue>`, cleaned up after)."""
    if store == "redis":
        prefix = request.getfixturevalue("redis_prefix")
        settings |= {"redis_url": REDIS_URL, "redis_prefix": prefix, "handoff_queue": f"{prefix}handoffs"}
    app = create_app(settings)
    try:
        yield app
    finally:
        app.extensions["cs_bot"].close()
        if store == "redis":
            clean_queue(settings["handoff_queue"])


@pytest.fixture
def redis_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with app_on("redis", request, handoff_spool_dir=tmp_path / "spool") as app:
        yield app


def clean_queue(name: str) -> None:
    """Delete an RQ queue with its registries, jobs and results (tests use a unique queue name each)."""
    import redis
    from rq import Queue

    connection = redis.Redis.from_url(REDIS_URL)
    queue = Queue(name, connection=connection)
    registries = (
        queue.started_job_registry,
        queue.finished_job_registry,
        queue.failed_job_registry,
        queue.scheduled_job_registry,
        queue.deferred_job_registry,
        queue.canceled_job_registry,
    )
    job_ids = set(queue.get_job_ids()).union(*(r.get_job_ids() for r in registries))
    for job_id in job_ids:
        connection.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    queue.delete(delete_jobs=True)
    leftovers = list(connection.scan_iter(match=f"rq:*{name}*"))
    if leftovers:
        connection.delete(*leftovers)
    connection.close()


@pytest.fixture
def handoffs(app: Flask) -> list[HandoffRequest]:
    """Every handoff the app requests, in order (the engine's request, before any delivery)."""
    captured: list[HandoffRequest] = []
    app.extensions["cs_bot"].conversations.on_handoff = lambda handoff, _request: captured.append(handoff)
    return captured
