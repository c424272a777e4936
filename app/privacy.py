"""Keeping personal data out of logs: user keys, phone numbers, licence plates and ?key= secrets."""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<!\d)(?:\+82[\s-]?|0)1[016789][\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)")
_PLATE = re.compile(r"(?:[가-힣]{2}\s?)?\d{2,3}\s?[가-힣]\s?\d{4}(?!\d)")
# the skill secret as a query parameter: "?key=…", "&key=…", or a query string logged on its own ("key=…")
_SECRET_QUERY = re.compile(r"((?<![\w-])key=)[^&\s\"']+")
_LONG_KEY = re.compile(r"\b[0-9a-fA-F]{24,}\b|\b[A-Za-z0-9_-]{40,}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d(?:[\s.-]?\d){5,}")  # 6+ digits, maybe grouped: card, account, order numbers
MASKED_TEXT_LIMIT = 200


def mask_key(key: str | None) -> str:
    """A user key as logs may show it: enough to correlate lines, not enough to identify anyone."""
    if not key:
        return "-"
    return f"{key[:4]}…({len(key)})"


def scrub(text: str) -> str:
    text = _SECRET_QUERY.sub(r"\1***", text)
    text = _PHONE.sub("[전화번호]", text)
    text = _PLATE.sub("[차량번호]", text)
    return _LONG_KEY.sub(lambda m: mask_key(m.group(0)), text)


def mask_personal(text: str, limit: int = MASKED_TEXT_LIMIT) -> str:
    """What a customer typed, as the CS team's reports may keep it: phone numbers, licence plates,
    e-mail addresses, long keys and any run of 6+ digits masked; one line, cut at `limit` characters."""
    text = " ".join(text.split())
    text = _EMAIL.sub("[이메일]", text)
    text = _PHONE.sub("[전화번호]", text)
    text = _PLATE.sub("[차량번호]", text)
    text = _LONG_KEY.sub("[키]", text)
    text = _DIGITS.sub("[숫자]", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PrivacyFilter(logging.Filter):
    """Scrubs every record that passes a handler, whatever the code that logged it forgot."""

    def filter(self, record: logging.LogRecord) -> bool:
        # the message is formatted once, here: the handler's formatter reads it as it is
        record.msg, record.args = scrub(record.getMessage()), None
        if record.exc_info:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install_privacy_filter(logger: logging.Logger | None = None) -> None:
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, PrivacyFilter) for f in handler.filters):
            handler.addFilter(PrivacyFilter())
