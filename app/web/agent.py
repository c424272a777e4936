"""Agent inbox (`/agent`): handoffs newest first, live; claiming (담당하기), status, history and an
internal memo per handoff — as Korean pages and as a JSON API (`/agent/api/…`) beside them.

Without AGENT_TOKEN every /agent URL answers 404. Sign-in, sessions and CSRF: app/web/agent_auth.py.
The list refreshes itself: the page polls `/agent/list` (an HTML fragment with an ETag, 304 when
nothing changed) and shows the number of waiting handoffs in the tab title.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from typing import Any, get_args

from flask import Blueprint, Response, g, jsonify, make_response, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from app.agents.accounts import AccountError, Agent, new_agent, verify
from app.handoff.chain import gone_note
from app.handoff.desks import inbox_link, payload
from app.handoff.record import (
    DELIVERY_LABELS,
    HISTORY_LABELS,
    SEOUL,
    STATUS_LABELS,
    HandoffRecord,
    HandoffView,
    Status,
)
from app.handoff.repository import Claim
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
PAGE_LIMIT = 100
API_LIMIT, API_MAX_LIMIT = 20, 50
POLL_SECONDS = 5
URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


auth.protect(bp)


@bp.errorhandler(StoreUnavailable)
def _store_down(exc: StoreUnavailable) -> Any:
    log.error("agent inbox: store unavailable: %s", type(exc).__name__)
    if request.path.startswith("/agent/api/"):
        return json_error(503, "handoff store is unavailable; try again shortly")
    return auth.message_page(503, "저장소에 연결할 수 없습니다", "잠시 후 다시 시도해 주세요.")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "csrf_token": auth.csrf_token,
        "signed_in": auth.signed_in,
        "me": auth.current_agent,
        "csp_nonce": g.get("csp_nonce", ""),
        "seoul": seoul,
        "short_key": short_key,
        "summary": summary,
        "delivery_line": delivery_line,
        "linkify": linkify,
        "STATUS_LABELS": STATUS_LABELS,
        "DELIVERY_LABELS": DELIVERY_LABELS,
        "HISTORY_LABELS": HISTORY_LABELS,
        "desk_label": desk_label,
        "gone_note": gone_note,
        "POLL_SECONDS": POLL_SECONDS,
    }


# --- sign-in ---------------------------------------------------------------------------------------


@bp.get("/login")
def login() -> Any:
    if auth.signed_in():
        return redirect(auth.safe_next(request.args.get("next")))
    wanted = auth.safe_next(request.args.get("next"))
    return render_template("agent/login.html", next=wanted, error=None, name="", no_accounts=no_accounts())


@bp.post("/login")
def login_submit() -> Any:
    """Rate-limited per name and per address (failed attempts) by agent_auth._limit_login."""
    name, wanted = request.form.get("name", "").strip(), auth.safe_next(request.form.get("next"))
    agent = verify(auth.desk().accounts, name, request.form.get("password", "")) if name else None
    if agent is None:
        log.warning("agent inbox: failed sign-in for name=%r", name[:32])
        error = "이름 또는 비밀번호가 올바르지 않습니다. 다시 입력해 주세요."
        page = render_template("agent/login.html", next=wanted, error=error, name=name, no_accounts=False)
        return page, 401
    return auth.start_session(redirect(wanted), agent)


auth.limit_sign_in(bp)  # per name and per address, failed attempts only


@bp.post("/logout")
@auth.page
def logout() -> Any:
    return auth.end_session(redirect(url_for("agent.login")))


def no_accounts() -> bool:
    try:
        return not auth.desk().accounts.all()
    except StoreUnavailable:
        return False


# --- the list (live) --------------------------------------------------------------------------------


def list_context() -> dict[str, Any]:
    chosen = request.args.get("status", DEFAULT_FILTER)
    chosen = chosen if chosen in STATUS_FILTERS else DEFAULT_FILTER
    category = request.args.get("category") or None
    me = auth.current_agent()
    mine = request.args.get("mine") == "1" and me is not None
    repo = runtime().handoffs.repo
    shown = repo.page(
        statuses=STATUS_FILTERS[chosen][1],
        category=category,
        assignee=me.name if mine and me else None,
        limit=PAGE_LIMIT,
    )
    counts = repo.counts(category=category, assignee=me.name if mine and me else None)
    categories = sorted(k.removeprefix("category:") for k in counts if k.startswith("category:"))
    return {
        "views": shown.views,
        "truncated": shown.next_cursor is not None,
        "counts": counts,
        "waiting": counts["all:open"],
        "filters": STATUS_FILTERS,
        "chosen": chosen,
        "categories": categories,
        "category": category,
        "mine": mine,
        "keep": list_params(),
    }


@bp.get("/")
@bp.get("")
@auth.page
def inbox() -> Any:
    return render_template("agent/inbox.html", **list_context())


@bp.get("/list")
@auth.page
def live_list() -> Any:
    """The list part of the page, for the page's polling: 304 while nothing changed (ETag)."""
    body = render_template("agent/_list.html", **list_context())
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    unchanged = request.if_none_match.contains(etag)
    response = Response(status=304) if unchanged else make_response(body)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- one handoff --------------------------------------------------------------------------------


@bp.get("/handoffs/<handoff_id>")
@auth.page
def detail(handoff_id: str) -> Any:
    view = full_view(handoff_id)
    if view is None:
        return _no_such_handoff()
    agents = [a for a in auth.desk().accounts.all() if not a.disabled]
    return render_template(
        "agent/detail.html",
        view=view,
        record=view.record,
        keep=list_params(),
        agents=agents,
        flash=request.args.get("flash"),
        moment=moment_index(view.record),
    )


@bp.post("/handoffs/<handoff_id>/claim")
@auth.page
def claim(handoff_id: str) -> Any:
    me = auth.current_agent()
    assert me is not None
    target = request.form.get("to") or me.name
    outcome = assign(handoff_id, me, target)
    if isinstance(outcome, tuple):
        return auth.message_page(*outcome)
    return back_to(handoff_id)


@bp.post("/handoffs/<handoff_id>/status")
@auth.page
def change_status(handoff_id: str) -> Any:
    status = request.form.get("status", "")
    if status not in STATUSES:
        return auth.message_page(400, "알 수 없는 상태입니다", "대기, 처리중, 완료 중 하나를 골라 주세요.")
    outcome = set_status(handoff_id, status, auth.current_agent())  # type: ignore[arg-type]
    if isinstance(outcome, tuple):
        return auth.message_page(*outcome)
    return back_to(handoff_id)


@bp.post("/handoffs/<handoff_id>/memo")
@auth.page
def memo(handoff_id: str) -> Any:
    handoffs = runtime().handoffs
    text = request.form.get("memo", "").strip()
    if handoffs.repo.set_memo(handoff_id, text, auth.actor(), handoffs.clock()) is None:
        return _no_such_handoff()
    return back_to(handoff_id, flash="memo")


@bp.route("/<path:_unknown>", methods=["GET", "POST"])
def unknown(_unknown: str) -> Any:
    if request.path.startswith("/agent/api/"):
        return json_error(404, "not found")
    return auth.message_page(404, "페이지를 찾을 수 없습니다", "주소를 확인해 주세요.")


def _no_such_handoff() -> tuple[str, int]:
    return auth.message_page(
        404, "상담 요청을 찾을 수 없습니다", "삭제되었거나 보관 기간이 지났을 수 있습니다."
    )


def back_to(handoff_id: str, **extra: str) -> Any:
    return redirect(url_for("agent.detail", handoff_id=handoff_id, **list_params(), **extra))


# --- JSON API ----------------------------------------------------------------------------------


@bp.get("/api/handoffs")
@auth.api
def api_list() -> Any:
    """A page of handoffs, newest first: `limit` 1–50 (default 20), `before` = the last `next_cursor`."""
    chosen = request.args.get("status", DEFAULT_FILTER)
    if chosen not in STATUS_FILTERS:
        return json_error(400, f"status must be one of {', '.join(STATUS_FILTERS)}")
    limit = request.args.get("limit", str(API_LIMIT))
    if not limit.isdigit() or not 1 <= int(limit) <= API_MAX_LIMIT:
        return json_error(400, f"limit must be a number from 1 to {API_MAX_LIMIT}")
    before = request.args.get("before") or None
    if before is not None and not re.fullmatch(r"\d+(\.\d+)?", before):
        return json_error(400, "before must be a next_cursor value from a previous page")
    shown = runtime().handoffs.repo.page(
        statuses=STATUS_FILTERS[chosen][1],
        category=request.args.get("category") or None,
        assignee=request.args.get("assignee") or None,
        before=before,
        limit=int(limit),
    )
    return jsonify(handoffs=[api_handoff(v) for v in shown.views], next_cursor=shown.next_cursor)


@bp.get("/api/handoffs/<handoff_id>")
@auth.api
def api_detail(handoff_id: str) -> Any:
    view = full_view(handoff_id)
    return jsonify(api_handoff(view)) if view else json_error(404, "handoff not found")


@bp.post("/api/handoffs/<handoff_id>/status")
@auth.api
def api_change_status(handoff_id: str) -> Any:
    body = request.get_json(silent=True)
    status = body.get("status") if isinstance(body, dict) else None
    if status not in STATUSES:
        return json_error(400, f'body must be JSON {{"status": one of {", ".join(STATUSES)}}}')
    outcome = set_status(handoff_id, status, auth.current_agent())
    if isinstance(outcome, tuple):
        return json_error(outcome[0], outcome[2])
    return jsonify(api_handoff(outcome))


@bp.post("/api/handoffs/<handoff_id>/claim")
@auth.api
def api_claim(handoff_id: str) -> Any:
    """Signed in: claim it yourself (`{"agent": name}` reassigns, leads only). Bearer: `{"agent": name}`."""
    body = request.get_json(silent=True)
    target = body.get("agent") if isinstance(body, dict) else None
    me = auth.current_agent()
    target = target or (me.name if me else None)
    if not isinstance(target, str) or not target:
        return json_error(400, 'body must be JSON {"agent": "<agent name>"}')
    outcome = assign(handoff_id, me, target)
    if isinstance(outcome, tuple):
        return json_error(outcome[0], outcome[2])
    return jsonify(api_handoff(outcome.view))


@bp.post("/api/agents")
def api_add_agent() -> Any:
    """Bootstrap without a shell: the Bearer token (only it, not a session) adds an agent account."""
    if not auth.bearer_ok():
        return json_error(401, "Authorization: Bearer <AGENT_TOKEN> required")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("name", "password")):
        return json_error(400, 'body must be JSON {"name": …, "password": …, "role": "agent" | "lead"}')
    role = body.get("role", "agent")
    if role not in ("agent", "lead"):
        return json_error(400, 'role must be "agent" or "lead"')
    try:
        agent = new_agent(body["name"], body["password"], role)
        auth.desk().accounts.add(agent)
    except AccountError as exc:
        return json_error(400, str(exc))
    log.info("agent inbox: agent %s added through the API", agent.name)
    return jsonify(name=agent.name, role=agent.role), 201


# --- what agents do -------------------------------------------------------------------------------

Refusal = tuple[int, str, str]


def full_view(handoff_id: str) -> HandoffView | None:
    repo = runtime().handoffs.repo
    view = repo.get(handoff_id)
    return repo.with_desk([view])[0] if view else None


def assign(handoff_id: str, me: Agent | None, target: str) -> Claim | Refusal:
    """담당하기 (target = me), or a lead (or the API) giving the handoff to `target`."""
    handoffs = runtime().handoffs
    if me is not None and target != me.name and not me.is_lead:
        return 403, "담당자를 바꿀 수 없습니다", "담당자 변경은 리드만 할 수 있습니다."
    account = auth.desk().accounts.get(target)
    if account is None or account.disabled:
        return 400, "담당자를 찾을 수 없습니다", f"사용할 수 있는 상담원이 아닙니다: {target}"
    take_over = me is None or me.is_lead
    outcome = handoffs.repo.claim(handoff_id, target, auth.actor(), handoffs.clock(), take_over=take_over)
    if outcome is None:
        return 404, "상담 요청을 찾을 수 없습니다", "삭제되었거나 보관 기간이 지났을 수 있습니다."
    if not outcome.ok:
        return 409, "이미 다른 상담원이 담당하고 있습니다", f"{outcome.holder}님이 담당 중입니다."
    log.info("agent inbox: handoff %s held by %s (by %s)", handoff_id, target, auth.actor())
    return outcome


def set_status(handoff_id: str, status: Status, me: Agent | None) -> HandoffView | Refusal:
    """A status change by the holder (or a lead, or the API); 처리중/완료 on an unclaimed handoff
    claims it first, so that two agents never work the same customer."""
    handoffs = runtime().handoffs
    view = full_view(handoff_id)
    if view is None:
        return 404, "상담 요청을 찾을 수 없습니다", "삭제되었거나 보관 기간이 지났을 수 있습니다."
    if me is not None and view.assignee not in (None, me.name) and not me.is_lead:
        return 409, "이미 다른 상담원이 담당하고 있습니다", f"{view.assignee}님이 담당 중입니다."
    if me is not None and view.assignee is None and status != "open":
        claimed = assign(handoff_id, me, me.name)
        if isinstance(claimed, tuple):
            return claimed
    changed = handoffs.repo.change_status(handoff_id, status, auth.actor(), handoffs.clock())
    if changed is None:
        return 404, "상담 요청을 찾을 수 없습니다", "삭제되었거나 보관 기간이 지났을 수 있습니다."
    log.info("agent inbox: handoff %s marked %s by %s", handoff_id, status, auth.actor())
    return changed


# --- helpers -----------------------------------------------------------------------------------


def list_params() -> dict[str, str]:
    """The list's filters, carried through the detail page so that 목록으로 returns to the same list."""
    return {k: v for k in ("status", "category", "mine") if (v := request.args.get(k))}


def api_handoff(view: HandoffView) -> dict[str, Any]:
    settings = runtime().settings
    return {
        **payload(view, inbox_link(settings.public_base_url or request.host_url, view.record.id)),
        "status": view.status,
        "status_label": view.status_label,
        "status_at": view.status_at.isoformat() if view.status_at else None,
        "assignee": view.assignee,
        "memo": view.memo.model_dump(mode="json") if view.memo else None,
        "history": [h.model_dump(mode="json") for h in view.history],
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


def desk_label(name: str) -> str:
    return runtime().handoffs.labels.desk(name)


def delivery_line(view: HandoffView) -> list[str]:
    return [f"{desk_label(desk)} {DELIVERY_LABELS[s.state]}" for desk, s in sorted(view.delivery.items())]


def linkify(text: str) -> Markup:
    """Escaped text with its http(s) URLs as links that open in a new tab."""
    parts, last = [], 0
    for found in URL.finditer(text):
        parts.append(escape(text[last : found.start()]))
        url = escape(found.group(0))
        parts.append(Markup(f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>'))
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def moment_index(record: HandoffRecord) -> int:
    """The transcript line where the customer was handed off: their last line in the record."""
    for index in range(len(record.transcript) - 1, -1, -1):
        if record.transcript[index].who == "customer":
            return index
    return max(len(record.transcript) - 1, 0)


from app.web import agent_insight  # noqa: E402, F401  (통계 for leads: routes on this blueprint)
