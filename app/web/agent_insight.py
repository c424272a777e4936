"""`/agent/insight` (통계), for leads: the report of `cs-bot report` and the diagrams of `cs-bot graph`
for a period, drawn from the same events. Other agents get 403; the JSON API has no such page.

The routes live on the inbox blueprint (its sign-in, CSRF and security headers apply); charts and
diagrams are drawn on request (PNG / SVG) from the period in the query string.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Response, render_template, request

from app.insight.cli import Unusable, period
from app.insight.report import OUTCOMES, Report, build_report, node_order, percent
from app.insight.tables import VIA, csat_text
from app.web import agent_auth as auth
from app.web.agent import bp
from app.web.runtime import runtime

CHART_NAME = r"containment|funnel-[a-z0-9_]+"


def lead_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        me = auth.current_agent()
        if me is None or not me.is_lead:
            return auth.message_page(
                403, "리드만 볼 수 있습니다", "통계는 리드 계정으로 로그인하면 볼 수 있어요."
            )
        return view(*args, **kwargs)

    return guarded


def current_report() -> tuple[Report, dict[str, str]]:
    """The report for ?from=&to= (default: the last 7 days) and the query that reproduces it."""
    rt = runtime()
    chosen = {k: v for k in ("from", "to") if (v := request.args.get(k, "").strip())}
    start, end = period(chosen.get("from"), chosen.get("to"))
    from app.insight.cli import load_events

    try:
        events = load_events(rt.settings, None, start, end)
    except Unusable:  # no Redis: this process's memory ring
        events = list(rt.conversations.insight.log.read(start, end + rt.settings.session_ttl_seconds + 1))
    ttl = rt.settings.session_ttl_seconds
    report = build_report(rt.catalog, events, start=start, end=end, ttl=ttl, now=time.time())
    return report, chosen


@bp.get("/insight")
@auth.page
@lead_only
def insight() -> Any:
    try:
        report, chosen = current_report()
    except Unusable as exc:
        return auth.message_page(400, "기간을 확인해 주세요", str(exc))
    catalog = runtime().catalog
    nodes = {
        flow: [
            (ref, catalog.node(ref).kind if ref in catalog else "") for ref in node_order(catalog, flow, s)
        ]
        for flow, s in report.flows.items()
    }
    return render_template(
        "agent/insight.html",
        report=report,
        chosen=chosen,
        outcomes=OUTCOMES,
        nodes=nodes,
        percent=percent,
        csat_text=csat_text,
        via_labels=VIA,
        reason_label=runtime().handoffs.labels.reason,  # Korean, as everywhere an agent reads a reason
    )


def _kind(ref: str) -> str:
    catalog = runtime().catalog
    return catalog.node(ref).kind if ref in catalog else ""


@bp.get("/insight/chart/<name>.png")
@auth.page
@lead_only
def insight_chart(name: str) -> Any:
    from app.insight.charts import containment_chart, funnel_chart

    report, _ = current_report()
    flow = name.removeprefix("funnel-")
    if name != "containment" and flow not in report.flows:
        return auth.message_page(404, "차트를 찾을 수 없습니다", name)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "chart.png"
        if name == "containment":
            containment_chart(report, path)
        else:
            funnel_chart(runtime().catalog, report.flows[flow], path)
        return Response(path.read_bytes(), mimetype="image/png")


@bp.get("/insight/graph/<flow>.svg")
@auth.page
@lead_only
def insight_graph(flow: str) -> Any:
    from app.insight.graph import svg

    report, _ = current_report()
    if flow not in report.flows:
        return auth.message_page(404, "안내를 찾을 수 없습니다", flow)
    return Response(svg(runtime().catalog, flow, report.flows[flow]), mimetype="image/svg+xml")
