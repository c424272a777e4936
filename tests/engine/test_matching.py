from __future__ import annotations

import pytest

from app.engine.matching import best_match, normalize, ordinal

CARRIERS = [
    ("skt", ["SKT", "SK텔레콤"]),
    ("kt", ["KT"]),
    ("lgu", ["LG U+", "유플러스", "u+"]),
    ("mvno", ["알뜰폰"]),
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("LG U+", "lgu+"),
        (" 갤럭시 / 안드로이드 ", "갤럭시안드로이드"),
        ("ＳＫＴ!!", "skt"),
        ("네, 해결됐어요.", "네해결됐어요"),
    ],
)
def test_normalize_drops_space_punctuation_and_case(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("SKT", "skt"),
        ("skt요", "skt"),
        ("kt", "kt"),
        ("KT 써요", "kt"),
        ("유플", "lgu"),  # contained in exactly one word
        ("lg u+ 입니다", "lgu"),
        ("알뜰", "mvno"),
        ("", None),
        ("ㅇㅇ", None),
        ("모르겠어요", None),
    ],
)
def test_best_match(said: str, expected: str | None) -> None:
    assert best_match(said, CARRIERS) == expected


def test_ambiguous_utterance_matches_nothing() -> None:
    options = [("a", ["카드 결제"]), ("b", ["카드 취소"])]
    assert best_match("카드", options) is None


def test_single_letters_only_match_exactly() -> None:
    assert best_match("k", [("kt", ["KT"])]) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("갤력시", "android"), ("갤럭시요", "android"), ("아이펀", "iphone"), ("유풀러스", "lgu")],
)
def test_typed_answers_with_a_slip_still_match(typed: str, expected: str) -> None:
    candidates = [("android", ["갤럭시", "안드로이드"]), ("iphone", ["아이폰"]), ("lgu", ["유플러스"])]
    assert best_match(typed, candidates) == expected


@pytest.mark.parametrize("typed", ["갤", "택시요", "아무거나", "ㅋㅋㅋㅋ"])
def test_unrelated_or_too_short_answers_match_nothing(typed: str) -> None:
    candidates = [("android", ["갤럭시", "안드로이드"]), ("iphone", ["아이폰"]), ("lgu", ["유플러스"])]
    assert best_match(typed, candidates) is None


@pytest.mark.parametrize(
    ("said", "place"),
    [
        ("2", 2),
        ("2번", 2),
        ("2 번이요", 2),
        ("1번으로", 1),
        ("두 번째", 2),
        ("두번째요", 2),
        ("첫 번째 거요", 1),
        ("세번째", 3),
        ("10번", 10),
        ("네", None),  # yes, not the fourth
        ("두", None),
        ("3번 급속", None),  # a value with a number in it
        ("벌써 2번째예요", None),  # "again", not a pick
        ("12가3456", None),
        ("123", None),
        ("", None),
        ("번", None),
    ],
)
def test_a_pick_by_place(said: str, place: int | None) -> None:
    assert ordinal(said) == place
