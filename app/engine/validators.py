"""Named validators for `ask` nodes: turn what the customer typed into a clean value, or say why not.

Each validator returns the normalised value or raises `Rejected` with a short Korean reason that the
engine shows before the node's hint. `example` and `max_length` are used by the content checks to
render every node with realistic and with worst-case values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


class Rejected(ValueError):
    """The customer's answer is not a valid value; `reason` is shown to them."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Validator:
    name: str
    check: Callable[[str], str]
    example: str
    max_length: int


def _squash(raw: str) -> str:
    return re.sub(r"\s+", " ", raw).strip()


def _bounded_text(min_length: int, max_length: int) -> Callable[[str], str]:
    def check(raw: str) -> str:
        value = _squash(raw)
        if len(value) < min_length:
            raise Rejected("내용이 너무 짧아요." if value else "내용이 비어 있어요.")
        if len(value) > max_length:
            raise Rejected(f"{max_length}자 이내로 적어 주세요.")
        if not re.search(r"[0-9A-Za-z가-힣]", value):
            raise Rejected("글자나 숫자로 적어 주세요.")
        return value

    return check


_PLATE = re.compile(r"^(?P<region>[가-힣]{2})?(?P<head>\d{2,3})(?P<mid>[가-힣])(?P<tail>\d{4})$")


def plate(raw: str) -> str:
    """Korean licence plates: 12가3456, 123가4567, 서울12가3456 (spaces and dashes allowed)."""
    compact = re.sub(r"[\s\-]", "", raw)
    match = _PLATE.match(compact)
    if not match:
        raise Rejected("차량번호 형식이 아니에요.")
    return compact


_PHONE = re.compile(r"^(01[016789])(\d{3,4})(\d{4})$")


def phone(raw: str) -> str:
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
        Validator("plate", plate, "12가3456", 10),
        Validator("phone", phone, "010-1234-5678", 13),
    )
}
