"""Whole conversations through POST /skill, with the session in real Redis (and in memory)."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.engine.reply import HandoffRequest
from app.kakao import check_response
from tests.chat import flow_reached
from tests.web.conftest import payload as kakao_payload
from tests.web.conftest import post, quick_labels, texts

USER = "a1" * 33  # 66 hex chars, like a real botUserKey


def payload(utterance: str, user: str = USER, extra: dict[str, object] | None = None) -> dict[str, object]:
    return kakao_payload(utterance, user, extra)


def session_state(app: Flask, client_redis: redis.Redis, user: str = USER) -> dict[str, object]:
    prefix = app.extensions["cs_bot"].settings.redis_prefix
    raw = client_redis.get(f"{prefix}{{{user}}}:session")
    assert raw is not None
    return json.loads(raw)


def tap(client: FlaskClient, body: dict[str, object], label: str, user: str = USER) -> dict[str, object]:
    """Tap the quick reply `label` of a previous response, exactly as Kakao sends it."""
    quick = {q["label"]: q for q in body["template"]["quickReplies"]}  # type: ignore[index]
    chosen = quick[label]
    return post(client, payload(chosen.get("messageText", label), user, chosen.get("extra")))


def test_conversation_state_lives_in_redis_with_a_ttl(redis_app: Flask, redis_client: redis.Redis) -> None:
    client = redis_app.test_client()
    menu = post(client, payload("안녕하세요"))
    state = session_state(redis_app, redis_client)
    assert state["node"] == "main.menu"
    prefix = redis_app.extensions["cs_bot"].settings.redis_prefix
    ttl = redis_client.ttl(f"{prefix}{{{USER}}}:session")
    assert 0 < ttl <= 1800
    asked = tap(client, menu, "그 밖의 문의")
    assert "적어 주세요" in texts(asked)
    assert session_state(redis_app, redis_client)["node"] == "main.other"


def test_tap_and_typed_label_lead_to_the_same_place(redis_app: Flask, redis_client: redis.Redis) -> None:
    client = redis_app.test_client()
    menu = post(client, payload("안녕", "b" * 66))
    tapped = tap(client, menu, "그 밖의 문의", user="b" * 66)
    post(client, payload("안녕", "c" * 66))
    typed = post(client, payload("그 밖의 문의", "c" * 66))
    assert tapped == typed
    assert session_state(redis_app, redis_client, "b" * 66)["node"] == "main.other"
    assert session_state(redis_app, redis_client, "c" * 66)["node"] == "main.other"


def test_other_inquiry_is_collected_and_handed_off(
    redis_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = redis_app.test_client()
    post(client, payload("안녕"))
    post(client, payload("그 밖의 문의"))
    too_short = post(client, payload("?"))
    assert "짧아요" in texts(too_short)
    with caplog.at_level(logging.INFO):
        handed = post(client, payload("쿠폰이 결제에 적용되지 않아요"))
    assert "상담직원에게 전달" in texts(handed)
    assert "쿠폰이 결제에 적용되지 않아요" in texts(handed)
    buttons = handed["template"]["outputs"][-1]["textCard"]["buttons"]
    assert {"label": "상담직원 연결", "action": "operator"} in buttons
    logged = [r.getMessage() for r in caplog.records if ": category=" in r.getMessage()]
    assert logged and "category=일반 문의" in logged[0]


@pytest.mark.parametrize(
    ("utterance", "flow"),
    [
        ("기기 인증이 안돼요", "carsharing_auth"),
        ("전기차 충전기가 인증 실패로 떠요", "ev_charging"),
        ("주차 안 했는데 결제됐어요", "parking_lpr"),
    ],
)
def test_free_text_reaches_each_service(
    app: Flask, client: FlaskClient, handoffs: list[HandoffRequest], utterance: str, flow: str
) -> None:
    body = post(client, payload(utterance, "d" * 66))
    assert check_response(body) == []
    assert flow_reached(app, "d" * 66, handoffs) == flow


@pytest.mark.parametrize(
    ("label", "flow"),
    [
        ("카셰어링 기기 인증", "carsharing_auth"),
        ("전기차 충전 오류", "ev_charging"),
        ("주차 결제 취소", "parking_lpr"),
    ],
)
@pytest.mark.parametrize("with_extra", [True, False])
def test_menu_choices_reach_each_service(
    app: Flask, client: FlaskClient, handoffs: list[HandoffRequest], label: str, flow: str, with_extra: bool
) -> None:
    from tests.chat import Chat

    Chat(client, "e" * 66).say("처음으로").tap(label, extra=with_extra)
    assert flow_reached(app, "e" * 66, handoffs) == flow


def test_renamed_node_in_saved_state_restarts_with_a_notice(
    redis_app: Flask, redis_client: redis.Redis
) -> None:
    client = redis_app.test_client()
    post(client, payload("안녕"))
    prefix = redis_app.extensions["cs_bot"].settings.redis_prefix
    state = session_state(redis_app, redis_client)
    state["node"] = "main.renamed_since"
    redis_client.set(f"{prefix}{{{USER}}}:session", json.dumps(state), ex=600)
    body = post(client, payload("그 밖의 문의"))
    assert "처음 화면부터 다시" in texts(body)
    assert "카셰어링 기기 인증" in quick_labels(body)
    assert session_state(redis_app, redis_client)["node"] == "main.menu"


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '{"v": 1, "retries": "many"}'])
def test_corrupt_saved_state_restarts_with_a_notice(
    redis_app: Flask, redis_client: redis.Redis, raw: str
) -> None:
    client = redis_app.test_client()
    prefix = redis_app.extensions["cs_bot"].settings.redis_prefix
    redis_client.set(f"{prefix}{{{USER}}}:session", raw, ex=600)
    body = post(client, payload("안녕"))
    assert check_response(body) == []
    assert "무엇을 도와드릴까요" in texts(body)


def test_tap_after_the_session_expired_restarts_with_a_notice(
    redis_app: Flask, redis_client: redis.Redis
) -> None:
    client = redis_app.test_client()
    menu = post(client, payload("안녕"))
    prefix = redis_app.extensions["cs_bot"].settings.redis_prefix
    redis_client.delete(f"{prefix}{{{USER}}}:session")  # what the TTL does after 30 idle minutes
    body = tap(client, menu, "그 밖의 문의")
    assert "이전 대화가 끝나" in texts(body)
    assert session_state(redis_app, redis_client)["node"] == "main.menu"


def test_concurrent_requests_for_one_user_lose_no_update(redis_app: Flask, redis_client: redis.Redis) -> None:
    post(redis_app.test_client(), payload("안녕"))

    def one_turn(_: int) -> int:
        return redis_app.test_client().post("/skill", json=payload("처음으로")).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(one_turn, range(16)))
    assert statuses == [200] * 16
    assert session_state(redis_app, redis_client)["turns"] == 17


def test_redis_down_gives_apology_not_error() -> None:
    app = create_app({"redis_url": "redis://127.0.0.1:1/0"})
    client = app.test_client()
    body = post(client, payload("안녕"))
    assert "죄송합니다" in texts(body)
    assert body["template"]["outputs"][0]["textCard"]["buttons"][0]["action"] == "operator"
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["status"] == "unavailable"
    assert client.get("/healthz").status_code == 200


def test_readyz_with_redis(redis_app: Flask) -> None:
    ready = redis_app.test_client().get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["store"] == "redis"


def test_logs_never_show_user_keys_plates_or_phone_numbers(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret_user = "f3" * 33
    with caplog.at_level(logging.DEBUG):
        post(client, payload("안녕", secret_user))
        post(client, payload("그 밖의 문의", secret_user))
        post(client, payload("12가3456 차량이고 010-9876-5432로 연락 주세요", secret_user))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "saved: category=" in logged
    for private in (secret_user, "12가3456", "010-9876-5432"):
        assert private not in logged


def test_request_without_user_key_is_answered_statelessly(client: FlaskClient) -> None:
    body = payload("안녕")
    del body["userRequest"]["user"]
    answer = post(client, body)
    assert "무엇을 도와드릴까요" in texts(answer)


@pytest.mark.parametrize("with_extra", [True, False])
def test_menu_tap_with_or_without_client_extra_hands_off_other_inquiries(
    client: FlaskClient, handoffs: list[object], with_extra: bool
) -> None:
    from tests.chat import Chat

    chat = Chat(client).say("안녕하세요").tap("그 밖의 문의", extra=with_extra)
    assert "적어 주세요" in chat.text and "이전" in chat.labels
    chat.say("환불 규정이 궁금해요")
    assert [b["action"] for b in chat.buttons()] == ["operator"]
    assert len(handoffs) == 1
    handoff = handoffs[0]
    assert handoff.reason == "other_inquiry"  # type: ignore[attr-defined]
    assert [(f.label, f.value) for f in handoff.facts] == [("문의 내용", "환불 규정이 궁금해요")]  # type: ignore[attr-defined]
