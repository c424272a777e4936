from __future__ import annotations

from datetime import date

import pytest

from app.engine.validators import VALIDATORS, Rejected
from app.understanding.extract import find_datetime, find_plate

TODAY = date(2026, 12, 2)  # a Wednesday


@pytest.mark.parametrize(
    ("said", "plate"),
    [
        ("제 차 번호는 123 가 4567 입니다", "123가4567"),
        ("12가 3456이요", "12가3456"),
        ("서울 12가3456", "서울12가3456"),
        ("차량번호는12가3456입니다", "12가3456"),
        ("12-가-3456", "12가3456"),
    ],
)
def test_plates_are_found_in_sentences(said: str, plate: str) -> None:
    assert find_plate(said) == plate
    assert VALIDATORS["plate"].check(said) == plate


@pytest.mark.parametrize(
    "said", ["", "번호 1234 5678", "010-1234-5678", "AB12가3456", "1234가5678", "몰라요"]
)
def test_text_without_a_plate_is_rejected(said: str) -> None:
    assert find_plate(said) is None
    with pytest.raises(Rejected, match="차량번호"):
        VALIDATORS["plate"].check(said)


@pytest.mark.parametrize(
    ("said", "found"),
    [
        ("어제 오후 3시쯤 들어갔다고 나와요", "12월 1일(화) 오후 3시쯤"),
        ("11월 30일 밤 11시쯤", "11월 30일(월) 밤 11시쯤"),
        ("지난주 금요일 저녁", "11월 27일(금) 저녁"),
        ("오늘 14:30경이요", "12월 2일(수) 14:30경"),
        ("3일 전", "11월 29일(일)"),
        ("12/25 오전 9시 반", "12월 25일(목) 오전 9시 반"),  # no year: the last 25 December, 2025
        ("오후 2시 10분쯤", "오후 2시 10분쯤"),
    ],
)
def test_dates_and_times_are_found_and_resolved_with_today(said: str, found: str) -> None:
    assert find_datetime(said, TODAY) == found
    assert VALIDATORS["datetime"].check(said, TODAY) == found


def test_without_today_the_customers_words_are_kept() -> None:
    assert find_datetime("어제 오후 3시쯤 입차", None) == "어제 오후 3시쯤"


@pytest.mark.parametrize("said", ["", "기억이 안 나요", "주차패스 해지하고 싶어요", "13월 45일"])
def test_text_without_a_date_or_time_is_rejected(said: str) -> None:
    with pytest.raises(Rejected, match="날짜나 시간"):
        VALIDATORS["datetime"].check(said, TODAY)
