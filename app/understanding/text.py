"""How the classifier sees a message: one canonical string, robust to what customers do to text.

- NFKC + case folding ("ＫＴ" → "kt"), spaces and punctuation removed (customers often omit spaces,
  so "충전끝났는데" and "충전 끝났는데" must look the same);
- runs of a repeated character shortened ("ㅠㅠㅠㅠ" → "ㅠㅠ", "???" is gone anyway);
- Hangul syllables decomposed into jamo (NFD) for a second view, so a slipped 받침 ("됬어요", "안되요")
  shares most n-grams with the correct spelling.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 500  # a message is cut here before anything else is done (cost stays bounded)

_REPEATS = re.compile(r"(.)\1{2,}")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def canonical(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold()
    text = _DROP.sub("", text)
    return _REPEATS.sub(r"\1\1", text)


def jamo(text: str) -> str:
    """The canonical text with every Hangul syllable split into its letters (compatibility jamo are
    left as typed, so "ㅇㅇ" stays "ㅇㅇ")."""
    return unicodedata.normalize("NFD", canonical(text))
