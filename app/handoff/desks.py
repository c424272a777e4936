"""Agent desks a handoff is delivered to: a generic signed JSON webhook and a Slack incoming webhook.

The webhook body is the handoff as JSON (`payload`), signed with HMAC-SHA256 over the raw body in
`X-CSBot-Signature-256: sha256=<hex>` (when `HANDOFF_WEBHOOK_SECRET` is set), with the handoff id in
`Idempotency-Key`: a desk that receives the same id twice (a retry after a lost answer) keeps one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from pydantic import BaseModel

from app.handoff.chain import gone_note
from app.handoff.record import SEOUL, HandoffView

SIGNATURE_HEADER = "X-CSBot-Signature-256"
IDEMPOTENCY_HEADER = "Idempotency-Key"


class DeliveryError(Exception):
    """The desk did not accept the handoff this time (network error, timeout, non-2xx)."""


class Desk(Protocol):
    name: str

    def send(self, view: HandoffView) -> None: ...


def payload(view: HandoffView, inbox_url: str | None = None) -> dict[str, Any]:
    """What an agent desk receives: who, what was collected and shown, what the guide says to do."""
    record = view.record
    return {
        "id": record.id,
        "created_at": record.created_at.isoformat(),
        "category": record.category,
        "reason": record.reason,
        "reason_label": record.reason_label,
        "outside_business_hours": record.outside_hours,
        "flow": record.flow,
        "node": record.node,
        "path": list(record.path),
        "user": {"bot_user_key": record.bot_user_key, "plusfriend_user_key": record.plusfriend_user_key},
        "facts": [_dump(f) for f in record.facts],
        "agent_notes": list(record.agent_notes),
        "transcript": [_dump(e) for e in (*record.transcript, *view.followups)],
        "transcript_cut": record.transcript_cut,
        "transcript_gone": record.transcript_gone,  # earlier lines no longer kept (their record expired)
        "transcript_note": gone_note(record.transcript_gone) if record.transcript_gone else None,
        "inbox_url": inbox_url,
    }


def _dump(model: BaseModel) -> dict[str, Any]:
    """A fact or transcript line; `cut` (characters cut off at the size cap) only when something was."""
    data = model.model_dump(mode="json")
    if not data.get("cut"):
        data.pop("cut", None)
    return data


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """For desk implementers (and tests): does `header` sign `body` with `secret`?"""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout)
    except requests.Timeout as exc:
        raise DeliveryError(f"timed out after {timeout}s") from exc
    except requests.RequestException as exc:
        raise DeliveryError(f"connection failed: {type(exc).__name__}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code}")


@dataclass(frozen=True)
class WebhookDesk:
    url: str
    secret: str | None = None
    timeout: float = 5.0
    inbox_base_url: str | None = None
    name: str = "webhook"

    def send(self, view: HandoffView) -> None:
        inbox = inbox_link(self.inbox_base_url, view.record.id)
        body = json.dumps(payload(view, inbox), ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", IDEMPOTENCY_HEADER: view.record.id}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        _post(self.url, body, headers, self.timeout)


@dataclass(frozen=True)
class SlackDesk:
    url: str
    timeout: float = 5.0
    inbox_base_url: str | None = None
    name: str = "slack"

    def send(self, view: HandoffView) -> None:
        body = json.dumps(
            {"text": slack_text(view, inbox_link(self.inbox_base_url, view.record.id))}
        ).encode()
        _post(self.url, body, {"Content-Type": "application/json"}, self.timeout)


def slack_text(view: HandoffView, inbox_url: str | None = None) -> str:
    """A readable Korean summary for a Slack channel (mrkdwn)."""
    record = view.record
    when = record.created_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
    hours = " (상담 시간 외 접수)" if record.outside_hours else ""
    lines = [
        f"*[상담 요청] {_esc(record.category)}*",
        f"• 접수: {when}{hours} · {_esc(record.reason_label)} · `{record.id}`",
        f"• 고객 채널 키(plusfriendUserKey): {_esc(record.plusfriend_user_key or '-')}",
    ]
    if record.facts:
        lines.append("• 수집 정보: " + " / ".join(f"{_esc(f.label)}: {_esc(f.value)}" for f in record.facts))
    lines += [f"• 상담 안내: {_esc(note)}" for note in record.agent_notes]
    if record.transcript_gone:
        lines.append(f"• {gone_note(record.transcript_gone)}")
    customer_lines = [e.text for e in record.transcript if e.who == "customer"][-3:]
    if customer_lines:
        lines.append("• 최근 고객 메시지: " + " / ".join(_esc(t) for t in customer_lines))
    if inbox_url:
        lines.append(f"<{inbox_url}|인박스에서 전체 대화 보기>")
    return "\n".join(lines)


def inbox_link(base: str | None, handoff_id: str) -> str | None:
    return f"{base.rstrip('/')}/agent/handoffs/{handoff_id}" if base else None


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
