"""What an agent receives: the handoff record, the customer-visible transcript, delivery status."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

SEOUL = ZoneInfo("Asia/Seoul")

Status = Literal["open", "in_progress", "done"]
STATUS_LABELS: dict[str, str] = {"open": "대기", "in_progress": "처리중", "done": "완료"}

REASON_LABELS: dict[str, str] = {
    "customer_request": "고객이 상담직원 연결 요청",
    "retry_limit": "입력 3회 실패 후 연결",
    "internal_error": "챗봇 내부 오류",
    "not_solved": "안내 후에도 해결 안 됨",
    "other_inquiry": "그 밖의 문의",
    "guide_in_preparation": "자가 해결 안내 준비 중",
    "flow": "가이드에 따른 상담 연결",
}

DeliveryStateName = Literal["pending", "retrying", "delivered", "failed"]
DELIVERY_LABELS: dict[str, str] = {
    "pending": "전송 대기",
    "retrying": "재시도 중",
    "delivered": "전달됨",
    "failed": "실패",
}


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class TranscriptEntry(_Frozen):
    """One line of the conversation as the customer saw it."""

    at: datetime
    who: Literal["customer", "bot"]
    text: str
    tapped: bool = False  # the customer tapped a quick reply or button (rather than typing)


class FactLine(_Frozen):
    key: str
    label: str
    value: str


class DeliveryState(_Frozen):
    state: DeliveryStateName = "pending"
    attempts: int = 0
    last_error: str | None = None
    updated_at: datetime | None = None


class HandoffRecord(_Frozen):
    """Everything an agent needs to take over without asking the customer again."""

    id: str
    created_at: datetime
    bot_user_key: str
    plusfriend_user_key: str | None = None
    flow: str | None = None
    node: str
    path: tuple[str, ...] = ()
    category: str
    reason: str
    facts: tuple[FactLine, ...] = ()
    agent_notes: tuple[str, ...] = ()
    transcript: tuple[TranscriptEntry, ...] = ()
    outside_hours: bool = False

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)


class HandoffView(_Frozen):
    """A record with what changes after it was made: its status and per-desk delivery."""

    record: HandoffRecord
    status: Status = "open"
    status_at: datetime | None = None
    delivery: dict[str, DeliveryState] = Field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def seoul_now() -> datetime:
    return datetime.now(SEOUL)


def new_handoff_id(now: datetime) -> str:
    """Sortable and readable: H-20261125-153012-3f9a1c (Seoul time)."""
    return f"H-{now.astimezone(SEOUL):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
