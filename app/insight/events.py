"""Conversation events for the CS team: what one turn did, read from where the customer was and is.

`turn_events(...)` is pure (no I/O): the web layer calls it before the session save and hands the
list to the event log (app/insight/log.py) in one call, so that the writes can later travel in the
turn's own write script. Events never hold a user key or raw text: the customer is a keyed hash
(`pseudonym`), and an out-of-scope message is kept masked (`app.privacy.mask_personal`).

Kinds (`flow`/`node` are qualified `flow.node` references where they apply):
- `flow_entered`  a guide was entered; `via` = `menu` (menu tap), `text` (typed), `clarified` (the answer
                  to a clarifying question)
- `node_reached`  every node the turn entered, automatic steps, close and handoff nodes included
                  (`kind` = the node's kind)
- `answer_rejected`  an answer the current question could not use (a retry; `retries` so far)
- `clarify`       a clarifying question was asked (two guides fit)
- `out_of_scope`  a message no guide fits (`text`, masked and capped)
- `resolved`      네, 해결됐어요 at an end node
- `handed_off`    a handoff to an agent (`reason`)
- `csat`          the satisfaction answer (`score`)
`abandoned` is not written: the report derives it (a guide entered, then no turn within the session
TTL and no resolution or handoff), because an expired session leaves nothing a later turn could see.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.engine.catalog import Catalog, flow_of, qualify
from app.engine.matching import normalize
from app.engine.model import CloseNode, EndNode
from app.engine.reply import Outcome
from app.kakao.request import SkillRequest
from app.privacy import mask_personal

KINDS = (
    "flow_entered",
    "node_reached",
    "answer_rejected",
    "clarify",
    "out_of_scope",
    "resolved",
    "handed_off",
    "csat",
)
PSEUDONYMS_KEPT = 4096  # customers whose pseudonym is kept computed (a few hundred kB)


@dataclass(frozen=True)
class Event:
    kind: str
    at: float  # Unix time (seconds) of the turn
    customer: str  # a pseudonym (keyed hash of the user key), never the key itself
    flow: str | None = None
    node: str | None = None
    detail: Mapping[str, str] = field(default_factory=dict)

    def to_fields(self) -> dict[str, str]:
        """Flat string fields (a Redis stream entry, a CSV/JSON line)."""
        fields = {"kind": self.kind, "at": f"{self.at:.3f}", "customer": self.customer}
        if self.flow:
            fields["flow"] = self.flow
        if self.node:
            fields["node"] = self.node
        return {**fields, **{f"d.{k}": str(v) for k, v in self.detail.items()}}

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> Event:
        return cls(
            kind=fields["kind"],
            at=float(fields["at"]),
            customer=fields.get("customer", ""),
            flow=fields.get("flow") or None,
            node=fields.get("node") or None,
            detail={k[2:]: v for k, v in fields.items() if k.startswith("d.")},
        )


@functools.lru_cache(maxsize=PSEUDONYMS_KEPT)
def pseudonym(salt: bytes, user_key: str) -> str:
    """The customer in events: HMAC-SHA256(salt, user key), 16 hex digits — links one customer's
    turns into conversations without the key (the salt stays on the server). Kept for the customers
    of the last few thousand turns: a conversation is several turns of one customer."""
    return hmac.new(salt, user_key.encode(), hashlib.sha256).hexdigest()[:16]


def turn_events(
    catalog: Catalog,
    request: SkillRequest,
    state_before: Mapping[str, Any] | None,
    outcome: Outcome,
    *,
    customer: str,
    at: float,
) -> list[Event]:
    """Every event of one turn, in the order they happened (answer, entry, nodes, handoff)."""
    if request.is_replay:  # `cs-bot replay` test customers are not customers
        return []
    before = (state_before or {}).get("node") or None
    before = before if before in catalog else None
    understood = outcome.understood
    events: list[Event] = []

    def add(name: str, flow: str | None = None, node: str | None = None, **detail: Any) -> None:
        events.append(Event(name, at, customer, flow, node, {k: str(v) for k, v in detail.items()}))

    after = outcome.session
    if before and after.node == before and after.retries > int((state_before or {}).get("retries") or 0):
        add("answer_rejected", flow_of(before), before, retries=after.retries)
    if (resolved := _resolved_at(catalog, before, outcome)) is not None:
        add("resolved", _guide(catalog, resolved) or outcome.session.csat or flow_of(resolved), resolved)
    if outcome.csat is not None:
        add("csat", outcome.csat.flow, score=outcome.csat.score)
    if "clarify" in understood:
        add("clarify", options=",".join(after.offered))
    if "out_of_scope" in understood:
        add("out_of_scope", text=mask_personal(request.utterance))
    entered = _entered(catalog, request, before, outcome)
    if entered is not None:
        add("flow_entered", entered, _first_in(entered, outcome.path), via=_via(catalog, request, outcome))
    for ref in outcome.path:
        add("node_reached", flow_of(ref), ref, kind=catalog.node(ref).kind)
    if outcome.handoff is not None:
        handoff = outcome.handoff
        add("handed_off", handoff.flow, handoff.node, reason=handoff.reason)
    return events


def failure_events(customer: str, at: float) -> list[Event]:
    """A turn that failed inside: the customer was handed to an agent with an apology."""
    return [Event("handed_off", at, customer, None, None, {"reason": "internal_error"})]


def _guide(catalog: Catalog, ref: str | None) -> str | None:
    """The guide (a flow other than the menu's) a node belongs to."""
    if not ref:
        return None
    flow = flow_of(ref)
    return None if flow == flow_of(catalog.bot.home) else flow


def _entered(catalog: Catalog, request: SkillRequest, before: str | None, outcome: Outcome) -> str | None:
    """The guide the customer entered this turn: the first guide on the path that is not the one they
    were in. Going back (이전) into a guide, e.g. after it closed, is not a new entry."""
    if _went_back(catalog, request):
        return None
    current = _guide(catalog, before)
    for ref in outcome.path:
        guide = _guide(catalog, ref)
        if guide is not None and guide != current:
            return guide
    return None


def _went_back(catalog: Catalog, request: SkillRequest) -> bool:
    if request.client_extra.get("cmd") == "back":
        return True
    back = catalog.bot.back_command
    said = normalize(request.utterance)
    return bool(said) and said in {normalize(w) for w in (back.label, *back.aliases)}


def _first_in(flow: str, path: tuple[str, ...]) -> str | None:
    return next((ref for ref in path if flow_of(ref) == flow), None)


def _via(catalog: Catalog, request: SkillRequest, outcome: Outcome) -> str:
    if "clarified" in outcome.understood:
        return "clarified"
    extra = request.client_extra
    menus = (catalog.bot.home, catalog.bot.out_of_scope)
    if extra.get("node") in menus and extra.get("choice"):
        return "menu"
    return "text"


def _resolved_at(catalog: Catalog, before: str | None, outcome: Outcome) -> str | None:
    """네, 해결됐어요 at an end node (the turn went on to its `on_yes`, default the bot's resolved): that
    end node; or a close node that asks for satisfaction (`csat: true`, the content's "resolved") —
    e.g. 확인했어요 on a menu that leads to the bot's resolved node."""
    if outcome.handoff is not None or not outcome.path:
        return None
    node = catalog.node(before) if before else None
    if isinstance(node, EndNode) and before:
        target = qualify(flow_of(before), node.on_yes or catalog.bot.resolved)
        if outcome.path[0] == target:
            return before
    for ref in outcome.path:
        step = catalog.node(ref)
        if isinstance(step, CloseNode) and step.csat:
            return ref
    return None
