"""Long text → several simpleText bubbles, split where a reader expects a break, never inside a word."""

import logging

from app.kakao.components import SimpleText
from app.kakao.limits import MAX_SIMPLE_TEXT

logger = logging.getLogger(__name__)

_BREAKS = ("\n\n", "\n")


def split_text(text: str, limit: int = MAX_SIMPLE_TEXT) -> list[str]:
    """Chunks of at most `limit` characters, stripped and non-empty.

    Each cut goes at the last paragraph break before the limit, else the last line break, else the
    last space. A paragraph or line break is only preferred when it keeps the chunk at least half
    full; otherwise the last whitespace is used, so a long text does not turn into many tiny bubbles.
    Only a single word longer than `limit` is cut hard (and logged).
    """
    if limit < 1:
        raise ValueError(f"limit must be ≥ 1, got {limit}")
    rest = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    chunks: list[str] = []
    while rest:
        if len(rest) <= limit:
            chunks.append(rest)
            break
        cut = _break_before(rest, limit)
        if cut is None:
            logger.warning("split_text: a word of more than %d characters was cut: %.30r…", limit, rest)
            cut = limit
        chunk = rest[:cut].strip()
        if chunk:
            chunks.append(chunk)
        rest = rest[cut:].strip()
    return chunks


def _break_before(text: str, limit: int) -> int | None:
    """Where to cut `text` (its length > limit) so that text[:cut] fits; None when no whitespace fits."""
    window = text[: limit + 1]  # whitespace right at the limit is a fine place to cut
    for separator in _BREAKS:
        index = window.rfind(separator, 0, limit + 1)
        if index >= max(1, limit // 2):
            return index
    for index in range(len(window) - 1, 0, -1):
        if window[index].isspace():
            return index
    return None


def simple_texts(text: str, limit: int = MAX_SIMPLE_TEXT) -> list[SimpleText]:
    """One SimpleText per chunk of `split_text(text, limit)`; empty for blank text."""
    return [SimpleText(chunk) for chunk in split_text(text, limit)]
