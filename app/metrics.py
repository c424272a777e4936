"""Prometheus metrics: every metric object and a one-line helper per thing worth counting.

Call the helpers from anywhere (`record_answer("normal")`, `record_handoff("customer_request")` …);
they never raise. `/metrics` (app/web/metrics.py) exposes them. Under gunicorn several worker processes
count separately: with `PROMETHEUS_MULTIPROC_DIR` set before this module is imported (see
app/gunicorn_hooks.py), each process writes its values to files there and a scrape adds them up.

Names follow Prometheus conventions: `csbot_` prefix, `_total` for counters, seconds for durations.
Labels have a small, fixed set of values (never a user key or free text).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
ANSWER_KINDS = ("normal", "apology", "rate_limited")
DELIVERY_OUTCOMES = ("delivered", "retrying", "failed", "gone")

REQUEST_SECONDS = Histogram(
    "csbot_http_request_duration_seconds",
    "Time from receiving a request to sending the answer (Kakao gives /skill 5 s)",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 10.0),
)
ANSWERS = Counter("csbot_answers_total", "Answers sent to Kakao by kind", ["kind"])
FLOW_STARTS = Counter("csbot_flow_starts_total", "Customers who entered a support guide", ["flow"])
RESOLUTIONS = Counter(
    "csbot_resolutions_total", "Customers who said 해결됐어요 at the end of a guide", ["flow"]
)
HANDOFFS = Counter("csbot_handoffs_total", "Handoffs to an agent by reason", ["reason"])
OUT_OF_SCOPE = Counter("csbot_out_of_scope_total", "Messages no guide fits (answered with the menu)")
CLARIFYING = Counter("csbot_clarifying_questions_total", "Clarifying questions asked (two guides fit)")
STORE_ERRORS = Counter(
    "csbot_store_errors_total", "Failed reads/writes of the session or handoff store", ["store"]
)
DELIVERIES = Counter(
    "csbot_deliveries_total", "Handoff delivery attempts to agent desks by outcome", ["outcome"]
)

for _kind in ANSWER_KINDS:  # every series exists from the start, so rates work before the first event
    ANSWERS.labels(kind=_kind)
for _outcome in DELIVERY_OUTCOMES:
    DELIVERIES.labels(outcome=_outcome)


def _safely(fn: Callable[..., None]) -> Callable[..., None]:
    """Counting must never break a turn."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:  # pragma: no cover - a broken metrics dir must not fail a customer
            log.warning("metric %s not recorded", fn.__name__, exc_info=True)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@functools.lru_cache(maxsize=1024)
def _series(metric: Any, *values: str) -> Any:
    """A labelled series, looked up once: `.labels()` checks and locks on every call (the label
    values used are few: routes, methods, statuses, answer kinds)."""
    return metric.labels(*values)


@_safely
def record_request(route: str, method: str, status: int, seconds: float) -> None:
    _series(REQUEST_SECONDS, route, method, str(status)).observe(seconds)


@_safely
def record_answer(kind: str) -> None:
    """`normal` (the engine answered), `apology` (something failed inside), `rate_limited`."""
    _series(ANSWERS, kind).inc()


@_safely
def record_flow_start(flow: str) -> None:
    FLOW_STARTS.labels(flow=flow).inc()


@_safely
def record_resolution(flow: str) -> None:
    RESOLUTIONS.labels(flow=flow).inc()


@_safely
def record_handoff(reason: str) -> None:
    HANDOFFS.labels(reason=reason).inc()


@_safely
def record_out_of_scope() -> None:
    OUT_OF_SCOPE.inc()


@_safely
def record_clarify() -> None:
    CLARIFYING.inc()


@_safely
def record_store_error(store: str = "session") -> None:
    """`session` (conversation state) or `handoff` (records, transcripts)."""
    STORE_ERRORS.labels(store=store).inc()


@_safely
def record_delivery(outcome: str) -> None:
    """`delivered`, `retrying`, `failed` (no retries left) or `gone` (the record expired first)."""
    DELIVERIES.labels(outcome=outcome).inc()


@_safely
def observe_turn(
    catalog: Any, state_before: Mapping[str, Any] | None, outcome: Any, replay: bool = False
) -> None:
    """Flow starts and resolutions, read from where the customer was and is after one turn.

    A start: the customer is now in a guide (not the menu's flow) other than the one they were in.
    A resolution: they were at an `end` node ("해결되었나요?") and the conversation closed without a
    handoff — 네, 해결됐어요. (Until the engine reports these as events, this is the web layer's reading.)
    """
    if replay:  # `cs-bot replay` test customers do not count as customers
        return
    before = (state_before or {}).get("node") or None
    after = outcome.session.node
    before_flow = before.split(".", 1)[0] if before else None
    home_flow = catalog.bot.home.split(".", 1)[0]
    if after and after in catalog:
        flow = after.split(".", 1)[0]
        if flow != before_flow and flow != home_flow:
            record_flow_start(flow)
    understood = getattr(outcome, "understood", ())
    if "out_of_scope" in understood:
        record_out_of_scope()
    if "clarify" in understood:
        record_clarify()
    closed = bool(before) and before in catalog and outcome.handoff is None and after is None
    if closed and getattr(catalog.node(before), "kind", None) == "end":
        record_resolution(before_flow or "-")


class QueueDepth:
    """A scrape-time gauge: handoff deliveries waiting, read from the dispatcher when Prometheus asks
    (so every gunicorn worker reports the same shared RQ queue, not a per-process copy)."""

    def __init__(self, depth: Callable[[], Mapping[str, int]]) -> None:
        self.depth = depth

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "csbot_handoff_queue_depth",
            "Handoff deliveries waiting: queued now, scheduled for a retry, kept in the local spool",
            labels=["state"],
        )
        try:
            for state, count in self.depth().items():
                gauge.add_metric([state], count)
        except Exception as exc:
            log.warning("queue depth not available: %s", type(exc).__name__)
            return
        yield gauge


class _Scrape:
    """Everything one scrape exposes: this process's (or all workers') metrics plus live gauges."""

    def __init__(self, sources: Iterable[Any]) -> None:
        self.sources = list(sources)

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def exposition(live: Iterable[Any] = ()) -> tuple[bytes, str]:
    """The text format of every metric (all gunicorn workers' when in multiprocess mode) and its type."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        base: Any = registry
    else:
        base = REGISTRY
    return generate_latest(_Scrape([base, *live])), CONTENT_TYPE_LATEST  # type: ignore[arg-type]
