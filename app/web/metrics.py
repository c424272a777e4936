"""Observability hooks for every request, and `GET /metrics` for Prometheus.

Each request gets a request id (the caller's `X-Request-Id` when it sends a sane one, else a new one):
it is on every log line written while the request runs and echoed in the `X-Request-Id` response
header. Its latency is observed per route (the URL rule, never the raw path), method and status.

`/metrics` is open like any scrape target; with `METRICS_TOKEN` set it needs
`Authorization: Bearer <token>` (401 otherwise).
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from flask import Blueprint, Response, g, request

from app.logs import REQUEST_ID_HEADER, new_request_id, request_id_var
from app.metrics import QueueDepth, exposition, record_request
from app.web.errors import json_error
from app.web.runtime import runtime

bp = Blueprint("metrics", __name__)


@bp.before_app_request
def _start() -> None:
    g.csbot_started = time.perf_counter()
    g.csbot_request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.csbot_request_id_token = request_id_var.set(g.csbot_request_id)


@bp.after_app_request
def _finish(response: Response) -> Response:
    started = g.get("csbot_started")
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        record_request(route, request.method, response.status_code, time.perf_counter() - started)
    if g.get("csbot_request_id"):
        response.headers[REQUEST_ID_HEADER] = g.csbot_request_id
    return response


@bp.teardown_app_request
def _forget(_exc: BaseException | None) -> None:
    token = g.pop("csbot_request_id_token", None)
    if token is not None:
        request_id_var.reset(token)


@bp.get("/metrics")
def metrics() -> Any:
    expected = runtime().settings.metrics_token
    if expected is not None:
        given = request.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), expected.get_secret_value().encode()
        ):
            response, status = json_error(401, "metrics need Authorization: Bearer <METRICS_TOKEN>")
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response, status
    body, content_type = exposition([QueueDepth(runtime().handoffs.queue_depth)])
    return Response(body, content_type=content_type)
