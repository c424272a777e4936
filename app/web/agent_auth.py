"""Who may use the agent inbox: named agents with server-side sessions, AGENT_TOKEN for the JSON API.

- AGENT_TOKEN (≥ 24 characters) turns the inbox on (without it every /agent URL is 404) and is the
  Bearer token of the JSON API (`Authorization: Bearer …`, acting as "API"). People sign in by name.
- Browser: POST /agent/login with name + password (accounts: `cs-bot agents add`) sets `agent_session`
  = a random id (HttpOnly, SameSite=Strict, Path=/agent, Secure over https). The store keeps who it
  is (app/agents/sessions.py): logout ends it at once, and so does disabling the agent (every request
  checks the account too).
- Sign-in attempts are rate-limited with flask-limiter per name and per address (failed attempts
  count; Redis storage when REDIS_URL is set, memory otherwise); failures are logged without password.
- Forms: a hidden `csrf_token` = HMAC-SHA256(AGENT_TOKEN, "agent-csrf:" + session id).
- `protect(bp)`: 404 while AGENT_TOKEN is unset; CSP (script nonce), no framing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from app.agents.accounts import Agent
from app.agents.sessions import SESSION_SECONDS
from app.agents.setup import AgentDesk, build_desk
from app.config import Settings
from app.web.errors import json_error
from app.web.runtime import runtime

log = logging.getLogger(__name__)

COOKIE = "agent_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
DISABLED = "agent inbox is disabled (set AGENT_TOKEN)"
EXTENSION = "agent_desk"
API_ACTOR = "API"
TOO_MANY = "로그인 시도가 너무 많습니다. 잠시 후 다시 시도해 주세요."

P = ParamSpec("P")
R = TypeVar("R")


def desk() -> AgentDesk:
    found: AgentDesk = current_app.extensions[EXTENSION]
    return found


def agent_token() -> str | None:
    token = runtime().settings.agent_token
    return token.get_secret_value() if token else None


def token_matches(token: str, given: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


# --- sessions ------------------------------------------------------------------------------------


def current_agent() -> Agent | None:
    """The signed-in agent of this request (an enabled account with a live session), or None."""
    if "agent" not in g:
        g.agent = None
        session_id = request.cookies.get(COOKIE, "")
        name = desk().sessions.who(session_id) if session_id and agent_token() else None
        agent = desk().accounts.get(name) if name else None
        if agent is not None and not agent.disabled:
            g.agent = agent
    found: Agent | None = g.agent
    return found


def signed_in() -> bool:
    return current_agent() is not None


def csrf_token() -> str:
    """The token this browser's forms must carry (empty when not signed in)."""
    token, session_id = agent_token(), request.cookies.get(COOKIE, "")
    if not (token and session_id and signed_in()):
        return ""
    return hmac.new(token.encode(), f"agent-csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(given: str | None) -> bool:
    expected = csrf_token()
    return bool(expected and given) and hmac.compare_digest((given or "").encode(), expected.encode())


def start_session(response: Response, agent: Agent) -> Response:
    response.set_cookie(
        COOKIE,
        desk().sessions.start(agent.name),
        max_age=SESSION_SECONDS,
        path="/agent",
        secure=is_https(),
        httponly=True,
        samesite="Strict",
    )
    log.info("agent inbox: %s signed in", agent.name)
    return response


def end_session(response: Response) -> Response:
    session_id = request.cookies.get(COOKIE, "")
    if session_id:
        desk().sessions.end(session_id)
    response.delete_cookie(COOKIE, path="/agent", secure=is_https(), httponly=True, samesite="Strict")
    return response


def is_https() -> bool:
    """https here, or at the load balancer in front of us (X-Forwarded-Proto)."""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.is_secure or forwarded == "https"


def safe_next(target: str | None) -> str:
    """Only a path inside the inbox: never another site (open redirect)."""
    default = url_for("agent.inbox")
    if not target or "\\" in target or target.startswith("//"):
        return default
    parts = urlsplit(target)
    inside = parts.path == "/agent" or parts.path.startswith("/agent/")
    return target if not parts.scheme and not parts.netloc and inside else default


def bearer_ok() -> bool:
    token, header = agent_token(), request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and token_matches(token or "", given.strip())


def message_page(status: int, title: str, text: str) -> tuple[str, int]:
    return render_template("agent/message.html", title=title, text=text), status


def page(view: Callable[P, R]) -> Callable[P, R | Any]:
    """An inbox page: sign in first (back here afterwards); POSTs need the form's CSRF token."""

    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Any:
        if not signed_in():
            wanted = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("agent.login", next=wanted))
        if request.method == "POST" and not csrf_ok(request.form.get(CSRF_FIELD)):
            return message_page(
                400,
                "요청을 처리할 수 없습니다",
                "보안 토큰이 없거나 맞지 않습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.",
            )
        return view(*args, **kwargs)

    return guarded


def api(view: Callable[P, R]) -> Callable[P, R | Any]:
    """A JSON endpoint: Bearer token, or the session cookie (+ X-CSRF-Token on POST)."""

    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Any:
        if bearer_ok():
            return view(*args, **kwargs)
        if not signed_in():
            response = jsonify(error="sign in, or send Authorization: Bearer <AGENT_TOKEN>")
            response.headers["WWW-Authenticate"] = 'Bearer realm="agent"'
            return response, 401
        if request.method == "POST" and not csrf_ok(request.headers.get(CSRF_HEADER)):
            return json_error(400, f"missing or wrong CSRF token ({CSRF_HEADER} header)")
        return view(*args, **kwargs)

    return guarded


def actor() -> str:
    """Who acts in this request: the signed-in agent's name, or "API" for the Bearer token."""
    agent = current_agent()
    return agent.name if agent is not None else API_ACTOR


# --- sign-in rate limits (flask-limiter) ----------------------------------------------------------


def _login_name() -> str:
    return "name:" + request.form.get("name", "").strip().lower()[:64]


def _login_address() -> str:
    return "address:" + get_remote_address()


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _limit_login(app: Flask, settings: Settings) -> Limiter:
    """Failed sign-ins count against the name and the address; over either limit, 429 in Korean."""
    storage = settings.redis_url or "memory://"
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=storage,
        storage_options={"socket_timeout": 1.0, "socket_connect_timeout": 1.0} if settings.redis_url else {},
        strategy="moving-window",
        key_prefix=f"{settings.redis_prefix}agent-login",
        swallow_errors=True,
    )
    limiter.init_app(app)
    endpoint = "agent.login_submit"
    view = app.view_functions[endpoint]
    for limits, key in (
        (settings.agent_login_limit_account, _login_name),
        (settings.agent_login_limit_address, _login_address),
    ):
        view = limiter.limit(limits, key_func=key, deduct_when=_failed)(view)
    app.view_functions[endpoint] = view
    return limiter


def limit_sign_in(bp: Blueprint) -> None:
    """Call after the sign-in view is defined (its URL rule must exist when the blueprint registers)."""

    @bp.record_once
    def _install(state: BlueprintSetupState) -> None:
        settings: Settings = state.app.extensions["cs_bot"].settings
        if settings.agent_token is not None:
            state.app.extensions[EXTENSION].limiter = _limit_login(state.app, settings)


def protect(bp: Blueprint) -> None:
    """Every inbox URL: 404 while AGENT_TOKEN is unset; strict security headers (CSP with a nonce)."""

    @bp.record_once
    def _install(state: BlueprintSetupState) -> None:
        settings: Settings = state.app.extensions["cs_bot"].settings
        state.app.extensions[EXTENSION] = build_desk(settings)

    @bp.before_request
    def _enabled() -> Any:
        if agent_token() is None:
            return json_error(404, DISABLED)
        g.csp_nonce = secrets.token_urlsafe(16)
        return None

    @bp.errorhandler(429)
    def _too_many(_exc: Exception) -> Any:
        log.warning("agent inbox: sign-in rate limit reached (name=%s)", request.form.get("name", "")[:32])
        if request.path.startswith("/agent/api/"):
            return json_error(429, "too many sign-in attempts; try again later")
        wanted = safe_next(request.form.get("next"))
        return render_template("agent/login.html", next=wanted, error=TOO_MANY, name=""), 429

    @bp.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'nonce-{g.get('csp_nonce', '')}'; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
            "base-uri 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        return response
