"""`POST /skill`: the one URL every Open Builder block calls. Thin: checks, parse, rate limit per
user, hand over, answer."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, current_app, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
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
RATE_LIMIT = "cs_bot_rate_limit"


@bp.post("/skill")
def skill() -> Any:
    found = _incoming(runtime().settings)
    if not isinstance(found, SkillRequest):
        return found
    if _too_fast(found.user_key):
        return Response(slow_down_json(), mimetype=JSON)
    try:
        body = response_json(runtime().conversations.handle(found))  # never raises in normal operation
    except Exception:  # last resort: Kakao still gets a valid answer with 상담직원 연결
        log.exception("skill turn failed for user=%s", mask_key(found.user_key))
        body = apology_json()
    return Response(body, mimetype=JSON)


def _incoming(settings: Settings) -> SkillRequest | tuple[Response, int]:
    """This request's SkillRequest, or the error response (401/400/413/403)."""
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


class RateLimit:
    """RATE_LIMIT per Kakao user (default `20/5seconds;120/minute`), counted by `limits` — the
    rate-limit engine flask-limiter is built on, used directly: flask-limiter's request middleware
    cost ~0.4 ms per turn (≈40 % of one), a direct hit ~10 µs. RATE_LIMIT_STORAGE `memory://` counts
    per process (no round trip); a Redis URL counts across every worker and machine (+1 round trip).
    """

    def __init__(self, spec: str, storage_uri: str, prefix: str) -> None:
        self.items = parse_many(spec)
        self.limiter = FixedWindowRateLimiter(storage_from_string(storage_uri))
        self.namespace = f"{prefix}rate"

    def allow(self, user_key: str) -> bool:
        try:
            return all(self.limiter.hit(item, self.namespace, user_key) for item in self.items)
        except Exception as exc:  # a limiter storage outage never fails a turn
            log.warning("rate limit not checked: %s", type(exc).__name__)
            return True


def install_rate_limit(app: Any, settings: Settings) -> RateLimit | None:
    limit = (
        RateLimit(settings.rate_limit, settings.rate_limit_storage, settings.redis_prefix)
        if settings.rate_limit
        else None
    )
    app.extensions[RATE_LIMIT] = limit
    return limit


def _too_fast(user_key: str) -> bool:
    limit: RateLimit | None = current_app.extensions.get(RATE_LIMIT)
    if limit is None or not user_key or limit.allow(user_key):
        return False
    log.warning("rate limit reached by user=%s", mask_key(user_key))
    return True
