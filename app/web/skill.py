"""`POST /skill`: the one URL every Open Builder block calls. Thin: checks, parse, hand over, answer."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from flask import Blueprint, jsonify, request

from app.config import Settings
from app.kakao.render import apology_response
from app.kakao.request import SkillRequest, parse_skill_request
from app.privacy import mask_key
from app.web.errors import json_error
from app.web.runtime import runtime

log = logging.getLogger(__name__)
bp = Blueprint("skill", __name__)

SECRET_HEADER = "X-Skill-Secret"
SECRET_QUERY = "key"


@bp.post("/skill")
def skill() -> Any:
    settings = runtime().settings
    if not _authorized(settings):
        return json_error(401, "missing or wrong skill secret (X-Skill-Secret header or ?key=)")
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        return json_error(400, "Content-Type must be application/json")
    try:
        payload = json.loads(request.get_data(cache=False) or b"")
    except (ValueError, UnicodeDecodeError):
        return json_error(400, "request body is not valid JSON")
    skill_request = parse_skill_request(payload)
    if not _bot_allowed(settings, skill_request):
        log.warning("refused skill call from bot id %r (not in KAKAO_BOT_IDS)", skill_request.bot_id)
        return json_error(403, "this bot is not allowed to call the skill (KAKAO_BOT_IDS)")
    try:
        body = runtime().conversations.handle(skill_request)  # never raises in normal operation
    except Exception:  # last resort: Kakao still gets a valid answer with 상담직원 연결
        log.exception("skill turn failed for user=%s", mask_key(skill_request.user_key))
        body = apology_response()
    return jsonify(body)


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
