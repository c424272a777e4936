"""From a Kakao payload to an agent: the record saved before the reply, delivered to the desks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import redis
import responses
from flask import Flask
from rq import Queue, SimpleWorker

from app import create_app
from app.handoff import jobs
from app.handoff.desks import SIGNATURE_HEADER, verify_signature
from app.handoff.record import SEOUL
from app.handoff.spool import Spool
from tests.chat import Chat
from tests.conftest import REDIS_URL
from tests.web.conftest import clean_queue

DESK = "https://desk.example.com/cs/handoffs"
SLACK = "https://hooks.slack.example.com/services/T0/B0/X"
ALWAYS_OPEN = "mon-sun 00:00-24:00"


@pytest.fixture
def desk_app(redis_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app and its RQ worker configured alike through the environment, as in production."""
    queue = f"{redis_prefix}handoffs".replace(":", "-")
    env = {
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": redis_prefix,
        "HANDOFF_QUEUE": queue,
        "HANDOFF_WEBHOOK_URL": DESK,
        "HANDOFF_WEBHOOK_SECRET": "desk-secret",
        "SLACK_WEBHOOK_URL": SLACK,
        "DELIVERY_RETRY_SCHEDULE": "0,0,0",
        "BUSINESS_HOURS": ALWAYS_OPEN,
        "PUBLIC_HOLIDAYS": "false",  # always open means on 설날 too (the test must not depend on the date)
        "PUBLIC_BASE_URL": "https://bot.example.com",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    jobs.worker_context.cache_clear()
    app = create_app()
    yield app
    app.extensions["cs_bot"].close()
    jobs.worker_context.cache_clear()
    clean_queue(queue)


def run_worker(app: Flask) -> None:
    connection = redis.Redis.from_url(REDIS_URL)
    queue = Queue(app.extensions["cs_bot"].settings.handoff_queue, connection=connection)
    SimpleWorker([queue], connection=connection).work(burst=True)
    connection.close()


@responses.activate
def test_skill_payload_to_a_delivered_webhook_body(desk_app: Flask) -> None:
    responses.post(DESK, status=503)  # the desk is down for a moment …
    responses.post(DESK, status=200)  # … and recovers
    responses.post(SLACK, body="ok")
    chat = Chat(desk_app.test_client(), "7" * 66)
    chat.say("안녕하세요").tap("그 밖의 문의").say("?").say("영수증을 다시 받고 싶어요")
    assert "상담직원에게 전달" in chat.text
    repo = desk_app.extensions["cs_bot"].handoffs.repo
    (view,) = repo.list()  # saved before the reply
    record = view.record
    assert record.category == "일반 문의" and record.reason == "other_inquiry"
    assert [(f.label, f.value) for f in record.facts] == [("문의 내용", "영수증을 다시 받고 싶어요")]
    assert record.bot_user_key == "7" * 66
    assert record.plusfriend_user_key  # from the payload's properties
    said = [(e.who, e.text) for e in record.transcript]
    assert said[0] == ("customer", "안녕하세요") and said[2] == ("customer", "그 밖의 문의")
    assert ("customer", "?") in said and ("customer", "영수증을 다시 받고 싶어요") in said
    assert any(who == "bot" and "짧아요" in text for who, text in said)
    assert record.transcript[2].tapped and not record.transcript[0].tapped
    assert all(e.at.utcoffset() == SEOUL.utcoffset(datetime(2026, 1, 1)) for e in record.transcript)

    run_worker(desk_app)
    delivered = [c.request for c in responses.calls if c.request.url == DESK]
    assert len(delivered) == 2
    body = delivered[-1].body
    assert verify_signature("desk-secret", body, delivered[-1].headers[SIGNATURE_HEADER])
    assert delivered[-1].headers["Idempotency-Key"] == record.id
    sent = json.loads(body)
    assert sent["id"] == record.id and sent["category"] == "일반 문의"
    assert sent["facts"] == [{"key": "inquiry", "label": "문의 내용", "value": "영수증을 다시 받고 싶어요"}]
    assert next(line["text"] for line in sent["transcript"]) == "안녕하세요"
    assert sent["inbox_url"] == f"https://bot.example.com/agent/handoffs/{record.id}"
    slack = json.loads(next(c.request for c in responses.calls if c.request.url == SLACK).body)["text"]
    assert "[상담 요청] 일반 문의" in slack and "영수증을 다시 받고 싶어요" in slack
    final = repo.get(record.id)
    assert final is not None
    assert (final.delivery["webhook"].state, final.delivery["webhook"].attempts) == ("delivered", 2)
    assert final.delivery["slack"].state == "delivered"


def test_outside_business_hours_the_customer_is_told_when_agents_answer(
    redis_prefix: str, tmp_path: Path
) -> None:
    today = datetime.now(SEOUL).date().isoformat()
    app = create_app({"redis_url": REDIS_URL, "redis_prefix": redis_prefix, "holidays": today})
    chat = Chat(app.test_client(), "8" * 66).say("안녕").say("상담직원 연결")
    assert "지금은 상담 시간(평일 09:00~18:00)이 아니에요" in chat.text
    assert "남겨 주신 내용은 그대로 보관되고" in chat.text
    assert [b["action"] for b in chat.buttons()] == ["operator"]
    (view,) = app.extensions["cs_bot"].handoffs.repo.list()
    assert view.record.outside_hours
    app.extensions["cs_bot"].close()


def test_within_business_hours_nothing_about_hours_is_said(redis_prefix: str) -> None:
    app = create_app(
        {
            "redis_url": REDIS_URL,
            "redis_prefix": redis_prefix,
            "business_hours": ALWAYS_OPEN,
            "public_holidays": False,  # open on public holidays too, whatever today is
        }
    )
    chat = Chat(app.test_client(), "9" * 66).say("안녕").say("상담직원 연결")
    assert "상담 시간" not in chat.text
    (view,) = app.extensions["cs_bot"].handoffs.repo.list()
    assert not view.record.outside_hours and view.record.reason == "customer_request"
    app.extensions["cs_bot"].close()


def test_redis_down_keeps_what_the_customer_said_and_delivers_it_later(
    redis_prefix: str, tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    down = create_app({"redis_url": "redis://127.0.0.1:1/0", "handoff_spool_dir": spool_dir})
    chat = Chat(down.test_client(), "6" * 66).say("주차비가 두 번 결제됐어요 확인해 주세요")
    assert "죄송합니다" in chat.text and [b["action"] for b in chat.buttons()] == ["operator"]
    (kept,) = Spool(spool_dir).pending()
    assert kept.reason == "internal_error"
    assert [e.text for e in kept.transcript] == ["주차비가 두 번 결제됐어요 확인해 주세요"]
    down.extensions["cs_bot"].close()

    up = create_app({"redis_url": REDIS_URL, "redis_prefix": redis_prefix, "handoff_spool_dir": spool_dir})
    runtime = up.extensions["cs_bot"]
    runtime.handoffs.drain_spool()  # what the background drainer does every 30 s
    view = runtime.handoffs.repo.get(kept.id)
    assert view is not None and view.record.transcript[0].text == "주차비가 두 번 결제됐어요 확인해 주세요"
    assert Spool(spool_dir).pending() == []
    runtime.close()


def test_every_turn_is_kept_in_the_transcript_bounded(redis_prefix: str) -> None:
    app = create_app({"redis_url": REDIS_URL, "redis_prefix": redis_prefix, "transcript_max_entries": 10})
    chat = Chat(app.test_client(), "5" * 66)
    for i in range(8):
        chat.say(f"안녕 {i}")
    lines = app.extensions["cs_bot"].handoffs.repo.transcript("5" * 66)
    assert len(lines) == 10
    assert [e.text for e in lines if e.who == "customer"] == [f"안녕 {i}" for i in range(3, 8)]
    app.extensions["cs_bot"].close()
