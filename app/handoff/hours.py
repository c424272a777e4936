"""When agents answer: weekly opening hours and holidays, in Asia/Seoul.

`BUSINESS_HOURS` is a `;`-separated list of `<days> <HH:MM>-<HH:MM>`, days as `mon-fri`, `sat`,
`mon,wed` …; default `mon-fri 09:00-18:00`. Korean public holidays — lunar 설날 and 추석, substitute
days (대체공휴일), election days — come from the `holidays` library (country KR) unless
`PUBLIC_HOLIDAYS=false`; `HOLIDAYS` adds the company's own days off as a comma-separated list of dates
(`2026-12-31,2027-01-02`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from holidays import country_holidays

from app.handoff.record import SEOUL

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KOREAN_DAYS = ("월", "화", "수", "목", "금", "토", "일")
_SPAN = re.compile(r"^\s*(?P<days>[a-z,\-]+)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$")


@dataclass(frozen=True)
class Span:
    weekdays: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class BusinessHours:
    spans: tuple[Span, ...]
    holidays: frozenset[date] = frozenset()  # the company's own days off (HOLIDAYS)
    public: Any = field(default=None, compare=False, repr=False)  # KR public holidays, None = off

    @classmethod
    def parse(cls, spec: str, holidays: str = "", public_holidays: bool = True) -> BusinessHours:
        spans = tuple(_span(part) for part in spec.split(";") if part.strip())
        if not spans:
            raise ValueError("BUSINESS_HOURS needs at least one '<days> HH:MM-HH:MM' span")
        try:
            days = frozenset(date.fromisoformat(d.strip()) for d in holidays.split(",") if d.strip())
        except ValueError as exc:
            raise ValueError(f"HOLIDAYS must be YYYY-MM-DD dates separated by commas: {exc}") from exc
        return cls(spans, days, korean_public_holidays() if public_holidays else None)

    def is_holiday(self, day: date) -> bool:
        """A company day off or (unless switched off) a Korean public holiday."""
        return day in self.holidays or (self.public is not None and day in self.public)

    def holiday_name(self, day: date) -> str | None:
        """The Korean name of a public holiday ("설날", "추석 대체 휴일" …), None otherwise."""
        return self.public.get(day) if self.public is not None else None

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(SEOUL)
        if self.is_holiday(local.date()):
            return False
        return any(local.weekday() in s.weekdays and s.start <= local.time() < s.end for s in self.spans)

    def next_opening(self, moment: datetime) -> datetime:
        """The next moment agents answer (`moment` itself when open now)."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(SEOUL)
        for offset in range(0, 370):
            day = local.date() + timedelta(days=offset)
            if self.is_holiday(day):
                continue
            starts = sorted(s.start for s in self.spans if day.weekday() in s.weekdays)
            for start in starts:
                candidate = datetime.combine(day, start, SEOUL)
                if candidate > local:
                    return candidate
        raise ValueError("no opening hours within a year (check BUSINESS_HOURS and HOLIDAYS)")

    def describe(self) -> str:
        """Korean summary for customers, e.g. "평일 09:00~18:00"."""
        return ", ".join(f"{_days_ko(s.weekdays)} {s.start:%H:%M}~{_hhmm(s.end)}" for s in self.spans)


def korean_public_holidays() -> Any:
    """South Korea's public holidays in Korean; years are filled in on first use, a few ahead now."""
    this_year = datetime.now(SEOUL).year
    return country_holidays("KR", language="ko", years=range(this_year - 1, this_year + 3))


def when_korean(moment: datetime, now: datetime) -> str:
    """ "오늘 오후 2시", "내일(목) 오전 9시", "12월 1일(월) 오전 9시 30분"."""
    local, today = moment.astimezone(SEOUL), now.astimezone(SEOUL).date()
    day = f"({KOREAN_DAYS[local.weekday()]})"
    if local.date() == today:
        when = "오늘"
    elif local.date() == today + timedelta(days=1):
        when = f"내일{day}"
    else:
        when = f"{local.month}월 {local.day}일{day}"
    half = "오전" if local.hour < 12 else "오후"
    hour = local.hour % 12 or 12
    minutes = f" {local.minute}분" if local.minute else ""
    return f"{when} {half} {hour}시{minutes}"


def moment_korean(moment: datetime) -> str:
    """ "12월 2일(수) 오후 3시 5분": a moment that is still readable days later."""
    local = moment.astimezone(SEOUL)
    half = "오전" if local.hour < 12 else "오후"
    minutes = f" {local.minute}분" if local.minute else ""
    day = KOREAN_DAYS[local.weekday()]
    return f"{local.month}월 {local.day}일({day}) {half} {local.hour % 12 or 12}시{minutes}"


def _span(text: str) -> Span:
    match = _SPAN.match(text.lower())
    if not match:
        raise ValueError(f"BUSINESS_HOURS part {text.strip()!r} is not like 'mon-fri 09:00-18:00'")
    start = time.fromisoformat(f"{match['start']:0>5}")
    end = time.max if match["end"] == "24:00" else time.fromisoformat(f"{match['end']:0>5}")
    if end <= start:
        raise ValueError(f"BUSINESS_HOURS part {text.strip()!r}: the end must be after the start")
    return Span(_weekdays(match["days"]), start, end)


def _weekdays(text: str) -> frozenset[int]:
    found: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"unknown day in BUSINESS_HOURS: {part!r} (use mon tue wed thu fri sat sun)")
        a, b = DAYS.index(first), DAYS.index(last or first)
        found.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(found)


def _hhmm(moment: time) -> str:
    return "24:00" if moment == time.max else f"{moment:%H:%M}"


def _days_ko(weekdays: frozenset[int]) -> str:
    if weekdays == frozenset(range(5)):
        return "평일"
    if weekdays == frozenset(range(7)):
        return "매일"
    if weekdays == frozenset({5, 6}):
        return "주말"
    return "·".join(KOREAN_DAYS[d] for d in sorted(weekdays))
