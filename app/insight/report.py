"""From events to what the CS team reads: conversations per guide, their outcome, the funnel.

A **journey** is one customer's way through one guide: it starts at `flow_entered` and ends with
- `resolved`    네, 해결됐어요 (contained: no agent),
- `handed_off`  a handoff to an agent,
- `closed`      the guide ended at a close node without the question 해결되었나요? (e.g. "visit the centre"),
- `left`        the customer went to the menu or another guide,
- `abandoned`   no further turn within the session TTL: the session expired mid-guide (derived here,
                because an expired session leaves nothing a later turn could see),
- `open`        still within the session TTL when the report was made.
Containment = journeys the guide ended without an agent (resolved + closed) / entered; the resolution
rate = resolved / entered. A journey counts in the period it started in.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.engine.catalog import Catalog, flow_of
from app.insight.events import Event

SEOUL = ZoneInfo("Asia/Seoul")
OUTCOMES = {
    "resolved": "해결",
    "handed_off": "상담 연결",
    "closed": "안내 종료",
    "left": "다른 문의로",
    "abandoned": "중단(만료)",
    "open": "진행 중",
}
DROPPED = ("left", "abandoned")
CONTAINED = (
    "resolved",
    "closed",
)  # the guide ended without an agent  # where a customer stopped without an answer
TOP_OUT_OF_SCOPE = 20


@dataclass
class Journey:
    customer: str
    flow: str
    via: str
    started: float
    last: float
    nodes: list[str] = field(default_factory=list)
    outcome: str | None = None
    reason: str | None = None

    @property
    def day(self) -> date:
        return datetime.fromtimestamp(self.started, SEOUL).date()


def journeys(events: Iterable[Event], ttl: float, now: float) -> list[Journey]:
    """Every journey in the events (any order; one customer's events are replayed by time)."""
    by_customer: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_customer[event.customer].append(event)
    found: list[Journey] = []
    for customer_events in by_customer.values():
        found += _walk(sorted(customer_events, key=lambda e: e.at), ttl, now)
    return sorted(found, key=lambda j: j.started)


def _walk(events: list[Event], ttl: float, now: float) -> list[Journey]:
    found: list[Journey] = []
    current: Journey | None = None
    for event in events:
        if current is not None and event.at - current.last > ttl:
            current.outcome = current.outcome or "abandoned"
            current = None
        if event.kind == "flow_entered" and event.flow:
            if current is not None and current.outcome is None:
                current.outcome = "left"
            current = Journey(event.customer, event.flow, event.detail.get("via", "text"), event.at, event.at)
            found.append(current)
        elif current is not None:
            _continue(current, event)
    if current is not None and current.outcome is None:
        current.outcome = "abandoned" if now - current.last > ttl else "open"
    return found


def _continue(journey: Journey, event: Event) -> None:
    same_turn = event.at == journey.last
    kind = event.detail.get("kind")
    if event.kind == "node_reached" and event.node:
        if journey.outcome is not None and not same_turn:
            if flow_of(event.node) != journey.flow or kind in ("close", "handoff"):
                return
            journey.outcome = None  # 이전 back into the guide after it ended: the journey goes on
        if (
            journey.outcome is None
            and flow_of(event.node) != journey.flow
            and kind not in ("close", "handoff")
        ):
            journey.outcome = "left"
            return
        journey.nodes.append(event.node)
        if kind == "close" and journey.outcome is None:
            journey.outcome = "closed"
    elif event.kind == "resolved" and event.flow == journey.flow:
        journey.outcome = "resolved"
    elif event.kind == "handed_off" and (journey.outcome is None or same_turn):
        journey.outcome, journey.reason = "handed_off", event.detail.get("reason")
    else:
        return
    journey.last = event.at


@dataclass
class FlowStats:
    flow: str
    title: str
    entered: int = 0
    via: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    reached: Counter[str] = field(default_factory=Counter)  # journeys that reached each node
    dropped: Counter[str] = field(default_factory=Counter)  # journeys that stopped there (left/abandoned)
    rejected: Counter[str] = field(default_factory=Counter)  # answers a node could not use
    edges: Counter[tuple[str, str]] = field(default_factory=Counter)  # journeys on each transition
    csat: Counter[int] = field(default_factory=Counter)
    daily: dict[date, Counter[str]] = field(default_factory=dict)

    @property
    def contained(self) -> int:
        return sum(self.outcomes[o] for o in CONTAINED)

    @property
    def containment(self) -> float | None:
        return self.contained / self.entered if self.entered else None

    @property
    def resolution(self) -> float | None:
        return self.outcomes["resolved"] / self.entered if self.entered else None

    @property
    def csat_count(self) -> int:
        return sum(self.csat.values())

    @property
    def csat_average(self) -> float | None:
        count = self.csat_count
        return sum(s * n for s, n in self.csat.items()) / count if count else None


@dataclass
class Report:
    start: float
    end: float
    flows: dict[str, FlowStats]
    out_of_scope: Counter[str]
    clarify: int
    handoffs_outside: Counter[str]  # handoffs not inside a guide (상담직원 연결 at the menu, failures)
    csat_scores: tuple[int, ...]

    @property
    def days(self) -> list[date]:
        return sorted({d for f in self.flows.values() for d in f.daily})


def build_report(
    catalog: Catalog,
    events: Iterable[Event],
    *,
    start: float,
    end: float,
    ttl: float,
    now: float,
    flows: Iterable[str] | None = None,
) -> Report:
    """The report of journeys started in [start, end); `events` may reach a TTL past `end`."""
    events = list(events)
    wanted = list(flows) if flows else [f for f in catalog.flows if f != flow_of(catalog.bot.home)]
    stats = {f: FlowStats(f, catalog.flows[f].title) for f in wanted if f in catalog.flows}
    found = journeys(events, ttl, now)
    for journey in found:
        if journey.flow in stats and start <= journey.started < end:
            _count(stats[journey.flow], journey)
    out_of_scope: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    clarify = 0
    inside = {(j.customer, j.last) for j in found if j.outcome == "handed_off"}
    for event in events:
        if not start <= event.at < end:
            continue
        flow = stats.get(event.flow or "")
        if event.kind == "answer_rejected" and flow and event.node:
            flow.rejected[event.node] += 1
        elif event.kind == "csat" and flow:
            flow.csat[int(event.detail.get("score", 0))] += 1
        elif event.kind == "out_of_scope":
            out_of_scope[event.detail.get("text", "")] += 1
        elif event.kind == "clarify":
            clarify += 1
        elif event.kind == "handed_off" and (event.customer, event.at) not in inside:
            outside[event.detail.get("reason", "-")] += 1
    scores = (
        tuple(sorted({c.score for c in catalog.bot.csat.choices}, reverse=True)) if catalog.bot.csat else ()
    )
    return Report(start, end, stats, out_of_scope, clarify, outside, scores)


def _count(stats: FlowStats, journey: Journey) -> None:
    outcome = journey.outcome or "open"
    stats.entered += 1
    stats.via[journey.via] += 1
    stats.outcomes[outcome] += 1
    if outcome == "handed_off":
        stats.reasons[journey.reason or "-"] += 1
    stats.reached.update(set(journey.nodes))
    stats.edges.update(set(zip(journey.nodes, journey.nodes[1:], strict=False)))
    if outcome in DROPPED and journey.nodes:
        stats.dropped[journey.nodes[-1]] += 1
    day = stats.daily.setdefault(journey.day, Counter())
    day["entered"] += 1
    day["resolved"] += outcome == "resolved"
    day["contained"] += outcome in CONTAINED


def node_order(catalog: Catalog, flow: str, stats: FlowStats | None = None) -> list[str]:
    """A guide's nodes from its start, breadth first (the order a customer meets them), then the rest
    of its nodes, its endings (close, handoff) last, then nodes of other flows the customers reached
    from it (the bot's 해결, 상담 연결)."""
    start = f"{flow}.{catalog.flows[flow].start}"
    order, queue = [start], [start]
    while queue:
        for target in catalog.successors(queue.pop(0)):
            if target not in order and flow_of(target) == flow and target in catalog:
                order.append(target)
                queue.append(target)
    order += [f"{flow}.{n}" for n in catalog.flows[flow].nodes if f"{flow}.{n}" not in order]
    order.sort(key=lambda ref: catalog.node(ref).kind in ("close", "handoff"))  # endings last (stable)
    if stats is not None:
        order += sorted(n for n in stats.reached if flow_of(n) != flow)
    return order


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"
