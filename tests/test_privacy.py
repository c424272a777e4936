from __future__ import annotations

import logging

import pytest

from app.privacy import PrivacyFilter, mask_key, scrub


@pytest.mark.parametrize(
    ("raw", "hidden"),
    [
        ("전화 010-1234-5678 주세요", "010-1234-5678"),
        ("전화 01012345678", "01012345678"),
        ("+82 10-1234-5678", "10-1234-5678"),
        ("차량 12가3456", "12가3456"),
        ("차량 서울12가 3456 이에요", "12가 3456"),
        ("123가4567", "123가4567"),
        ("POST /skill?key=s3cret&x=1", "s3cret"),
        ("query x=1&key=s3cret", "s3cret"),
        ('"key=s3cret" 404', "s3cret"),
        ("user " + "ab" * 33, "ab" * 33),
    ],
)
def test_scrub_hides_personal_data(raw: str, hidden: str) -> None:
    assert hidden not in scrub(raw)


@pytest.mark.parametrize(
    "text",
    ["2026-11-25 12:00 충전소 3번 충전기, 금액 12000원", "monkey=banana", "api-key=x is not the skill's"],
)
def test_scrub_keeps_ordinary_text(text: str) -> None:
    assert scrub(text) == text


def test_mask_key_keeps_only_a_prefix_and_length() -> None:
    assert mask_key("a" * 66) == "aaaa…(66)"
    assert mask_key("") == "-" and mask_key(None) == "-"


def test_filter_scrubs_message_arguments_and_tracebacks() -> None:
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "phone %s", ("010-2222-3333",), None)
    try:
        raise ValueError("plate 34나5678")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert PrivacyFilter().filter(record)
    assert "010-2222-3333" not in record.getMessage()
    assert record.exc_text is not None and "34나5678" not in record.exc_text
