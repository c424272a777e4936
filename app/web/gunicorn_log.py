"""gunicorn's own logs (error log, access log) through the app's privacy filter.

gunicorn writes some lines before the app sees a request — e.g. "Invalid request from ip=…: Invalid
HTTP request line: 'GET /skill?key=<secret> …'" for a malformed request line. This logger class
(`logger_class` in gunicorn.conf.py) scrubs `?key=` secrets, phone and plate numbers and user keys
from every line gunicorn logs, as the app's own logs are.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.glogging import Logger

from app.privacy import PrivacyFilter


class PrivateLogger(Logger):  # type: ignore[misc]
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self._filter_handlers()

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
