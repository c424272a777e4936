"""Log set-up: a line per record, JSON or text (`LOG_FORMAT`), with the request id, personal data masked.

`LOG_FORMAT=json` writes one JSON object a line (`time`, `level`, `logger`, `message`, `request_id`,
`exc_info` …) for a log collector; `text` is for people; `auto` (default) is text when stderr is a
terminal (`cs-bot serve`) and JSON otherwise (gunicorn under a process manager, containers). The
privacy filter (app/privacy.py) scrubs the message and traceback of every record either way, and the
JSON formatter scrubs any extra field as well.
"""

from __future__ import annotations

import logging
import random
import re
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from app.privacy import install_privacy_filter, scrub

REQUEST_ID_HEADER = "X-Request-Id"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
_HANDLER_NAME = "csbot"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


def new_request_id(given: str | None = None) -> str:
    """The caller's id (a load balancer's `X-Request-Id`) when it looks like one, else a fresh one."""
    if given and _SAFE_ID.match(given):
        return given
    # 16 hex characters; unique, not secret: the random module (reseeded in every forked worker)
    # instead of a system call per request
    return f"{random.getrandbits(64):016x}"


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being handled (or "-") on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class ScrubbedJsonFormatter(JsonFormatter):
    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {
            k: scrub(v) if isinstance(v, str) and k != "request_id" else v  # the id was checked on entry
            for k, v in log_data.items()
        }


def formatter(fmt: str, stream: Any = None) -> logging.Formatter:
    if fmt == "auto":
        fmt = "text" if getattr(stream or sys.stderr, "isatty", lambda: False)() else "json"
    if fmt == "json":
        return ScrubbedJsonFormatter(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601 in UTC
            json_ensure_ascii=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    """Root logging for the app and the worker: our handler on stderr (or, when something else —
    pytest, an embedding app — already set handlers, theirs), with request ids and privacy filters."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    ours = [h for h in root.handlers if h.get_name() == _HANDLER_NAME]
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.set_name(_HANDLER_NAME)
        root.addHandler(handler)
        ours = [handler]
    for handler in ours:
        handler.setFormatter(formatter(fmt, getattr(handler, "stream", None)))
    for handler in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
    install_privacy_filter(root)
