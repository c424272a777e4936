"""`decode_json_value` reads a JSON-encoded parameter exactly as Python's own parser does, whichever
parser actually reads it (entity values such as sys_date arrive as JSON text)."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.kakao.tolerant import MAX_DEPTH, clean_json, decode_json_value


def by_python(value: object) -> Any:
    """The reference: `json.loads`, cleaned, the text itself when it is not JSON."""
    if not (isinstance(value, str) and value.lstrip()[:1] in ("{", "[")):
        return value
    try:
        return clean_json(json.loads(value))
    except (ValueError, RecursionError):
        return value


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (1 and 1.0 are not the same answer), NaN = NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["1e400", "-1e400", "NaN", "Infinity", "-0.0", "1E5", "01", ".5", "1.", "18446744073709551616"]
    ),
)
atoms = st.one_of(
    st.none(), st.booleans(), numbers.map(lambda n: n if isinstance(n, str) else json.dumps(n)).map(str),
    st.text(max_size=8).map(json.dumps), st.text(max_size=8).map(lambda t: json.dumps(t, ensure_ascii=False)),
)  # fmt: skip
texts = st.recursive(
    atoms.map(lambda a: a if isinstance(a, str) else json.dumps(a)),
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
        | st.dictionaries(st.text(max_size=4).map(json.dumps), inner, max_size=4).map(
            lambda d: "{" + ",".join(f"{k}: {v}" for k, v in d.items()) + "}"
        )
    ),
    max_leaves=12,
)


@settings(max_examples=600, deadline=None)
@given(
    texts,
    st.sampled_from(["", " ", "\n", "\x0b", "\ufeff"]),
    st.sampled_from(["", " ", "\t", "\x0b", ",", "]"]),
)
def test_json_text_reads_as_pythons_parser_reads_it(text: str, before: str, after: str) -> None:
    value = before + text + after
    assert same(decode_json_value(value), by_python(value)), value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='[]{}",:0123456789.eE+-nulltrufasNIfiy \\u\x00\x7f\ud83d가', max_size=30))
def test_any_text_reads_as_pythons_parser_reads_it(text: str) -> None:
    for value in ("[" + text, "{" + text, text):
        assert same(decode_json_value(value), by_python(value)), value


def test_integers_past_64_bits_stay_integers() -> None:
    assert decode_json_value('{"amount": 123456789012345678901234567890}') == {
        "amount": 123456789012345678901234567890
    }
    assert type(decode_json_value("[-9223372036854775809]")[0]) is int


def test_values_only_pythons_parser_allows_are_still_read() -> None:
    value = decode_json_value('{"a": NaN, "b": 1e400, "c": -Infinity}')
    assert math.isnan(value["a"]) and value["b"] == math.inf and value["c"] == -math.inf


def test_too_deep_and_broken_text_stays_text() -> None:
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    for text in (deep, "[1,", '{"a": }', '["\\ud83d"'):
        assert decode_json_value(text) == text
    assert decode_json_value('["\\ud83d"]') == ["\ufffd"]
