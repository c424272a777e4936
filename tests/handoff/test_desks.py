"""Desk payloads as an agent desk receives them: signed JSON webhook, Slack summary, failures."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from app.handoff.desks import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    DeliveryError,
    SlackDesk,
    WebhookDesk,
    payload,
    slack_text,
    verify_signature,
)
from app.handoff.record import HandoffView
from tests.handoff.conftest import make_record

URL = "https://desk.example.com/handoffs"
SLACK = "https://hooks.slack.example.com/services/T000/B000/XXXX"


def view(**extra: object) -> HandoffView:
    return HandoffView(record=make_record(**extra))


@responses.activate
def test_webhook_posts_the_whole_handoff_signed_with_an_idempotency_key() -> None:
    responses.post(URL, status=202)
    handoff = view()
    WebhookDesk(URL, secret="desk-secret", inbox_base_url="https://bot.example.com").send(handoff)
    sent = responses.calls[0].request
    body = sent.body if isinstance(sent.body, bytes) else sent.body.encode()
    assert verify_signature("desk-secret", body, sent.headers[SIGNATURE_HEADER])
    assert not verify_signature("other-secret", body, sent.headers[SIGNATURE_HEADER])
    assert not verify_signature("desk-secret", body + b" ", sent.headers[SIGNATURE_HEADER])
    assert sent.headers[IDEMPOTENCY_HEADER] == handoff.record.id
    data = json.loads(body)
    assert data["id"] == handoff.record.id
    assert data["category"] == "주차_고객 ▶ 결제 ▶ 본인 미사용"
    assert data["facts"] == [{"key": "plate", "label": "차량번호", "value": "12가3456"}]
    assert data["user"] == {"bot_user_key": "b" * 66, "plusfriend_user_key": "pfKey123"}
    assert [line["text"] for line in data["transcript"]] == [
        "주차 안 했는데 결제됐어요",
        "많이 놀라셨겠어요.",
    ]
    assert data["agent_notes"] == ["직영 주차장: 픽 취소 이후 보전처리 불필요"]
    assert data["inbox_url"] == f"https://bot.example.com/agent/handoffs/{handoff.record.id}"


@responses.activate
def test_webhook_without_secret_sends_no_signature() -> None:
    responses.post(URL, status=200)
    WebhookDesk(URL).send(view())
    assert SIGNATURE_HEADER not in responses.calls[0].request.headers


@pytest.mark.parametrize("status", [500, 503, 404, 429])
@responses.activate
def test_webhook_non_2xx_is_a_delivery_error(status: int) -> None:
    responses.post(URL, status=status)
    with pytest.raises(DeliveryError, match=f"HTTP {status}"):
        WebhookDesk(URL).send(view())


@responses.activate
def test_webhook_timeout_and_connection_errors_are_delivery_errors() -> None:
    responses.post(URL, body=requests.Timeout())
    with pytest.raises(DeliveryError, match="timed out"):
        WebhookDesk(URL, timeout=0.1).send(view())
    responses.replace(responses.POST, URL, body=requests.ConnectionError("refused"))
    with pytest.raises(DeliveryError, match="connection failed"):
        WebhookDesk(URL).send(view())


@responses.activate
def test_slack_gets_a_readable_korean_summary() -> None:
    responses.post(SLACK, body="ok")
    handoff = view(outside_hours=True)
    SlackDesk(SLACK, inbox_base_url="https://bot.example.com/").send(handoff)
    text = json.loads(responses.calls[0].request.body)["text"]
    assert text.startswith("*[상담 요청] 주차_고객 ▶ 결제 ▶ 본인 미사용*")
    assert "상담 시간 외 접수" in text
    assert "안내 후에도 해결 안 됨" in text  # the reason in Korean
    assert "차량번호: 12가3456" in text
    assert "최근 고객 메시지: 주차 안 했는데 결제됐어요" in text
    assert f"<https://bot.example.com/agent/handoffs/{handoff.record.id}|인박스에서 전체 대화 보기>" in text


def test_slack_text_escapes_customer_input() -> None:
    from app.handoff.record import TranscriptEntry
    from tests.handoff.conftest import NOW

    line = TranscriptEntry(at=NOW, who="customer", text="<!channel> & 결제 <http://evil|클릭>")
    text = slack_text(view(transcript=(line,)))
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp; 결제" in text


def test_payload_is_plain_json() -> None:
    assert json.loads(json.dumps(payload(view())))["reason_label"] == "안내 후에도 해결 안 됨"
