"""`create_app(config=None)`: the Flask application factory (also the gunicorn entry point)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from app.config import Settings, load_settings
from app.content_check import load_checked_catalog
from app.conversation import Conversations
from app.handoff.setup import build_handoff_service
from app.insight.recorder import build_recorder
from app.kakao.tolerant import TooDeep, clean_json
from app.logs import configure_logging
from app.session import MemoryStore, rate_windows, store_from_url
from app.web import agent, health, metrics, skill
from app.web.errors import json_error
from app.web.runtime import Runtime

log = logging.getLogger(__name__)


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the app from environment variables, optionally overridden by `config` (tests).

    Refuses to start (ContentError naming file and node) when flows or templates are invalid or a
    node would render a response that breaks one of Kakao's limits.
    """
    settings = config if isinstance(config, Settings) else load_settings(dict(config or {}))
    configure_logging(settings.log_level, settings.log_format)
    catalog = load_checked_catalog(settings.skills_dir, settings.templates_dir, settings.bot_vars)
    store = store_from_url(
        settings.redis_url,
        rate_limits=rate_windows(settings.rate_limit),
        ttl_seconds=settings.session_ttl_seconds,
        lock_wait_seconds=settings.lock_wait_seconds,
        lock_timeout_seconds=settings.lock_timeout_seconds,
        prefix=settings.redis_prefix,
        transcript_entries=settings.transcript_max_entries,
        transcript_ttl_seconds=settings.transcript_ttl_seconds,
    )
    if os.environ.get("RATE_LIMIT_STORAGE"):
        log.warning(
            "RATE_LIMIT_STORAGE is no longer used: the per-user limit is counted by the session store "
            "(in Redis with the customer's lock when REDIS_URL is set)"
        )
    if isinstance(store, MemoryStore):
        log.warning("REDIS_URL is not set: conversations live in this process only (run one worker)")

    handoffs = build_handoff_service(settings)
    insight = build_recorder(settings, catalog)
    conversations = Conversations(catalog, store, handoffs, insight=insight)
    runtime = Runtime(settings, catalog, store, handoffs, conversations)

    app = Flask(__name__)
    app.json = SafeJSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    runtime.install(app)
    runtime.start_spool_drainer()
    endpoint = skill.SkillEndpoint(app.wsgi_app, settings, skill.conversation_handler(conversations))
    app.wsgi_app = endpoint  # type: ignore[method-assign]  # POST /skill without Flask's per-request work
    app.add_url_rule("/skill", "skill", lambda: _through(endpoint), methods=["POST"])
    app.register_blueprint(health.bp)
    app.register_blueprint(agent.bp)
    app.register_blueprint(metrics.bp)  # request ids, latency, GET /metrics
    app.register_error_handler(HTTPException, _http_error)
    log.info("ready: %d flows, %s store", len(catalog.flows), type(store).__name__)
    return app


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON with Korean kept readable, and JSON too deep to parse read as invalid (ValueError,
    so `get_json(silent=True)` gives None and the route answers 400) instead of a RecursionError 500."""

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return clean_json(super().loads(s, **kwargs))
        except RecursionError as exc:
            raise TooDeep("JSON nested too deeply") from exc


def _through(endpoint: skill.SkillEndpoint) -> Response:
    """POST /skill reached through Flask (the endpoint normally answers before Flask sees it)."""
    status, body = endpoint.answer(request.environ)
    return Response(body, status=status, mimetype=skill.JSON)


def _http_error(exc: HTTPException) -> Any:
    """Every HTTP error as JSON `{"error": …}` (413 for bodies over MAX_BODY_BYTES, 404, 405, …)."""
    messages = {413: "request body is too large", 404: "not found", 405: "method not allowed"}
    return json_error(exc.code or 500, messages.get(exc.code or 500, exc.description or exc.name))
