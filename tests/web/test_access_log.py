"""The access line gunicorn writes through PrivateLogger: the same text as gunicorn's own atoms give,
only cheaper for formats without headers, and never a phone number, plate or secret."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from app.privacy import PrivacyFilter
from app.web.gunicorn_log import PrivateLogger

PROCFILE_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def logger(fmt: str, cls: type[Logger] = PrivateLogger) -> tuple[Logger, io.StringIO]:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", fmt)
    log = cls(cfg)
    out = io.StringIO()
    (handler,) = [h for h in log.access_log.handlers if getattr(h, "_gunicorn", False)]  # not pytest's
    handler.setStream(out)  # type: ignore[attr-defined]
    return log, out


def access_line(log: Logger, out: io.StringIO, resp: Any, environ: dict[str, Any], took: timedelta) -> str:
    request = SimpleNamespace(headers=[("HOST", "bot.example"), ("USER-AGENT", "kakao-skill/1")])
    log.access(resp, request, environ, took)
    line = out.getvalue()
    out.seek(0)
    out.truncate()
    return line


RESPONSES = [
    SimpleNamespace(status="200 OK", sent=1532, headers=[("Content-Type", "application/json")]),
    SimpleNamespace(status=413, sent=None, headers=[]),
    SimpleNamespace(status='400 Bad "Request"', sent=0, headers=[]),
]
ENVIRONS = [
    {"REMOTE_ADDR": "10.0.0.7", "REQUEST_METHOD": "POST", "PATH_INFO": "/skill", "QUERY_STRING": "key=s"},
    {"REQUEST_METHOD": "GET", "PATH_INFO": '/a"b', "SERVER_PROTOCOL": "HTTP/1.0"},  # no address, a quote
    {"REQUEST_METHOD": "HEAD"},
]
FORMATS = [
    PROCFILE_FORMAT,
    "%(h)s %(l)s %(s)s %(b)s %(B)s %(T)s %(D)s %(M)s %(L)s %(H)s %(f)s %(a)s %(m)s %(U)s %(q)s",
    '%(h)s "%({user-agent}i)s" %(s)s',  # a header: gunicorn's own atoms
    "%(t)s %(r)s %(u)s %(s)s",  # the clock, the raw request line, the user: gunicorn's own atoms
    "%(zz)s %(s)s",  # an atom gunicorn does not know: '-'
]


def every_line(fmt: str, cls: type[Logger]) -> list[str]:
    """Lines for every response × environ (gunicorn's "gunicorn.access" logger is one for the process:
    one logger class at a time)."""
    log, out = logger(fmt, cls)
    took = timedelta(seconds=1, microseconds=5300)
    lines = []
    for resp in RESPONSES:
        for environ in ENVIRONS:
            environ = {"RAW_URI": environ.get("PATH_INFO", "/"), "SERVER_PROTOCOL": "HTTP/1.1", **environ}
            line = access_line(log, out, resp, environ, took)
            lines.append(line.split("]", 1)[1] if "%(t)s" in fmt else line)  # the clock may tick
    return lines


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_access_line_is_gunicorns_own(fmt: str) -> None:
    ours, theirs = every_line(fmt, PrivateLogger), every_line(fmt, Logger)
    assert ours == theirs
    assert all(line.endswith("\n") and len(line) > 5 for line in ours)


def test_the_procfile_format_reads_the_request_and_its_answer() -> None:
    log, out = logger(PROCFILE_FORMAT)
    resp = SimpleNamespace(status="200 OK", sent=1532, headers=[])
    environ = {"REMOTE_ADDR": "10.0.0.7", "REQUEST_METHOD": "POST", "PATH_INFO": "/skill"}
    assert access_line(log, out, resp, environ, timedelta(microseconds=5300)) == (
        '10.0.0.7 "POST /skill" 200 1532 5ms\n'
    )


def test_an_access_line_never_shows_a_phone_a_plate_or_a_secret() -> None:
    log, out = logger('%(h)s "%(m)s %(U)s %(q)s" %(s)s')
    resp = SimpleNamespace(status="404 Not Found", sent=10, headers=[])
    environ = {
        "REMOTE_ADDR": "10.0.0.7",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/lookup/010-1234-5678/12가3456",
        "QUERY_STRING": "key=s3cret-value",
    }
    line = access_line(log, out, resp, environ, timedelta(microseconds=900))
    assert "404" in line and "/lookup/" in line
    for private in ("010-1234-5678", "12가3456", "s3cret-value"):
        assert private not in line


def test_the_privacy_filter_formats_a_message_once_for_every_handler() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    log = logging.getLogger("tests.access.once")
    log.propagate = False
    log.addHandler(handler)
    try:
        handler.addFilter(PrivacyFilter())
        log.warning("call %s about %s", "010-9876-5432", "주차")
        log.warning("plain %d%%", 5)
    finally:
        log.removeHandler(handler)
    assert out.getvalue() == "call [전화번호] about 주차\nplain 5%\n"
