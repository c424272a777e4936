"""`POST /skill`: the one URL every Open Builder block calls. Thin: checks, parse, hand over, answer.

It is served straight from the WSGI environ, in front of Flask (`SkillEndpoint` wraps the app's
`wsgi_app`): a turn is a few hundred microseconds of work, and Flask's request context, URL
matching and hooks cost as much again. Everything else — the agent desk, health, metrics, any other
method on /skill — goes on to Flask. What Flask's hooks do for every request (a request id on each
log line and in `X-Request-Id`, the latency histogram) is done here the same way.

The per-user rate limit is counted by the session store, in the same round trip that takes the
customer's lock (app/session/redis_store.py); over it the customer reads "잠시 후 다시".
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import orjson
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from app.config import Settings
from app.kakao.render import apology_json, response_json
from app.kakao.request import SkillRequest, load_payload, parse_skill_request
from app.kakao.tolerant import TooDeep
from app.logs import REQUEST_ID_HEADER, new_request_id, request_id_var
from app.metrics import record_request
from app.privacy import mask_key

log = logging.getLogger(__name__)

PATH = "/skill"
SECRET_HEADER = "X-Skill-Secret"
SECRET_QUERY = "key"
JSON = "application/json"
_SECRET_ENVIRON = "HTTP_" + SECRET_HEADER.upper().replace("-", "_")
_REQUEST_ID_ENVIRON = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
_STATUS = {
    200: "200 OK",
    400: "400 BAD REQUEST",
    401: "401 UNAUTHORIZED",
    403: "403 FORBIDDEN",
    413: "413 REQUEST ENTITY TOO LARGE",
}

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Refused(Exception):
    """The request cannot be a turn: answered with `status` and `{"error": message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SkillEndpoint:
    """WSGI middleware: POST /skill here, every other request to `app` (Flask's wsgi_app)."""

    def __init__(self, app: WSGIApp, settings: Settings, handle: Callable[[SkillRequest], bytes]) -> None:
        self.app = app
        self.settings = settings
        self.handle = handle  # SkillRequest → the response body (never raises in normal operation)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        started = time.perf_counter()
        request_id = new_request_id(environ.get(_REQUEST_ID_ENVIRON))
        token = request_id_var.set(request_id)
        try:
            status, body = self.answer(environ)
        finally:
            request_id_var.reset(token)
        headers = [
            ("Content-Type", JSON),
            ("Content-Length", str(len(body))),
            (REQUEST_ID_HEADER, request_id),
        ]
        start_response(_STATUS[status], headers)
        record_request(PATH, "POST", status, time.perf_counter() - started)
        return [body]

    def answer(self, environ: dict[str, Any]) -> tuple[int, bytes]:
        # Under gevent: let the requests already in progress go on before this one starts (FIFO-ish
        # turns keep the p99 down, and the worker's I/O is gathered in fewer loop passes; measured
        # 0.58x -> 0.62x the floor's requests/s and ~50 µs less CPU per request, scripts/bench_wrk.py).
        time.sleep(0)
        try:
            found = self.incoming(environ)
        except Refused as refused:
            return refused.status, orjson.dumps({"error": str(refused)})
        try:
            return 200, self.handle(found)
        except Exception:  # last resort: Kakao still gets a valid answer with 상담직원 연결
            log.exception("skill turn failed for user=%s", mask_key(found.user_key))
            return 200, apology_json()

    def incoming(self, environ: dict[str, Any]) -> SkillRequest:
        """This request's SkillRequest; Refused (401/400/413/403) when it cannot be one."""
        settings = self.settings
        if not _authorized(settings, environ):
            raise Refused(401, "missing or wrong skill secret (X-Skill-Secret header or ?key=)")
        mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        if mimetype != JSON and not mimetype.endswith("+json"):
            raise Refused(400, "Content-Type must be application/json")
        body = _read_body(environ, settings.max_body_bytes)
        try:
            payload = load_payload(body)
        except TooDeep:
            raise Refused(400, "request body is nested too deeply") from None
        except ValueError:
            raise Refused(400, "request body is not valid JSON") from None
        skill_request = parse_skill_request(payload, cleaned=True)
        if not _bot_allowed(settings, skill_request):
            log.warning("refused skill call from bot id %r (not in KAKAO_BOT_IDS)", skill_request.bot_id)
            raise Refused(403, "this bot is not allowed to call the skill (KAKAO_BOT_IDS)")
        return skill_request


def conversation_handler(conversations: Any) -> Callable[[SkillRequest], bytes]:
    """The endpoint's `handle`: one turn of `conversations`, as the response body."""

    def handle(skill_request: SkillRequest) -> bytes:
        return response_json(conversations.handle(skill_request))

    return handle


def _read_body(environ: dict[str, Any], limit: int) -> bytes:
    """At most `limit` bytes; Refused(413) when there are more — a declared length over the limit is
    refused unread, a chunked body (no Content-Length) is read no further than the limit."""
    length = environ.get("CONTENT_LENGTH") or ""
    if length.strip().isdigit() and int(length) > limit:
        raise Refused(413, "request body is too large")
    if length.isdigit() and not environ.get("HTTP_TRANSFER_ENCODING"):  # the usual case: read it all
        body: bytes = environ["wsgi.input"].read(int(length))
        return body
    try:
        stream = get_input_stream(environ, max_content_length=limit)
        data: bytes = stream.read(limit + 1)
        if len(data) > limit or (len(data) == limit and stream.read(1)):
            raise Refused(413, "request body is too large")
    except RequestEntityTooLarge:
        raise Refused(413, "request body is too large") from None
    return data


def _authorized(settings: Settings, environ: dict[str, Any]) -> bool:
    if settings.skill_secret is None:
        return True
    expected = settings.skill_secret.get_secret_value().encode()
    given = environ.get(_SECRET_ENVIRON) or ""
    if not given and environ.get("QUERY_STRING"):
        given = (parse_qs(environ["QUERY_STRING"]).get(SECRET_QUERY) or [""])[0]
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected)


def _bot_allowed(settings: Settings, skill_request: SkillRequest) -> bool:
    """An allowed id also admits its development bot (Kakao appends `!` to the development bot id)."""
    if not settings.kakao_bot_ids:
        return True
    return (
        skill_request.bot_id in settings.kakao_bot_ids or skill_request.bot_id_base in settings.kakao_bot_ids
    )
