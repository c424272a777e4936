"""Recognising what the customer meant from the bare utterance.

Kakao sends a quick-reply tap sometimes with `clientExtra`, sometimes only as the label text, and
customers type answers in their own words ("skt요", "아이폰 15", "유플러스"). Everything is compared
after `normalize`: NFKC, lower case, no white space or punctuation (symbols such as `+` stay, so
"U+" is not "U").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

MIN_PARTIAL = 2  # shorter words only match exactly


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def best_match(
    utterance: str, candidates: Sequence[tuple[T, Iterable[str]]], exact_only: bool = False
) -> T | None:
    """The candidate whose words best fit the utterance, or None when nothing (or a tie) fits.

    1. An exact match of the whole utterance with a word wins.
    2. Otherwise a word contained in the utterance ("skt요" ⊃ "skt"); the longest such word wins,
       then the candidate with more matching words ("해결 안 됐어요": 아니요 has "해결안" and "안됐").
    3. Otherwise the utterance contained in exactly one word ("카셰어링" ⊂ "카셰어링기기인증").
    """
    said = normalize(utterance)
    if not said:
        return None
    words = [(item, [w for w in (normalize(x) for x in texts) if w]) for item, texts in candidates]

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
    return None


def phrase_score(utterance: str, phrase: str) -> int:
    """How specifically an entry phrase ("주차+결제") fits: the matched length, 0 when any part is missing."""
    said = normalize(utterance)
    parts = [normalize(p) for p in phrase.split("+")]
    parts = [p for p in parts if p]
    if not parts or not all(p in said for p in parts):
        return 0
    return sum(len(p) for p in parts)


def _distinct(items: Iterable[T]) -> list[T]:
    seen: list[T] = []
    for item in items:
        if not any(item is s or item == s for s in seen):
            seen.append(item)
    return seen
