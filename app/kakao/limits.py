"""Kakao's response limits (spec §5) in one place, and the error raised when a builder would break one."""

from collections.abc import Sized
from typing import cast
from urllib.parse import urlsplit

RESPONSE_VERSION = "2.0"

MIN_OUTPUTS = 1
MAX_OUTPUTS = 3
MAX_QUICK_REPLIES = 10
MAX_QUICK_REPLY_LABEL = 14  # not in the official doc; the community-safe value

MAX_SIMPLE_TEXT = 1000
SIMPLE_TEXT_FOLD = 500  # longer texts are folded behind "전체 보기"
MAX_ALT_TEXT = 50

MAX_TEXT_CARD_TITLE = 50
MAX_TEXT_CARD_DESCRIPTION = 400
MAX_TEXT_CARD_TOTAL = 400
MAX_TEXT_CARD_DESCRIPTION_IN_CAROUSEL = 128

MAX_BASIC_CARD_TITLE = 50
MAX_BASIC_CARD_DESCRIPTION = 230

MAX_COMMERCE_CARD_TITLE = 30
MAX_COMMERCE_CARD_DESCRIPTION = 40
COMMERCE_CARD_THUMBNAILS = 1

MAX_BUTTONS_VERTICAL = 3
MAX_BUTTONS_HORIZONTAL = 2
MAX_BUTTON_LABEL = 14
MAX_BUTTON_LABEL_HORIZONTAL = 8  # when two buttons share a horizontal row

MIN_LIST_ITEMS = 1
MAX_LIST_ITEMS = 5
MAX_LIST_ITEMS_IN_CAROUSEL = 4

MIN_CAROUSEL_ITEMS = 1
MAX_CAROUSEL_ITEMS = 10
MAX_CAROUSEL_LIST_CARDS = 5

MAX_ITEM_LIST = 10
MAX_ITEM_LIST_IN_CAROUSEL = 5
MAX_ITEM_LIST_TITLE = 6
MAX_ITEM_LIST_SUMMARY_TITLE = 6
MAX_ITEM_LIST_SUMMARY_DESCRIPTION = 14
MAX_ITEM_CARD_TEXT = 200  # title + description
MAX_ITEM_CARD_TEXT_IN_CAROUSEL = 100
MAX_ITEM_CARD_PROFILE_TITLE = 15

MAX_USER_ID = 70

BUTTON_LAYOUTS = ("vertical", "horizontal")
WEB_URL_SCHEMES = ("http", "https")


class KakaoLimitError(ValueError):
    """A response part would break a Kakao limit or miss a required field (raised at construction)."""


def is_web_url(value: object) -> bool:
    """An absolute http(s) URL with a host."""
    if not isinstance(value, str) or value != value.strip():
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_URL_SCHEMES and bool(parts.netloc)


def require_text(field: str, value: object, maximum: int, *, minimum: int = 1) -> str:
    """`value` as a non-blank string of `minimum`..`maximum` characters, else `KakaoLimitError`."""
    if not isinstance(value, str):
        raise KakaoLimitError(f"{field} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise KakaoLimitError(f"{field} must not be blank, got {value!r}")
    if not minimum <= len(value) <= maximum:
        raise KakaoLimitError(
            f"{field} must be {minimum}–{maximum} characters, got {len(value)}: {_preview(value)!r}"
        )
    return value


def require_present(field: str, value: object) -> str:
    """A non-blank string (ids, utterances), else `KakaoLimitError`."""
    if not isinstance(value, str) or not value.strip():
        raise KakaoLimitError(f"{field} is required and must be a non-blank string, got {value!r}")
    return value


def optional_text(field: str, value: str | None, maximum: int) -> str | None:
    """None for None/blank, else `value` checked like `require_text`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return require_text(field, value, maximum)


def require_count(field: str, items: Sized, maximum: int, *, minimum: int = 0) -> None:
    """`minimum` <= len(items) <= `maximum`, else `KakaoLimitError`."""
    if not minimum <= len(items) <= maximum:
        raise KakaoLimitError(f"{field} must have {minimum}–{maximum} entries, got {len(items)}")


def require_web_url(field: str, value: object) -> str:
    """An http(s) URL, else `KakaoLimitError`."""
    if not is_web_url(value):
        raise KakaoLimitError(f"{field} must be an absolute http(s) URL, got {value!r}")
    return cast(str, value)


def _preview(text: str, size: int = 30) -> str:
    return text if len(text) <= size else text[:size] + "…"
