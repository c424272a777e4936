"""`POST /skill`: the one URL every Open Builder block calls. Thin: checks, parse, hand over, answer.

The body is read and parsed once per request (`incoming()`, cached on `g`), first for the per-user
rate limit (flask-limiter, keyed on the Kakao user key), then for the turn.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, g, request
from flask_limiter import Limiter, RequestLimit
from werkzeug.exceptions import RequestEntityTooLarge

from app.config import Settings
from app.kakao.render import apology_json, response_json, slow_down_json
from app.kakao.request import SkillRequest, load_payload, parse_skill_request
from app.kakao.tolerant import TooDeep
from app.privacy import mask_key
from app.web.errors import json_error
from app.web.runtime import runtime

log = logging.getLogger(__name__)
bp = Blueprint("skill", __name__)

SECRET_HEADER = "X-Skill-Secret"
SECRET_QUERY = "key"
JSON = "application/json"


@bp.post("/skill")
def skill() -> Any:
    found = incoming()
    if not isinstance(found, SkillRequest):
        return found
    try:
        body = response_json(runtime().conversations.handle(found))  # never raises in normal operation
    except Exception:  # last resort: Kakao still gets a valid answer with 상담직원 연결
        log.exception("skill turn failed for user=%s", mask_key(found.user_key))
        body = apology_json()
    return Response(body, mimetype=JSON)


def incoming() -> SkillRequest | tuple[Response, int]:
    """This request's SkillRequest, or the error response (401/400/413/403); computed once."""
    if "skill_request" not in g:
        g.skill_request = _incoming(runtime().settings)
    found: SkillRequest | tuple[Response, int] = g.skill_request
    return found


def _incoming(settings: Settings) -> SkillRequest | tuple[Response, int]:
    if not _authorized(settings):
        return json_error(401, "missing or wrong skill secret (X-Skill-Secret header or ?key=)")
    if request.mimetype != JSON and not request.mimetype.endswith("+json"):
        return json_error(400, "Content-Type must be application/json")
    body = _read_body(settings.max_body_bytes)
    if body is None:
        return json_error(413, "request body is too large")
    try:
        payload = load_payload(body)
    except TooDeep:
        return json_error(400, "request body is nested too deeply")
    except ValueError:
        return json_error(400, "request body is not valid JSON")
    skill_request = parse_skill_request(payload, cleaned=True)
    if not _bot_allowed(settings, skill_request):
        log.warning("refused skill call from bot id %r (not in KAKAO_BOT_IDS)", skill_request.bot_id)
        return json_error(403, "this bot is not allowed to call the skill (KAKAO_BOT_IDS)")
    return skill_request


def _read_body(limit: int) -> bytes | None:
    """At most `limit` bytes; None when there are more — also for chunked bodies without a
    Content-Length (MAX_CONTENT_LENGTH already refused a declared length over the limit)."""
    try:
        stream = request.stream  # a declared length over the limit raises 413 here
        data = stream.read(limit + 1)  # chunked: capped at `limit`, reading past it raises 413
        if len(data) >= limit and stream.read(1):
            return None
    except RequestEntityTooLarge:
        return None
    return data if len(data) <= limit else None


def _authorized(settings: Settings) -> bool:
    if settings.skill_secret is None:
        return True
    expected = settings.skill_secret.get_secret_value().encode()
    given = (request.headers.get(SECRET_HEADER) or request.args.get(SECRET_QUERY) or "").encode()
    return hmac.compare_digest(given, expected)


def _bot_allowed(settings: Settings, skill_request: SkillRequest) -> bool:
    """An allowed id also admits its development bot (Kakao appends `!` to the development bot id)."""
    if not settings.kakao_bot_ids:
        return True
    return (
        skill_request.bot_id in settings.kakao_bot_ids or skill_request.bot_id_base in settings.kakao_bot_ids
    )


# --- per-user rate limit ----------------------------------------------------------------------


def rate_key() -> str:
    found = incoming()
    return found.user_key if isinstance(found, SkillRequest) else ""


def rate_exempt() -> bool:
    """Refused requests and requests without a user key are not counted (they keep no state)."""
    return not rate_key()


def too_fast(limit: RequestLimit) -> Response:
    log.warning("rate limit %s reached by user=%s", limit.limit, mask_key(rate_key()))
    return Response(slow_down_json(), mimetype=JSON)


def install_rate_limit(app: Any, settings: Settings) -> Limiter | None:
    """flask-limiter on /skill: RATE_LIMIT per Kakao user (default `20/5seconds;120/minute`), counted in
    RATE_LIMIT_STORAGE (`memory://`: per process, no round trip; a Redis URL: shared by all)."""
    if not settings.rate_limit:
        return None
    limiter = Limiter(
        rate_key,
        app=app,
        storage_uri=settings.rate_limit_storage,
        strategy="fixed-window",
        headers_enabled=False,
        swallow_errors=True,  # a limiter storage outage never fails a turn
        key_prefix=f"{settings.redis_prefix}rate",
    )
    limiter.limit(settings.rate_limit, exempt_when=rate_exempt, on_breach=too_fast)(bp)
    return limiter
