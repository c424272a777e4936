"""Structural checks of the whole catalog: references, templates, reachability, dead ends.

Each problem names the file and the node so that a CS editor can find it. Rendering every node and
checking Kakao's limits is done by `app.content_check` (it needs the Kakao layer).
"""

from __future__ import annotations

from app.engine.catalog import Catalog, flow_of, qualify
from app.engine.errors import Problem
from app.engine.model import (
    INTERACTIVE,
    TERMINAL,
    AskNode,
    BranchNode,
    ChoiceNode,
    CloseNode,
    HandoffNode,
    MessageNode,
    Node,
)
from app.engine.validators import VALIDATORS

# Templates the engine itself uses (system messages), and the names it passes to them.
SYSTEM_TEMPLATES = (
    "common.choice_retry",
    "common.retry_limit",
    "common.restart_notice",
    "common.expired_notice",
    "common.resolved_question",
    "common.handoff_title",
    "common.handoff_text",
    "common.handoff_notice",
    "common.stale_tap",
)
# Names templates may read besides collected values: handoff details, and `agents` from the web layer
# ({available: bool, back: "내일(목) 오전 9시", hours: "평일 09:00~18:00"}; absent in previews).
ENGINE_NAMES = {"facts", "category", "reason", "agents", "handoff_at"}


def validate_catalog(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_bot(catalog)
    for name, flow in catalog.flows.items():
        if flow.agent and (why := _handoff_problem(catalog, qualify(name, flow.agent))):
            problems.append(Problem(catalog.files[name], None, f"agent {qualify(name, flow.agent)!r} {why}"))
        problems += _check_entries(catalog, name)
    for ref, node in catalog.nodes():
        problems += _check_node(catalog, ref, node)
    problems += _check_templates(catalog)
    if not problems:  # graph checks need every reference to resolve
        problems += _check_reachable(catalog)
        problems += _check_dead_ends(catalog)
    return problems


def _where(catalog: Catalog, ref: str) -> tuple[str, str]:
    return catalog.files.get(flow_of(ref), "skills/"), ref.split(".", 1)[1]


def _check_bot(catalog: Catalog) -> list[Problem]:
    bot, problems = catalog.bot, []
    for field in ("home", "agent", "resolved", "out_of_scope", "handoff_status", "after_handoff"):
        ref = getattr(bot, field)
        if ref is not None and ref not in catalog:
            problems.append(Problem("skills/_bot.yaml", field, f"{ref!r} is not a node (use flow.node)"))
    for field in ("agent", "after_handoff"):
        ref = getattr(bot, field)
        if ref in catalog and not isinstance(catalog.node(ref), HandoffNode):
            problems.append(Problem("skills/_bot.yaml", field, "must point at a handoff node"))
    if bot.home in catalog and not isinstance(catalog.node(bot.home), ChoiceNode):
        problems.append(Problem("skills/_bot.yaml", "home", "must point at a choice node (the menu)"))
    if bot.clarify not in catalog.texts:
        problems.append(Problem("skills/_bot.yaml", "clarify", f"template {bot.clarify!r} does not exist"))
    for template_id in SYSTEM_TEMPLATES:
        if template_id not in catalog.texts:
            problems.append(Problem("templates/", template_id, "system template is missing"))
    if bot.csat is not None:
        for template_id in (bot.csat.question, bot.csat.thanks):
            if template_id not in catalog.texts:
                problems.append(
                    Problem("skills/_bot.yaml", "csat", f"template {template_id!r} does not exist")
                )
        labels = [c.label for c in bot.csat.choices]
        if len(set(labels)) != len(labels):
            problems.append(Problem("skills/_bot.yaml", "csat", "choice labels must be unique"))
    return problems


def _check_node(catalog: Catalog, ref: str, node: Node) -> list[Problem]:
    file, node_id = _where(catalog, ref)
    flow = catalog.flows[flow_of(ref)]
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(Problem(file, node_id, message))

    for target in catalog.successors(ref):
        if target not in catalog:
            bad(f"next {target!r} does not exist")
    for template_id in _node_templates(node):
        if template_id not in catalog.texts:
            bad(f"template {template_id!r} does not exist")
    if isinstance(node, ChoiceNode | AskNode):
        commands = {
            catalog.bot.home_command.label,
            catalog.bot.back_command.label,
            catalog.bot.agent_command.label,
        }
        for choice in node.choices:
            if choice.label in commands:
                bad(f"choice label {choice.label!r} is a global command")
            for key in choice.set:
                if key not in flow.facts:
                    bad(f"value {key!r} is not declared in the flow's facts")
    if isinstance(node, AskNode):
        if node.validator not in VALIDATORS:
            bad(f"unknown validator {node.validator!r} (known: {', '.join(sorted(VALIDATORS))})")
        if node.save not in flow.facts:
            bad(f"value {node.save!r} is not declared in the flow's facts")
    agent = getattr(node, "agent", None)
    if agent and (why := _handoff_problem(catalog, qualify(flow_of(ref), agent))):
        bad(f"agent {qualify(flow_of(ref), agent)!r} {why}")
    if isinstance(node, CloseNode) and node.csat and catalog.bot.csat is None:
        bad("csat: true, but skills/_bot.yaml has no csat question")
    if isinstance(node, BranchNode):
        for case in node.cases:
            for key in case.when:
                if not any(key in f.facts for f in catalog.flows.values()):
                    bad(f"branch on {key!r}, which no flow declares in its facts")
    return problems


def _check_entries(catalog: Catalog, name: str) -> list[Problem]:
    """Every entry leads to an existing node where the customer is asked something or told something."""
    problems = []
    labels: dict[str, str] = {}
    for flow_name, flow in catalog.flows.items():
        for entry in flow.entries:
            labels.setdefault(entry.label, qualify(flow_name, entry.next))
    for entry in catalog.flows[name].entries:
        target = qualify(name, entry.next)
        where = f"entry {entry.label!r}"
        if target not in catalog:
            problems.append(Problem(catalog.files[name], None, f"{where}: next {target!r} does not exist"))
        elif labels[entry.label] != target:
            problems.append(
                Problem(catalog.files[name], None, f"{where}: label is also used by {labels[entry.label]}")
            )
    return problems


def _handoff_problem(catalog: Catalog, ref: str) -> str | None:
    if ref not in catalog:
        return "does not exist"
    if not isinstance(catalog.node(ref), HandoffNode):
        return "is not a handoff node"
    return None


def _node_templates(node: Node) -> list[str]:
    ids: list[str] = []
    for say in getattr(node, "say", ()):
        ids += say.template_ids()
    for field in ("hint", "retry"):
        if getattr(node, field, None):
            ids.append(getattr(node, field))
    if isinstance(node, HandoffNode):
        ids += list(node.agent_notes)
    return ids


def _check_templates(catalog: Catalog) -> list[Problem]:
    known = set(ENGINE_NAMES)
    problems = []
    for name, flow in catalog.flows.items():
        known |= set(flow.facts)
        for key in sorted(set(flow.facts) & ENGINE_NAMES):
            problems.append(
                Problem(catalog.files[name], None, f"fact name {key!r} is reserved for the engine")
            )
    for template_id in catalog.texts.sources:
        unknown = catalog.texts.undeclared(template_id) - known
        if unknown:
            file = catalog.texts.origins[template_id]
            problems.append(Problem(file, template_id, f"uses unknown names {sorted(unknown)}"))
    return problems


def _check_reachable(catalog: Catalog) -> list[Problem]:
    bot = catalog.bot
    roots = [bot.home, bot.agent, bot.resolved, bot.out_of_scope, bot.handoff_status]
    roots += [bot.after_handoff] if bot.after_handoff else []
    for name, flow in catalog.flows.items():
        roots += [qualify(name, e.next) for e in flow.entries]
        roots += [qualify(name, flow.agent)] if flow.agent else []
    roots += [qualify(flow_of(ref), n.agent) for ref, n in catalog.nodes() if getattr(n, "agent", None)]
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        ref = stack.pop()
        if ref in seen:
            continue
        seen.add(ref)
        stack += catalog.successors(ref)
    problems = []
    for ref, _ in catalog.nodes():
        if ref not in seen:
            file, node_id = _where(catalog, ref)
            problems.append(Problem(file, node_id, "unreachable: no menu, entry or next leads here"))
    return problems


def _check_dead_ends(catalog: Catalog) -> list[Problem]:
    """Every node must be able to reach a handoff or close, and automatic steps must not loop."""
    finishing = {ref for ref, node in catalog.nodes() if isinstance(node, TERMINAL)}
    changed = True
    while changed:
        changed = False
        for ref, _ in catalog.nodes():
            if ref not in finishing and any(t in finishing for t in catalog.successors(ref)):
                finishing.add(ref)
                changed = True
    problems = []
    for ref, _ in catalog.nodes():
        if ref not in finishing:
            file, node_id = _where(catalog, ref)
            problems.append(Problem(file, node_id, "dead end: no way from here to a handoff or close node"))
    for ref, node in catalog.nodes():
        if isinstance(node, MessageNode | BranchNode) and _loops_without_asking(catalog, ref):
            file, node_id = _where(catalog, ref)
            problems.append(Problem(file, node_id, "automatic steps loop without asking the customer"))
    return problems


def _loops_without_asking(catalog: Catalog, start: str) -> bool:
    stack, seen = [start], set()
    while stack:
        ref = stack.pop()
        node = catalog.node(ref)
        if isinstance(node, (INTERACTIVE, TERMINAL)):
            continue
        for target in catalog.successors(ref):
            if target == start:
                return True
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return False
