"""Recognising what the customer meant from the bare utterance.

Kakao sends a quick-reply tap sometimes with `clientExtra`, sometimes only as the label text, and
customers type answers in their own words ("skt요", "아이폰 15", "유플러스"). Everything is compared
after `normalize`: NFKC, lower case, no white space or punctuation (symbols such as `+` stay, so
"U+" is not "U").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

from rapidfuzz import fuzz

T = TypeVar("T")

MIN_PARTIAL = 2  # shorter words only match exactly
MIN_FUZZY = 3  # words of at least this many letters are also found with a typo in them
FUZZY_SCORE = 85  # rapidfuzz similarity (0–100) of the letters (jamo) for a typo match


@lru_cache(maxsize=8192)  # aliases and labels are constant: each is normalised once per process
def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


@lru_cache(maxsize=8192)  # keyed by constant content (a choice's or command's words)
def words_of(texts: tuple[str, ...]) -> tuple[str, ...]:
    """The normalised words of `texts`, empty ones left out, in order."""
    return tuple(w for w in map(normalize, texts) if w)


@lru_cache(maxsize=8192)
def said_as(texts: tuple[str, ...]) -> frozenset[str]:
    """Every normalised form of `texts` (for "the utterance is one of these")."""
    return frozenset(map(normalize, texts))


_KOREAN_ORDINALS = {"첫": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
_ORDINAL = re.compile(
    r"(?P<n>\d{1,2}|첫|두|세|네|다섯|여섯|일곱|여덟|아홉)(?P<unit>번째|번|째)?"
    r"(?:거|꺼|것)?(?:이요|요|예요|이에요|으로|로|할게요|선택)?"
)


def ordinal(utterance: str) -> int | None:
    """The quick reply a message picks by its place ("2", "2번", "두 번째요", "3번이요"), else None.
    A bare Korean numeral ("두", "네") is not one: only with 번/번째/째 ("네" is yes)."""
    match = _ORDINAL.fullmatch(normalize(utterance))
    if match is None:
        return None
    number = match["n"]
    if not number.isdigit() and not match["unit"]:
        return None
    return int(number) if number.isdigit() else _KOREAN_ORDINALS[number]


@lru_cache(maxsize=8192)
def _letters(word: str) -> str:
    return unicodedata.normalize("NFD", word)


def best_match(
    utterance: str, candidates: Sequence[tuple[T, Iterable[str]]], exact_only: bool = False
) -> T | None:
    """The candidate whose words best fit the utterance, or None when nothing (or a tie) fits.

    1. An exact match of the whole utterance with a word wins.
    2. Otherwise a word contained in the utterance ("skt요" ⊃ "skt"); the longest such word wins,
       then the candidate with more matching words ("해결 안 됐어요": 아니요 has "해결안" and "안됐").
    3. Otherwise the utterance contained in exactly one word ("카셰어링" ⊂ "카셰어링기기인증").
    4. Otherwise a short answer typed with a slip ("갤력시", "유풀러스요"): the whole answer compared
       letter by letter (jamo) with each word by rapidfuzz; the single best candidate above FUZZY_SCORE
       wins. (Never a near-word inside a sentence: "주차장" is not "주차 중".)
    """
    said = normalize(utterance)
    if not said:
        return None
    words = [(item, words_of(tuple(texts))) for item, texts in candidates]

    exact = _distinct(item for item, ws in words if said in ws)
    if exact or exact_only:
        return exact[0] if len(exact) == 1 else None

    scored = []
    for item, ws in words:
        hits = [len(w) for w in ws if len(w) >= MIN_PARTIAL and w in said]
        if hits:
            scored.append(((max(hits), sum(hits)), item))
    if scored:
        scored.sort(key=lambda pair: pair[0], reverse=True)
        top = _distinct(item for score, item in scored if score == scored[0][0])
        return top[0] if len(top) == 1 else None

    if len(said) >= MIN_PARTIAL:
        inside = _distinct(item for item, ws in words if any(said in w for w in ws))
        if len(inside) == 1:
            return inside[0]
    return _fuzzy(said[:200], words)


def _fuzzy(said: str, words: list[tuple[T, tuple[str, ...]]]) -> T | None:
    typed = _letters(said)
    best: list[tuple[float, T]] = []
    for item, ws in words:
        scores = [  # the whole answer against the word: a slip in a short answer, never a word in a sentence
            fuzz.ratio(_letters(w), typed) for w in ws if len(w) >= MIN_FUZZY and abs(len(said) - len(w)) <= 2
        ]
        if scores and max(scores) >= FUZZY_SCORE:
            best.append((max(scores), item))
    if not best:
        return None
    top = max(score for score, _ in best)
    winners = _distinct(item for score, item in best if score == top)
    return winners[0] if len(winners) == 1 else None


def _distinct(items: Iterable[T]) -> list[T]:
    seen: list[T] = []
    for item in items:
        if not any(item is s or item == s for s in seen):
            seen.append(item)
    return seen
