from __future__ import annotations

import pytest

from app.engine.validators import VALIDATORS, Rejected


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12가3456", "12가3456"),
        ("123가 4567", "123가4567"),
        ("서울 12가 3456", "서울12가3456"),
        ("12-가-3456", "12가3456"),
    ],
)
def test_plate_accepts_korean_formats(raw: str, value: str) -> None:
    assert VALIDATORS["plate"].check(raw) == value


@pytest.mark.parametrize("raw", ["", "1234", "12가345", "1가3456", "1234가5678", "AB12가3456", "12A3456"])
def test_plate_rejects_other_text(raw: str) -> None:
    with pytest.raises(Rejected) as caught:
        VALIDATORS["plate"].check(raw)
    assert "차량번호" in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "value"), [("01012345678", "010-1234-5678"), ("+82 10-1234-5678", "010-1234-5678")]
)
def test_phone(raw: str, value: str) -> None:
    assert VALIDATORS["phone"].check(raw) == value


@pytest.mark.parametrize("raw", ["02-123-4567", "010-12-34", "전화번호"])
def test_phone_rejects(raw: str) -> None:
    with pytest.raises(Rejected):
        VALIDATORS["phone"].check(raw)


def test_text_trims_and_squashes_space() -> None:
    assert VALIDATORS["text"].check("  충전기가   \n 고장났어요 ") == "충전기가 고장났어요"


@pytest.mark.parametrize(
    ("raw", "reason"), [("", "비어"), ("   ", "비어"), ("a", "짧"), ("!!??", "글자"), ("가" * 301, "300자")]
)
def test_text_rejections_say_why(raw: str, reason: str) -> None:
    with pytest.raises(Rejected) as caught:
        VALIDATORS["text"].check(raw)
    assert reason in caught.value.reason


def test_every_validator_accepts_its_own_example_within_max_length() -> None:
    for validator in VALIDATORS.values():
        value = validator.check(validator.example)
        assert len(value) <= validator.max_length, validator.name
