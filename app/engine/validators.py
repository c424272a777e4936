"""Named validators for `ask` nodes: turn what the customer typed into a clean value, or say why not.

Each validator returns the normalised value or raises `Rejected` with a short Korean reason that the
engine shows before the node's hint. `example` and `max_length` are used by the content checks to
render every node with realistic and with worst-case values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.understanding.extract import find_datetime, find_plate


class Rejected(ValueError):
    """The customer's answer is not a valid value; `reason` is shown to them."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Validator:
    """`structured`: the value is found inside a sentence (a plate, a date), so a message where one is
    found is an answer even if it also reads like another problem."""

    name: str
    check: Callable[..., str]  # (raw, today: date | None = None) -> value, or raises Rejected
    example: str
    max_length: int
    structured: bool = False


def _squash(raw: str) -> str:
    return re.sub(r"\s+", " ", raw).strip()


def _bounded_text(min_length: int, max_length: int) -> Callable[..., str]:
    def check(raw: str, today: date | None = None) -> str:
        value = _squash(raw)
        if len(value) < min_length:
            raise Rejected("내용이 너무 짧아요." if value else "내용이 비어 있어요.")
        if len(value) > max_length:
            raise Rejected(f"{max_length}자 이내로 적어 주세요.")
        if not re.search(r"[0-9A-Za-z가-힣]", value):
            raise Rejected("글자나 숫자로 적어 주세요.")
        return value

    return check


def plate(raw: str, today: date | None = None) -> str:
    """Korean licence plates, also inside a sentence: "12가3456", "제 차는 123 가 4567 입니다",
    "서울 12가 3456이요" (spaces, dashes and particles allowed)."""
    found = find_plate(raw)
    if found is None:
        raise Rejected("차량번호 형식이 아니에요.")
    return found


def when(raw: str, today: date | None = None) -> str:
    """A date and/or time in the customer's words ("어제 오후 3시쯤"), resolved to a date with `today`."""
    found = find_datetime(raw, today)
    if found is None:
        raise Rejected("날짜나 시간을 찾지 못했어요.")
    return found


_PHONE = re.compile(r"^(01[016789])(\d{3,4})(\d{4})$")


def phone(raw: str, today: date | None = None) -> str:
    digits = re.sub(r"[\s\-.]", "", raw)
    if digits.startswith("+82"):
        digits = "0" + digits[3:]
    match = _PHONE.match(digits)
    if not match:
        raise Rejected("휴대폰 번호 형식이 아니에요.")
    return "-".join(match.groups())


VALIDATORS: dict[str, Validator] = {
    v.name: v
    for v in (
        Validator("text", _bounded_text(2, 300), "충전 시작 버튼을 누르면 오류가 나요", 300),
        Validator("short_text", _bounded_text(1, 60), "강남역 1번 출구 충전소", 60),
        Validator("plate", plate, "12가3456", 10, structured=True),
        Validator("phone", phone, "010-1234-5678", 13),
        Validator("datetime", when, "12월 1일(화) 오후 3시쯤", 40, structured=True),
    )
}
