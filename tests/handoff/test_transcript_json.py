"""The live transcript's lines are written without building `TranscriptEntry` models (every turn writes
two): the text written must be exactly what the model would have written, on any input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from app.handoff.record import LINE_CAP, TranscriptEntry, transcript_json

ZONES = st.sampled_from(
    [ZoneInfo("Asia/Seoul"), UTC, timezone(timedelta(hours=9)), timezone(timedelta(minutes=-90))]
)
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=2500)  # surrogates too


@given(
    at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=ZONES),
    who=st.sampled_from(["customer", "bot"]),
    text=ANY_TEXT | st.text(max_size=LINE_CAP + 50),
    tapped=st.booleans(),
    cut=st.integers(min_value=0, max_value=10**6),
)
def test_the_line_is_the_models_json(at: datetime, who: str, text: str, tapped: bool, cut: int) -> None:
    line = transcript_json(at, who, text, tapped, cut)  # type: ignore[arg-type]
    assert line == TranscriptEntry(at=at, who=who, text=text, tapped=tapped, cut=cut).model_dump_json()


def test_a_long_message_is_capped_and_the_cut_counted() -> None:
    at = datetime(2026, 12, 2, 15, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    entry = TranscriptEntry.model_validate_json(transcript_json(at, "customer", "가" * (LINE_CAP + 7), cut=3))
    assert entry.text == "가" * LINE_CAP and entry.cut == 10


def test_half_an_emoji_becomes_a_replacement_character() -> None:
    at = datetime(2026, 12, 2, 15, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    entry = TranscriptEntry.model_validate_json(transcript_json(at, "customer", "충전 \ud83d 안 돼요"))
    assert entry.text == "충전 \ufffd 안 돼요"
