"""Prometheus /metrics through the Flask test client: counters move as customers talk, the token is
honoured, every answer carries a request id, and logs can be JSON with that id and no user keys."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.handoff.delivery import attempt
from app.handoff.desks import DeliveryError
from app.handoff.repository import MemoryHandoffRepository
from app.logs import configure_logging
from tests.chat import Chat
from tests.handoff.conftest import make_record


def scrape(client: FlaskClient, **headers: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


class Moves:
    """Sample /metrics before and after: `moves("csbot_answers_total", kind="normal")` is the change."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.before = scrape(client)

    def __call__(self, name: str, **labels: str) -> float:
        return value(scrape(self.client), name, **labels) - value(self.before, name, **labels)


def test_metrics_are_open_by_default_and_list_every_family(client: FlaskClient) -> None:
    samples = scrape(client)
    names = {name for name, _ in samples}
    for family in (
        "csbot_answers_total",
        "csbot_out_of_scope_total",
        "csbot_clarifying_questions_total",
        "csbot_deliveries_total",
        "csbot_handoff_queue_depth",
    ):
        assert family in names, family
    assert value(samples, "csbot_handoff_queue_depth", state="spooled") == 0


def test_counters_move_as_a_customer_walks_a_guide(client: FlaskClient) -> None:
    moves = Moves(client)
    chat = Chat(client, "a1" * 33)
    chat.say("안녕하세요")
    chat.say("기기 인증이 안돼요").tap("카셰어링").tap("네, 모두 맞아요").tap("SKT").tap("아이폰")
    assert "네, 해결됐어요" in chat.labels
    chat.tap("네, 해결됐어요")
    assert moves("csbot_answers_total", kind="normal") == 7
    assert moves("csbot_flow_starts_total", flow="carsharing_auth") == 1
    assert moves("csbot_resolutions_total", flow="carsharing_auth") == 1
    assert moves("csbot_handoffs_total", reason="customer_request") == 0
    latency = "csbot_http_request_duration_seconds_count"
    assert moves(latency, route="/skill", method="POST", status="200") == 7


def test_handoffs_and_apologies_are_counted(app: Flask, client: FlaskClient) -> None:
    moves = Moves(client)
    Chat(client, "a2" * 33).say("안녕").say("상담직원 연결")
    assert moves("csbot_handoffs_total", reason="customer_request") == 1

    def broken(*_args: object) -> None:
        raise RuntimeError("engine bug")

    app.extensions["cs_bot"].conversations.turn = broken
    Chat(client, "a3" * 33).say("안녕")
    assert moves("csbot_answers_total", kind="apology") == 1
    assert moves("csbot_handoffs_total", reason="internal_error") == 1


def test_store_errors_are_counted(tmp_path: Path) -> None:
    down = create_app({"redis_url": "redis://127.0.0.1:1/0", "handoff_spool_dir": tmp_path / "spool"})
    client = down.test_client()
    moves = Moves(client)
    Chat(client, "a4" * 33).say("안녕")
    assert moves("csbot_store_errors_total", store="session") == 1
    assert moves("csbot_answers_total", kind="apology") == 1
    assert moves("csbot_handoff_queue_depth", state="spooled") == 1  # the failed turn's handoff waits
    down.extensions["cs_bot"].close()


class FlakyDesk:
    def __init__(self, failures: int, name: str = "flaky") -> None:
        self.failures, self.name = failures, name

    def send(self, _view: object) -> None:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("503")


def test_delivery_outcomes_are_counted(client: FlaskClient) -> None:
    moves = Moves(client)
    repo = MemoryHandoffRepository()
    record = make_record()
    repo.save(record)
    desk = FlakyDesk(failures=1)
    assert not attempt(repo, desk, record.id, 1, final=False)  # type: ignore[arg-type]
    assert attempt(repo, desk, record.id, 2, final=False)  # type: ignore[arg-type]
    assert not attempt(repo, FlakyDesk(1, "down"), record.id, 3, final=True)  # type: ignore[arg-type]
    assert attempt(repo, desk, "no-such-handoff", 1, final=False)  # type: ignore[arg-type]
    assert moves("csbot_deliveries_total", outcome="retrying") == 1
    assert moves("csbot_deliveries_total", outcome="delivered") == 1
    assert moves("csbot_deliveries_total", outcome="failed") == 1
    assert moves("csbot_deliveries_total", outcome="gone") == 1


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[FlaskClient]:
    app = create_app({"metrics_token": "scrape-me", "handoff_spool_dir": tmp_path / "spool"})
    yield app.test_client()
    app.extensions["cs_bot"].close()


def test_metrics_token_is_required_when_set(guarded: FlaskClient) -> None:
    assert guarded.get("/metrics").status_code == 401
    assert guarded.get("/metrics").headers["WWW-Authenticate"].startswith("Bearer")
    assert guarded.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/metrics", headers={"Authorization": "Basic scrape-me"}).status_code == 401
    assert "csbot_answers_total" in scrape(guarded, Authorization="Bearer scrape-me").__repr__()


def test_every_answer_carries_a_request_id(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert first and second and first != second
    given = client.get("/healthz", headers={"X-Request-Id": "lb-1234"}).headers["X-Request-Id"]
    assert given == "lb-1234"
    odd = client.get("/healthz", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"]
    assert odd != "<script>" and len(odd) == 16  # not trusted: a fresh id instead


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Our handler on a clean root logger, as in gunicorn, writing to a buffer."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = []
    stream = io.StringIO()
    configure_logging("INFO", "json")
    root.handlers[0].stream = stream  # type: ignore[attr-defined]
    yield stream
    root.handlers = saved_handlers
    root.setLevel(saved_level)


def test_json_logs_have_the_request_id_and_no_user_keys(
    app: Flask, client: FlaskClient, json_log: io.StringIO
) -> None:
    user = "f9e3f897fd8702fd1d30c0ff3944115d20c8a8eaee3a3a28e632ef07de1915d44e"

    def broken(*_args: object) -> None:
        raise RuntimeError(f"failed for {user} at 010-1234-5678")

    app.extensions["cs_bot"].conversations.turn = broken
    response = Chat(client, user).client.post(
        "/skill",
        json={"userRequest": {"utterance": "안녕", "user": {"id": user}}},
        headers={"X-Request-Id": "req-42"},
    )
    assert response.status_code == 200
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    failed = [line for line in lines if line["message"].startswith("skill turn failed")]
    assert failed and failed[0]["request_id"] == "req-42" and failed[0]["level"] == "ERROR"
    assert {"time", "logger", "exc_info"} <= set(failed[0])
    assert user not in json_log.getvalue() and "010-1234-5678" not in json_log.getvalue()
    assert "RuntimeError" in failed[0]["exc_info"]


def test_text_logs_are_still_available() -> None:
    from app.logs import formatter

    record = logging.LogRecord("app", logging.INFO, __file__, 1, "hello %s", ("there",), None)
    record.request_id = "abc"
    assert formatter("text").format(record).endswith("INFO app [abc]: hello there")
    assert json.loads(formatter("json").format(record))["message"] == "hello there"
    assert isinstance(formatter("auto", io.StringIO()), type(formatter("json")))  # not a terminal: JSON


def test_replay_customers_are_not_counted_as_customers(app: Flask, client: FlaskClient) -> None:
    moves = Moves(client)
    chat = Chat(client, "replay-test-001")
    chat.say("기기 인증이 안돼요").tap("카셰어링")
    chat.say("상담직원 연결")
    assert moves("csbot_answers_total", kind="normal") == 3  # they were answered
    assert moves("csbot_flow_starts_total", flow="carsharing_auth") == 0
    assert moves("csbot_handoffs_total", reason="customer_request") == 0
    assert app.extensions["cs_bot"].handoffs.repo.list() == []
