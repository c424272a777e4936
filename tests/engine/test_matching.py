from __future__ import annotations

import pytest

from app.engine.matching import best_match, normalize, phrase_score

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


def test_phrase_score_needs_every_part() -> None:
    assert phrase_score("주차 안 했는데 결제됐어요", "주차+결제") == 4
    assert phrase_score("주차했어요", "주차+결제") == 0
    assert phrase_score("기기 인증이 안돼요", "기기인증") == 4
    assert phrase_score("아무말", "+") == 0
