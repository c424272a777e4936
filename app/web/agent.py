"""Agent inbox (`/agent`, protected by AGENT_TOKEN): handoffs newest first, their transcript and facts,
marking them 처리중/완료 — as Korean pages and as a JSON API (`/agent/api/…`) beside them.

Without AGENT_TOKEN every /agent URL answers 404. Sign-in, cookies and CSRF: app/web/agent_auth.py.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any, get_args

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for

from app.handoff.desks import inbox_link, payload
from app.handoff.record import DELIVERY_LABELS, SEOUL, STATUS_LABELS, HandoffRecord, HandoffView, Status
from app.session import StoreUnavailable
from app.web import agent_auth as auth
from app.web.errors import json_error
from app.web.runtime import runtime

log = logging.getLogger(__name__)
bp = Blueprint("agent", __name__, url_prefix="/agent", template_folder="templates", static_folder="static")

STATUSES: tuple[Status, ...] = get_args(Status)
STATUS_FILTERS: dict[str, tuple[str, tuple[Status, ...]]] = {
    "active": ("미완료", ("open", "in_progress")),
    "open": ("대기", ("open",)),
    "in_progress": ("처리중", ("in_progress",)),
    "done": ("완료", ("done",)),
    "all": ("전체", STATUSES),
}
DEFAULT_FILTER = "active"
SCAN_LIMIT = 2000  # handoffs read to build a page (categories, counts); retention bounds them anyway
PAGE_LIMIT = 200
API_LIMIT, API_MAX_LIMIT = 100, 500


auth.protect(bp)


@bp.errorhandler(StoreUnavailable)
def _store_down(exc: StoreUnavailable) -> Any:
    log.error("agent inbox: handoff store unavailable: %s", type(exc).__name__)
    if request.path.startswith("/agent/api/"):
        return json_error(503, "handoff store is unavailable; try again shortly")
    return auth.message_page(503, "저장소에 연결할 수 없습니다", "잠시 후 다시 시도해 주세요.")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "csrf_token": auth.csrf_token,
        "signed_in": auth.signed_in,
        "csp_nonce": g.get("csp_nonce", ""),
        "seoul": seoul,
        "short_key": short_key,
        "summary": summary,
        "delivery_line": delivery_line,
        "STATUS_LABELS": STATUS_LABELS,
        "DELIVERY_LABELS": DELIVERY_LABELS,
    }


# --- pages -------------------------------------------------------------------------------------


@bp.get("/login")
def login() -> Any:
    if auth.signed_in():
        return redirect(auth.safe_next(request.args.get("next")))
    return render_template("agent/login.html", next=auth.safe_next(request.args.get("next")), error=None)


@bp.post("/login")
def login_submit() -> Any:
    token, wanted = auth.agent_token() or "", auth.safe_next(request.form.get("next"))
    if not auth.token_matches(token, request.form.get("token", "")):
        log.warning("agent inbox: sign-in with a wrong token")
        error = "토큰이 올바르지 않습니다. 다시 입력해 주세요."
        return render_template("agent/login.html", next=wanted, error=error), 401
    return auth.start_session(redirect(wanted), token)


@bp.post("/logout")
@auth.page
def logout() -> Any:
    return auth.end_session(redirect(url_for("agent.login")))


@bp.get("/")
@bp.get("")
@auth.page
def inbox() -> Any:
    chosen = request.args.get("status", DEFAULT_FILTER)
    chosen = chosen if chosen in STATUS_FILTERS else DEFAULT_FILTER
    views = runtime().handoffs.repo.list(limit=SCAN_LIMIT)
    categories = sorted({v.record.category for v in views})
    category = request.args.get("category") or None
    in_category = [v for v in views if category is None or v.record.category == category]
    shown = [v for v in in_category if v.status in STATUS_FILTERS[chosen][1]]
    return render_template(
        "agent/inbox.html",
        views=shown[:PAGE_LIMIT],
        truncated=len(shown) > PAGE_LIMIT,
        counts=Counter(v.status for v in in_category),
        filters=STATUS_FILTERS,
        chosen=chosen,
        categories=categories,
        category=category,
        keep=list_params(),
    )


@bp.get("/handoffs/<handoff_id>")
@auth.page
def detail(handoff_id: str) -> Any:
    view = runtime().handoffs.repo.get(handoff_id)
    if view is None:
        return _no_such_handoff()
    return render_template("agent/detail.html", view=view, record=view.record, keep=list_params())


@bp.post("/handoffs/<handoff_id>/status")
@auth.page
def change_status(handoff_id: str) -> Any:
    status = request.form.get("status", "")
    if status not in STATUSES:
        return auth.message_page(400, "알 수 없는 상태입니다", "대기, 처리중, 완료 중 하나를 골라 주세요.")
    if set_status(handoff_id, status) is None:  # type: ignore[arg-type]
        return _no_such_handoff()
    return redirect(url_for("agent.detail", handoff_id=handoff_id, **list_params()))


@bp.route("/<path:_unknown>", methods=["GET", "POST"])
def unknown(_unknown: str) -> Any:
    if request.path.startswith("/agent/api/"):
        return json_error(404, "not found")
    return auth.message_page(404, "페이지를 찾을 수 없습니다", "주소를 확인해 주세요.")


def _no_such_handoff() -> tuple[str, int]:
    return auth.message_page(
        404, "상담 요청을 찾을 수 없습니다", "삭제되었거나 보관 기간이 지났을 수 있습니다."
    )


# --- JSON API ----------------------------------------------------------------------------------


@bp.get("/api/handoffs")
@auth.api
def api_list() -> Any:
    chosen = request.args.get("status", DEFAULT_FILTER)
    if chosen not in STATUS_FILTERS:
        return json_error(400, f"status must be one of {', '.join(STATUS_FILTERS)}")
    limit = request.args.get("limit", str(API_LIMIT))
    if not limit.isdigit() or not 1 <= int(limit) <= API_MAX_LIMIT:
        return json_error(400, f"limit must be a number from 1 to {API_MAX_LIMIT}")
    category = request.args.get("category") or None
    views = runtime().handoffs.repo.list(category=category, limit=SCAN_LIMIT)
    shown = [v for v in views if v.status in STATUS_FILTERS[chosen][1]][: int(limit)]
    return jsonify(handoffs=[api_handoff(v) for v in shown])


@bp.get("/api/handoffs/<handoff_id>")
@auth.api
def api_detail(handoff_id: str) -> Any:
    view = runtime().handoffs.repo.get(handoff_id)
    return jsonify(api_handoff(view)) if view else json_error(404, "handoff not found")


@bp.post("/api/handoffs/<handoff_id>/status")
@auth.api
def api_change_status(handoff_id: str) -> Any:
    body = request.get_json(silent=True)
    status = body.get("status") if isinstance(body, dict) else None
    if status not in STATUSES:
        return json_error(400, f'body must be JSON {{"status": one of {", ".join(STATUSES)}}}')
    view = set_status(handoff_id, status)
    return jsonify(api_handoff(view)) if view else json_error(404, "handoff not found")


# --- helpers -----------------------------------------------------------------------------------


def set_status(handoff_id: str, status: Status) -> HandoffView | None:
    handoffs = runtime().handoffs
    view = handoffs.repo.set_status(handoff_id, status, handoffs.clock())
    if view is not None:
        log.info("agent inbox: handoff %s marked %s", handoff_id, status)
    return view


def list_params() -> dict[str, str]:
    """The list's filters, carried through the detail page so that 목록으로 returns to the same list."""
    return {k: v for k in ("status", "category") if (v := request.args.get(k))}


def api_handoff(view: HandoffView) -> dict[str, Any]:
    settings = runtime().settings
    return {
        **payload(view, inbox_link(settings.public_base_url or request.host_url, view.record.id)),
        "status": view.status,
        "status_label": view.status_label,
        "status_at": view.status_at.isoformat() if view.status_at else None,
        "delivery": {
            desk: {**state.model_dump(mode="json"), "state_label": DELIVERY_LABELS[state.state]}
            for desk, state in view.delivery.items()
        },
    }


def seoul(moment: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return moment.astimezone(SEOUL).strftime(fmt) if moment else "—"


def short_key(key: str | None, keep: int = 10) -> str:
    if not key:
        return "—"
    return key if len(key) <= keep + 2 else f"{key[:keep]}…"


def summary(record: HandoffRecord) -> str:
    """The first facts, else the first thing the customer typed (usually how they put the problem)."""
    if record.facts:
        return " · ".join(f"{f.label}: {f.value}" for f in record.facts[:2])
    typed = [e.text for e in record.transcript if e.who == "customer" and not e.tapped]
    return f"“{typed[0]}”" if typed else ""


def delivery_line(view: HandoffView) -> list[str]:
    return [f"{desk} {DELIVERY_LABELS[state.state]}" for desk, state in sorted(view.delivery.items())]
