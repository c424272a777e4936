"""Flask-tutorial style fixtures: `app`/`client` on the in-memory store, `redis_app` on real Redis."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from tests.conftest import REDIS_URL

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def payload(utterance: str, user: str = "u" * 66, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A realistic Open Builder payload (from the official example) with the given turn."""
    body = copy.deepcopy(fixture("official_example"))
    body["userRequest"]["utterance"] = utterance
    body["userRequest"]["user"]["id"] = user
    body["userRequest"]["user"]["properties"]["botUserKey"] = user
    body["action"]["clientExtra"] = extra
    return body


def post(client: FlaskClient, body: Any, **kwargs: Any) -> Any:
    response = client.post("/skill", json=body, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def texts(body: dict[str, Any]) -> str:
    """Everything the customer reads in a response, as one string."""
    parts: list[str] = []
    for output in body["template"]["outputs"]:
        ((_, component),) = output.items()
        parts += [str(component.get(k, "")) for k in ("text", "title", "description")]
    return "\n".join(p for p in parts if p)


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
