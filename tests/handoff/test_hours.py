from __future__ import annotations

from datetime import datetime

import pytest

from app.handoff.hours import BusinessHours, when_korean
from app.handoff.record import SEOUL

DEFAULT = BusinessHours.parse("mon-fri 09:00-18:00")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SEOUL)  # 2026-11-23 is a Monday


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(25, 9, 0), True),  # Wednesday opening minute
        (at(25, 17, 59), True),
        (at(25, 18, 0), False),  # closing time is closed
        (at(25, 8, 59), False),
        (at(28, 12, 0), False),  # Saturday
        (at(29, 12, 0), False),  # Sunday
    ],
)
def test_default_is_weekdays_nine_to_six(moment: datetime, is_open: bool) -> None:
    assert DEFAULT.is_open(moment) is is_open


def test_times_are_seoul_time_whatever_the_input_zone() -> None:
    from datetime import UTC

    assert DEFAULT.is_open(datetime(2026, 11, 25, 0, 30, tzinfo=UTC))  # 09:30 in Seoul
    assert not DEFAULT.is_open(datetime(2026, 11, 25, 9, 30, tzinfo=UTC))  # 18:30 in Seoul


def test_holidays_are_closed_and_skipped() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-18:00", "2026-11-26, 2026-11-27")
    assert not hours.is_open(at(26, 10))
    assert hours.next_opening(at(25, 19)) == at(30, 9)  # Thu and Fri are holidays → Monday


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        (at(25, 19), at(26, 9)),  # Wednesday evening → Thursday 9:00
        (at(27, 18), at(30, 9)),  # Friday closing → Monday
        (at(28, 11), at(30, 9)),  # Saturday → Monday
        (at(25, 7), at(25, 9)),  # early morning → same day
        (at(25, 10), at(25, 10)),  # open now → now
    ],
)
def test_next_opening(moment: datetime, opening: datetime) -> None:
    assert DEFAULT.next_opening(moment) == opening


def test_several_spans_and_wrapping_day_ranges() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-18:00; sat 10:00-13:00")
    assert hours.is_open(at(28, 11))
    assert hours.next_opening(at(27, 19)) == at(28, 10)
    assert hours.describe() == "평일 09:00~18:00, 토 10:00~13:00"
    weekend = BusinessHours.parse("sat-sun 00:00-24:00")
    assert weekend.is_open(at(29, 23, 59)) and not weekend.is_open(at(30, 0))
    assert weekend.describe() == "주말 00:00~24:00"
    assert BusinessHours.parse("fri-mon 10:00-11:00").is_open(at(30, 10, 30))  # Monday, wraps over Sunday


@pytest.mark.parametrize(
    ("spec", "holidays", "message"),
    [
        ("", "", "at least one"),
        ("weekdays 9-6", "", "not like"),
        ("mon-fri 18:00-09:00", "", "end must be after"),
        ("mon-frx 09:00-18:00", "", "unknown day"),
        ("mon-fri 09:00-18:00", "2026-13-01", "YYYY-MM-DD"),
    ],
)
def test_bad_configuration_is_refused_clearly(spec: str, holidays: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessHours.parse(spec, holidays)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (at(25, 14), "오늘 오후 2시"),
        (at(26, 9), "내일(목) 오전 9시"),
        (at(30, 9, 30), "11월 30일(월) 오전 9시 30분"),
        (at(30, 12), "11월 30일(월) 오후 12시"),
    ],
)
def test_when_korean(moment: datetime, text: str) -> None:
    assert when_korean(moment, at(25, 13)) == text
