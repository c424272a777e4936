"""What an agent receives: the handoff record, the customer-visible transcript, delivery status."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

SEOUL = ZoneInfo("Asia/Seoul")

Status = Literal["open", "in_progress", "done"]
STATUS_LABELS: dict[str, str] = {"open": "대기", "in_progress": "처리중", "done": "완료"}

REASON_LABELS: dict[str, str] = {
    "customer_request": "고객이 상담직원 연결 요청",
    "retry_limit": "입력 3회 실패 후 연결",
    "after_handoff": "연결 후 고객이 덧붙인 말",
    "internal_error": "챗봇 내부 오류",
    "not_solved": "안내 후에도 해결 안 됨",
    "other_inquiry": "그 밖의 문의",
    "guide_in_preparation": "자가 해결 안내 준비 중",
    "flow": "가이드에 따른 상담 연결",
}

DeliveryStateName = Literal["pending", "sending", "retrying", "delivered", "failed"]
DELIVERY_LABELS: dict[str, str] = {
    "pending": "전송 대기",
    "sending": "전송 중",
    "retrying": "재시도 중",
    "delivered": "전달됨",
    "failed": "실패",
}


# Size caps: one transcript line, one fact value, and the transcript a record carries (in characters).
LINE_CAP = 2000
FACT_CAP = 500
RECORD_TRANSCRIPT_CAP = 40_000


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)


def safe_text(text: str) -> str:
    """Text that serialises anywhere: lone UTF-16 surrogates (e.g. half an emoji, `\\ud83d`) become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _safe(value: object) -> object:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_safe(v) for v in value)
    return value


def _capped(data: object, field: str, cap: int) -> object:
    """Cut `field` to `cap` characters and count what was cut in `cut` (the inbox shows it)."""
    if isinstance(data, dict) and isinstance(data.get(field), str) and len(data[field]) > cap:
        cut = len(data[field]) - cap + int(data.get("cut") or 0)
        return {**data, field: data[field][:cap], "cut": cut}
    return data


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _safe_strings(cls, data: object) -> object:
        if isinstance(data, dict):
            return {k: _safe(v) for k, v in data.items()}
        return data


class TranscriptEntry(_Frozen):
    """One line of the conversation as the customer saw it."""

    at: datetime
    who: Literal["customer", "bot"]
    text: str
    tapped: bool = False  # the customer tapped a quick reply or button (rather than typing)
    cut: int = 0  # characters cut off the end (LINE_CAP)

    @model_validator(mode="before")
    @classmethod
    def _cap(cls, data: object) -> object:
        return _capped(data, "text", LINE_CAP)


def transcript_json(
    at: datetime, who: Literal["customer", "bot"], text: str, tapped: bool = False, cut: int = 0
) -> str:
    """`TranscriptEntry(at=…, who=…, …).model_dump_json()` — the same JSON text, with the same cleaning
    (lone surrogates replaced, the text capped at LINE_CAP with `cut` counting what was cut off) —
    without building the model: every turn appends two lines to the live transcript and reads
    neither back (a test checks both agree on any input)."""
    text = safe_text(text)
    if len(text) > LINE_CAP:
        cut += len(text) - LINE_CAP
        text = text[:LINE_CAP]
    line = {"at": at, "who": who, "text": text, "tapped": tapped, "cut": cut}
    return orjson.dumps(line, option=orjson.OPT_UTC_Z).decode()  # UTC as "Z", as pydantic writes it


class FactLine(_Frozen):
    key: str
    label: str
    value: str
    cut: int = 0

    @model_validator(mode="before")
    @classmethod
    def _cap(cls, data: object) -> object:
        return _capped(data, "value", FACT_CAP)


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
    reason_text: str | None = None  # the Korean label of `reason` when the record was made (content)
    transcript_cut: int = 0  # older transcript lines left out to keep the record under its size cap
    # The transcript kept once (app/handoff/chain.py): a record stores only the lines said since the
    # customer's previous record `transcript_continues` names; the first `earlier_lines` lines of the
    # whole conversation are that record's. Readers get the whole back, with `transcript_gone` earlier
    # lines counted as gone when that record expired.
    transcript_continues: str | None = None
    earlier_lines: int = 0
    transcript_gone: int = 0

    @property
    def reason_label(self) -> str:
        return self.reason_text or reason_label(self.reason)

    @model_validator(mode="before")
    @classmethod
    def _cap_transcript(cls, data: object) -> object:
        """Keep the newest lines within RECORD_TRANSCRIPT_CAP characters (at least the last two)."""
        if not isinstance(data, dict) or not isinstance(data.get("transcript"), list | tuple):
            return data
        lines = list(data["transcript"])
        sizes = [len(_text_of(line)) + 60 for line in lines]
        dropped = 0
        while len(lines) - dropped > 2 and sum(sizes[dropped:]) > RECORD_TRANSCRIPT_CAP:
            dropped += 1
        if not dropped:
            return data
        cut = int(data.get("transcript_cut") or 0) + dropped
        return {**data, "transcript": tuple(lines[dropped:]), "transcript_cut": cut}


def _text_of(line: object) -> str:
    text = line.get("text") if isinstance(line, dict) else getattr(line, "text", "")
    return text if isinstance(text, str) else ""


HistoryAction = Literal["created", "claimed", "reassigned", "status", "memo", "again"]
HISTORY_LABELS: dict[str, str] = {
    "created": "접수",
    "claimed": "담당",
    "reassigned": "담당자 변경",
    "status": "상태 변경",
    "memo": "메모 수정",
    "again": "고객이 다시 연결 요청",
}
MEMO_CAP = 4000


class HistoryEntry(_Frozen):
    """Who did what to a handoff, and when (shown on the detail page)."""

    at: datetime
    by: str  # agent name, "고객", "API"
    action: HistoryAction
    detail: str = ""


class Memo(_Frozen):
    """The agents' internal note on a handoff (never shown to the customer)."""

    text: str
    by: str
    at: datetime
    cut: int = 0

    @model_validator(mode="before")
    @classmethod
    def _cap(cls, data: object) -> object:
        return _capped(data, "text", MEMO_CAP)


class HandoffView(_Frozen):
    """A record with what changes after it was made: status, per-desk delivery, and the desk side
    (who holds it, the internal memo, its history, lines the customer added later)."""

    record: HandoffRecord
    status: Status = "open"
    status_at: datetime | None = None
    delivery: dict[str, DeliveryState] = Field(default_factory=dict)
    assignee: str | None = None
    memo: Memo | None = None
    history: tuple[HistoryEntry, ...] = ()
    followups: tuple[TranscriptEntry, ...] = ()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def seoul_now() -> datetime:
    return datetime.now(SEOUL)


def new_handoff_id(now: datetime) -> str:
    """Sortable and readable: H-20261125-153012-3f9a1c (Seoul time)."""
    return f"H-{now.astimezone(SEOUL):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
