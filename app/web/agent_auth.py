"""Who may use the agent inbox: AGENT_TOKEN, a session cookie derived from it, CSRF tokens for forms.

- Browser: POST /agent/login with the token sets `agent_session` = `<issued>.<HMAC-SHA256(token,
  "agent-session:<issued>")>` (HttpOnly, SameSite=Strict, Path=/agent, Secure over https, 12 h).
  Nothing is kept on the server: rotating AGENT_TOKEN ends every session.
- Forms: a hidden `csrf_token` = HMAC-SHA256(token, "agent-csrf:" + cookie) (signed double submit).
- JSON API: `Authorization: Bearer <token>`, or the cookie (then POSTs need the `X-CSRF-Token` header).
- `protect(bp)`: 404 on every /agent URL while AGENT_TOKEN is unset; CSP (script nonce), no framing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, jsonify, redirect, render_template, request, url_for

from app.web.errors import json_error
from app.web.runtime import runtime

COOKIE = "agent_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_SECONDS = 12 * 3600
DISABLED = "agent inbox is disabled (set AGENT_TOKEN)"

P = ParamSpec("P")
R = TypeVar("R")


def agent_token() -> str | None:
    token = runtime().settings.agent_token
    return token.get_secret_value() if token else None


def _sign(token: str, message: str) -> str:
    return hmac.new(token.encode(), message.encode(), hashlib.sha256).hexdigest()


def token_matches(token: str, given: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def session_value(token: str, issued: int) -> str:
    return f"{issued}.{_sign(token, f'agent-session:{issued}')}"


def session_valid(token: str, value: str, now: float) -> bool:
    issued, _, _signature = value.partition(".")
    if not issued.isdigit():
        return False
    fresh = -60 <= now - int(issued) < SESSION_SECONDS  # a minute of clock skew between workers
    return fresh and hmac.compare_digest(value.encode(), session_value(token, int(issued)).encode())


def csrf_for(token: str, cookie: str) -> str:
    return _sign(token, f"agent-csrf:{cookie}")


def signed_in() -> bool:
    token, cookie = agent_token(), request.cookies.get(COOKIE, "")
    return bool(token and cookie) and session_valid(token or "", cookie, time.time())


def csrf_token() -> str:
    """The token this browser's forms must carry (empty when not signed in)."""
    token, cookie = agent_token(), request.cookies.get(COOKIE, "")
    return csrf_for(token, cookie) if token and cookie else ""


def csrf_ok(given: str | None) -> bool:
    expected = csrf_token()
    return bool(expected and given) and hmac.compare_digest((given or "").encode(), expected.encode())


def start_session(response: Response, token: str) -> Response:
    response.set_cookie(
        COOKIE,
        session_value(token, int(time.time())),
        max_age=SESSION_SECONDS,
        path="/agent",
        secure=is_https(),
        httponly=True,
        samesite="Strict",
    )
    return response


def end_session(response: Response) -> Response:
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
            response = jsonify(error="agent token required (Authorization: Bearer <AGENT_TOKEN>)")
            response.headers["WWW-Authenticate"] = 'Bearer realm="agent"'
            return response, 401
        if request.method == "POST" and not csrf_ok(request.headers.get(CSRF_HEADER)):
            return json_error(400, f"missing or wrong CSRF token ({CSRF_HEADER} header)")
        return view(*args, **kwargs)

    return guarded


def protect(bp: Blueprint) -> None:
    """Every inbox URL: 404 while AGENT_TOKEN is unset; strict security headers (CSP with a nonce)."""

    @bp.before_request
    def _enabled() -> Any:
        if agent_token() is None:
            return json_error(404, DISABLED)
        g.csp_nonce = secrets.token_urlsafe(16)
        return None

    @bp.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'nonce-{g.get('csp_nonce', '')}'; style-src 'self'; "
            "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        return response
