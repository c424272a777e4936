"""Values found inside a sentence: licence plates and dates/times, the way customers write them.

"제 차 번호는 123 가 4567 입니다" → "123가4567"; "12가 3456이요" → "12가3456";
"어제 오후 3시쯤 들어갔다고 나와요" → "어제 오후 3시쯤" (with today's date: "12월 1일(화) 오후 3시쯤";
the customer's own words stay in the transcript the agent reads).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_PLATE = re.compile(
    r"(?<![0-9A-Za-z])(?P<region>[가-힣]{2}\s?)?(?P<head>\d{2,3})\s*-?\s*(?P<mid>[가-힣])\s*-?\s*(?P<tail>\d{4})(?!\d)"
)
_REGIONS = {
    "서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기", "강원",
    "충북", "충남", "전북", "전남", "경북", "경남", "제주",
}  # fmt: skip


def find_plate(text: str) -> str | None:
    """The first Korean licence plate in `text`, compacted ("서울12가3456", "123가4567")."""
    for match in _PLATE.finditer(text[:500]):
        region = (match["region"] or "").strip()
        prefix = region if region in _REGIONS else ""
        return f"{prefix}{match['head']}{match['mid']}{match['tail']}"
    return None


WEEKDAYS = "월화수목금토일"
_RELATIVE_DAYS = {
    "오늘": 0,
    "금일": 0,
    "어제": 1,
    "어저께": 1,
    "그제": 2,
    "그저께": 2,
    "엊그제": 2,
    "엊그저께": 2,
}
_DAY = (
    r"(?P<rel>오늘|금일|어저께|어제|엊그저께|엊그제|그저께|그제)"
    r"|(?<!\d)(?P<ago>\d{1,2})\s*일\s*전"
    r"|(?:(?P<year>20\d{2})\s*[년./-]\s*)?(?<!\d)(?P<month>1[0-2]|0?[1-9])\s*(?:월|[./-])\s*"
    r"(?P<day>3[01]|[12]\d|0?[1-9])(?!\d)\s*일?"
    r"|(?P<last>지난\s*주|저번\s*주|이번\s*주)?\s*(?P<weekday>[월화수목금토일])요일"
)
_TIME = (
    r"(?P<part>오전|오후|새벽|아침|낮|점심|저녁|밤)?\s*"
    r"(?:(?<!\d)(?P<hour>2[0-4]|1\d|0?\d)\s*시(?:\s*(?P<minute>[0-5]?\d)\s*분|\s*(?P<half>반))?"
    r"|(?<!\d)(?P<hh>2[0-3]|[01]?\d):(?P<mm>[0-5]\d))"
    r"(?P<about>\s*(?:쯤|경|께|즈음|정도))?"
    r"|(?P<bare>오전|오후|새벽|아침|점심|저녁|밤)"
    r"|(?P<recent>방금|아까|조금\s*전|(?:\d{1,2}|한|두|세|네|반)\s*(?:시간|분)\s*(?:전|쯤\s*전)"
    r"|(?:한|두|세|네)\s*시간\s*반\s*전)"
)
_DAY_RE = re.compile(_DAY)
_TIME_RE = re.compile(_TIME)


def find_datetime(text: str, today: date | None = None) -> str | None:
    """The date and/or time said in `text`, as the customer said it; with `today`, relative days are
    resolved too ("어제 오후 3시쯤" → "12월 1일(화) 오후 3시쯤"). None when neither is in the text."""
    text = text[:300]
    day = _DAY_RE.search(text)
    time = None
    for candidate in _TIME_RE.finditer(text):
        if day is None or not (day.start() <= candidate.start() < day.end()):
            time = candidate
            break
    if day is None and time is None:
        return None
    parts = []
    if day is not None:
        parts.append(_day_text(day, today))
    if time is not None:
        parts.append(re.sub(r"\s+", " ", time.group(0).strip()))
    return " ".join(p for p in parts if p)


def _day_text(match: re.Match[str], today: date | None) -> str:
    said = re.sub(r"\s+", " ", match.group(0).strip())
    if today is None:
        return said
    resolved: date | None = None
    if match["rel"]:
        resolved = today - timedelta(days=_RELATIVE_DAYS[match["rel"]])
    elif match["ago"]:
        resolved = today - timedelta(days=int(match["ago"]))
    elif match["weekday"]:
        back = (today.weekday() - WEEKDAYS.index(match["weekday"])) % 7
        if match["last"] and match["last"].replace(" ", "") in ("지난주", "저번주"):
            back = back + 7 if back < today.weekday() + 1 else back
        resolved = today - timedelta(days=back)
    elif match["month"]:
        year = int(match["year"]) if match["year"] else today.year
        try:
            resolved = date(year, int(match["month"]), int(match["day"]))
        except ValueError:
            return said
        if not match["year"] and resolved > today:
            resolved = resolved.replace(year=year - 1)
        return f"{resolved.month}월 {resolved.day}일({WEEKDAYS[resolved.weekday()]})"
    if resolved is None:
        return said
    return f"{resolved.month}월 {resolved.day}일({WEEKDAYS[resolved.weekday()]})"
