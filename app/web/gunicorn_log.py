"""gunicorn's own logs (error log, access log) through the app's privacy filter, and a cheap access line.

gunicorn writes some lines before the app sees a request — e.g. "Invalid request from ip=…: Invalid
HTTP request line: 'GET /skill?key=<secret> …'" for a malformed request line. This logger class
(`logger_class` in gunicorn.conf.py) scrubs `?key=` secrets, phone and plate numbers and user keys
from every line gunicorn logs, as the app's own logs are.

The access line: gunicorn builds every atom it knows for each request (all request and response
headers, a strftime with the time zone, the process id …) and then formats the configured few through a
case-insensitive dict — ~80 µs per request here, for a line of six fields. When the format uses only
atoms that need no headers, only those are built (the same values gunicorn gives them); any other format
gets gunicorn's own atoms.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from app.privacy import PrivacyFilter


def _status(resp: Any, req: Any, environ: dict[str, Any], took: timedelta) -> Any:
    status = resp.status
    return status.split(None, 1)[0] if isinstance(status, str) else status


def _sent_or_dash(resp: Any, req: Any, environ: dict[str, Any], took: timedelta) -> Any:
    return (getattr(resp, "sent", None) is not None and str(resp.sent)) or "-"


def _environ(name: str, default: str | None = None) -> Callable[..., Any]:
    return lambda resp, req, environ, took: environ.get(name, default)


# gunicorn.glogging.Logger.atoms, the atoms that need neither headers nor the clock, computed the same way
_CHEAP_ATOMS: dict[str, Callable[[Any, Any, dict[str, Any], timedelta], Any]] = {
    "h": _environ("REMOTE_ADDR", "-"),
    "l": lambda *_: "-",
    "s": _status,
    "m": _environ("REQUEST_METHOD"),
    "U": _environ("PATH_INFO"),
    "q": _environ("QUERY_STRING"),
    "H": _environ("SERVER_PROTOCOL"),
    "b": _sent_or_dash,
    "B": lambda resp, *_: getattr(resp, "sent", None),
    "f": _environ("HTTP_REFERER", "-"),
    "a": _environ("HTTP_USER_AGENT", "-"),
    "T": lambda resp, req, environ, took: took.seconds,
    "D": lambda resp, req, environ, took: took.seconds * 1000000 + took.microseconds,
    "M": lambda resp, req, environ, took: took.seconds * 1000 + int(took.microseconds / 1000),
    "L": lambda resp, req, environ, took: f"{took.seconds}.{took.microseconds:06d}",
    "p": lambda *_: f"<{os.getpid()}>",
}
_ATOM = re.compile(r"%\(([^)]*)\)")


class PrivateLogger(Logger):  # type: ignore[misc]
    _cheap: list[tuple[str, Callable[[Any, Any, dict[str, Any], timedelta], Any]]] | None

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self._filter_handlers()
        used = set(_ATOM.findall(cfg.access_log_format or ""))
        self._cheap = [(k, _CHEAP_ATOMS[k]) for k in sorted(used)] if used <= _CHEAP_ATOMS.keys() else None

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> dict[str, Any]:
        cheap = self._cheap  # set by setup(), which gunicorn's Logger runs on construction
        if cheap is None:  # a format with headers, the time or the user: gunicorn's own atoms
            return super().atoms(resp, req, environ, request_time)  # type: ignore[no-any-return]
        return {name: atom(resp, req, environ, request_time) for name, atom in cheap}

    def reopen_files(self) -> None:
        super().reopen_files()
        self._filter_handlers()

    def _filter_handlers(self) -> None:
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                _add_filter(handler)


def _add_filter(handler: logging.Handler) -> None:
    if not any(isinstance(f, PrivacyFilter) for f in handler.filters):
        handler.addFilter(PrivacyFilter())
