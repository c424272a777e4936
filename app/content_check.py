"""Render every node of every flow, in every situation a customer can meet it, and check Kakao's limits.

Run at start-up (`create_app`), by `cs-bot check`, and by the test suite. Each node is rendered with
realistic values (the validators' examples) and with the longest values the validators allow, on
arrival, after a failed answer, at the retry limit, and when the customer asks for an agent there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path

from app.engine.advance import RETRY_LIMIT, advance, ask_which, enter
from app.engine.catalog import Catalog, flow_of, qualify
from app.engine.errors import ContentError, Problem
from app.engine.loader import load_catalog
from app.engine.model import INTERACTIVE, AskNode, ChoiceNode, HandoffNode
from app.engine.reply import Event, Outcome
from app.engine.session import Session, Step
from app.engine.validators import VALIDATORS
from app.handoff.labels import check_labels, load_labels
from app.kakao.check import check_response
from app.kakao.limits import KakaoLimitError
from app.kakao.render import apology_response, render_reply

GONE = "removed_flow.removed_node"
# The longest outside-business-hours context the server passes (see app/handoff/hours.py).
CLOSED = {
    "agents": {
        "available": False,
        "back": "12월 31일(수) 오전 10시 30분",
        "hours": "평일 09:00~18:00, 토 10:00~13:00",
    }
}


def sample_values(catalog: Catalog, longest: bool) -> dict[str, str]:
    """A value for every fact a flow can collect: the validators' examples, or their longest values."""
    values: dict[str, str] = {}
    for _, node in catalog.nodes():
        if isinstance(node, AskNode):
            validator = VALIDATORS[node.validator]
            values[node.save] = "가" * validator.max_length if longest else validator.example
        if isinstance(node, ChoiceNode | AskNode):
            for choice in node.choices:
                for key, value in choice.set.items():
                    if len(value) >= len(values.get(key, "")):
                        values[key] = value
    return values


def situations(catalog: Catalog, values: dict[str, str]) -> Iterator[tuple[str, str, Outcome]]:
    """(node ref, situation, outcome) for everything the bot can say."""
    home = (Step(node=catalog.bot.home),)
    for ref, node in catalog.nodes():
        yield ref, "arrival", enter(catalog, ref, values)
        if isinstance(node, HandoffNode):
            yield ref, "arrival (상담 시간 외)", enter(catalog, ref, values, CLOSED)
        if isinstance(node, INTERACTIVE):
            for tries in (1, RETRY_LIMIT):
                at = Session(node=ref, history=home, values=values, retries=tries - 1)
                yield ref, f"failed answer #{tries}", advance(catalog, at, Event(""))
            at = Session(node=ref, history=home, values=values, origin=flow_of(ref))
            yield ref, "상담직원 연결", advance(catalog, at, Event("", {"cmd": "agent"}))
            yield (
                ref,
                "상담직원 연결 (상담 시간 외)",
                advance(catalog, at, Event("", {"cmd": "agent"}, CLOSED)),
            )
    entries = sorted(
        (qualify(name, e.next) for name, flow in catalog.flows.items() for e in flow.entries),
        key=lambda target: len(catalog.entry_label(target)),
    )
    if len(entries) >= 2:  # the two longest labels side by side
        yield entries[-1], "clarifying question", ask_which(catalog, entries[-1], entries[-2])
    if catalog.bot.csat is not None:  # the thanks for a satisfaction answer
        choice, flow = catalog.bot.csat.choices[0], flow_of(catalog.bot.resolved)
        answer = Event(choice.label, {"csat": choice.score, "flow": flow})
        yield catalog.bot.resolved, "satisfaction answer", advance(catalog, Session(csat=flow), answer)
    yield catalog.bot.home, "restart notice", advance(catalog, Session(node=GONE), Event(""))
    yield catalog.bot.home, "expired notice", advance(catalog, None, Event("", {"node": GONE}))


def check_rendering(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    for label, longest in (("example values", False), ("longest values", True)):
        for ref, situation, outcome in situations(catalog, sample_values(catalog, longest)):
            file = catalog.files.get(flow_of(ref), "skills/")
            node = ref.split(".", 1)[1]
            try:
                body = render_reply(outcome.reply)
            except KakaoLimitError as exc:
                problems.append(Problem(file, node, f"{situation} ({label}): {exc}"))
                continue
            problems += [Problem(file, node, f"{situation} ({label}): {p}") for p in check_response(body)]
    problems += [Problem("app/kakao/render.py", "apology", p) for p in check_response(apology_response())]
    return list(dict.fromkeys(problems))  # the same problem often shows in several situations


_checked: dict[str, Catalog] = {}


def load_checked_catalog(skills_dir: Path, templates_dir: Path, variables: Mapping[str, str]) -> Catalog:
    """Load and fully check the content, or raise ContentError. Content already checked in this
    process (same files, same variables) is not rendered again: tests build many apps."""
    digest = hashlib.sha256(repr(sorted(variables.items())).encode())
    for path in sorted([*skills_dir.glob("*.yaml"), *templates_dir.glob("*.yaml")]):
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    key = digest.hexdigest()
    if key not in _checked:
        catalog = load_catalog(skills_dir, templates_dir, variables)
        problems = check_rendering(catalog) + label_problems(catalog, skills_dir)
        if problems:
            raise ContentError(problems)
        _checked[key] = catalog
    return _checked[key]


def label_problems(catalog: Catalog, skills_dir: Path) -> list[Problem]:
    """Reasons without a Korean label (skills/_labels.yaml) — agents would read English codes."""
    labels, problems = load_labels(skills_dir)
    return problems + check_labels(catalog, labels)
