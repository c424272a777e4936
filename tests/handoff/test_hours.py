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


# Korean public holidays, as the `holidays` library (country KR) computes them. The dates below were
# read from the library (holidays 0.109), not guessed: 설날 2027 is 02-06..02-08 with a substitute day on
# Tue 02-09 because 02-07 is a Sunday; 추석 2026 is 09-24..09-26.
def seoul(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (seoul(2026, 2, 16), "설날 전날"),  # Monday: lunar new year, computed from the lunar calendar
        (seoul(2026, 2, 17), "설날"),
        (seoul(2026, 2, 18), "설날 다음날"),
        (seoul(2026, 3, 2), "삼일절 대체 휴일"),  # 삼일절 2026 is a Sunday: substitute Monday
        (seoul(2026, 9, 24), "추석 전날"),
        (seoul(2026, 9, 25), "추석"),
        (seoul(2026, 10, 5), "개천절 대체 휴일"),  # 개천절 2026 is a Saturday
        (seoul(2027, 2, 8), "설날 다음날"),  # Monday
        (seoul(2027, 2, 9), "설날 대체 휴일"),  # Tuesday: 설날 2027 falls on a Sunday
        (seoul(2027, 9, 15), "추석"),  # Wednesday
    ],
)
def test_korean_public_holidays_on_weekdays_are_closed(day: datetime, name: str) -> None:
    assert day.weekday() < 5
    assert DEFAULT.holiday_name(day.date()) is not None and name in DEFAULT.holiday_name(day.date())
    assert not DEFAULT.is_open(day)


def test_seollal_2027_opens_again_after_the_substitute_day() -> None:
    friday_evening = seoul(2027, 2, 5, 19)  # 설날 is Sat 02-06 .. Mon 02-08, substitute Tue 02-09
    assert [DEFAULT.holiday_name(seoul(2027, 2, d).date()) for d in (6, 7, 8, 9)] == [
        "설날 전날",
        "설날",
        "설날 다음날",
        "설날 대체 휴일",
    ]
    assert DEFAULT.next_opening(friday_evening) == seoul(2027, 2, 10, 9)
    assert when_korean(DEFAULT.next_opening(friday_evening), friday_evening) == "2월 10일(수) 오전 9시"


def test_chuseok_2026_skips_to_the_monday() -> None:
    wednesday_evening = seoul(2026, 9, 23, 19)  # 추석 Thu 09-24 .. Sat 09-26
    assert DEFAULT.next_opening(wednesday_evening) == seoul(2026, 9, 28, 9)


def test_an_ordinary_weekday_is_not_a_holiday() -> None:
    assert DEFAULT.holiday_name(seoul(2027, 2, 10).date()) is None
    assert DEFAULT.is_open(seoul(2027, 2, 10))


def test_public_holidays_can_be_switched_off_for_a_desk_that_works_them() -> None:
    working = BusinessHours.parse("mon-fri 09:00-18:00", public_holidays=False)
    assert working.is_open(seoul(2026, 9, 25)) and working.holiday_name(seoul(2026, 9, 25).date()) is None
    assert working.next_opening(seoul(2027, 2, 5, 19)) == seoul(2027, 2, 8, 9)  # Monday, 설날 다음날


def test_company_days_off_add_to_the_public_holidays() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-18:00", "2026-09-28")  # a bridge day after 추석
    assert hours.next_opening(seoul(2026, 9, 23, 19)) == seoul(2026, 9, 29, 9)
    assert not hours.is_open(seoul(2026, 9, 25))  # 추석 stays a holiday


def test_public_holidays_setting_reaches_the_handoff_service(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import load_settings
    from app.handoff.setup import build_handoff_service

    monkeypatch.setenv("PUBLIC_HOLIDAYS", "false")
    assert build_handoff_service(load_settings()).hours.public is None
    monkeypatch.delenv("PUBLIC_HOLIDAYS")
    assert not build_handoff_service(load_settings()).hours.is_open(seoul(2026, 9, 25))
