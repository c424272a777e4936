"""Flask-tutorial style fixtures: `app`/`client` on the in-memory store, `redis_app` on real Redis."""

from __future__ import annotations

from collections.abc import Iterator
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
def app() -> Flask:
    return create_app({"log_level": "DEBUG"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def redis_app(redis_prefix: str) -> Iterator[Flask]:
    app = create_app({"redis_url": REDIS_URL, "redis_prefix": redis_prefix})
    yield app
    app.extensions["cs_bot"].store.close()


@pytest.fixture
def handoffs(app: Flask) -> list[HandoffRequest]:
    """Every handoff the app requests, in order (the engine's request, before any delivery)."""
    captured: list[HandoffRequest] = []
    app.extensions["cs_bot"].conversations.on_handoff = lambda handoff, _request: captured.append(handoff)
    return captured
