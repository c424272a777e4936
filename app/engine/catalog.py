"""All loaded content: flows, bot settings and templates, with lookups by qualified node reference."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from app.engine.matching import normalize
from app.engine.model import (
    AskNode,
    BotSettings,
    BranchNode,
    ChoiceNode,
    EndNode,
    FactSpec,
    Flow,
    HandoffNode,
    MessageNode,
    Node,
)
from app.engine.texts import TemplateBook
from app.understanding.router import Router


def qualify(flow: str, ref: str) -> str:
    """`node` in `flow` → `flow.node`; an already qualified `other.node` stays as it is."""
    return ref if "." in ref else f"{flow}.{ref}"


def flow_of(ref: str) -> str:
    return ref.split(".", 1)[0]


@dataclass(frozen=True)
class Catalog:
    flows: Mapping[str, Flow]
    files: Mapping[str, str]  # flow name → the YAML file it came from (for error messages)
    bot: BotSettings
    texts: TemplateBook
    router: Router  # free text → a guide's entry, a clarifying question, or an honest out-of-scope answer

    def entry_label(self, target: str) -> str:
        """The quick-reply label of the entry leading to `target` (offered in clarifying questions)."""
        for name, flow in self.flows.items():
            for entry in flow.entries:
                if qualify(name, entry.next) == target:
                    return entry.label
        raise KeyError(target)

    def __contains__(self, ref: object) -> bool:
        if not isinstance(ref, str) or "." not in ref:
            return False
        flow, node = ref.split(".", 1)
        return flow in self.flows and node in self.flows[flow].nodes

    def node(self, ref: str) -> Node:
        flow, node = ref.split(".", 1)
        return self.flows[flow].nodes[node]

    def nodes(self) -> Iterator[tuple[str, Node]]:
        for name, flow in self.flows.items():
            for node_id, node in flow.nodes.items():
                yield f"{name}.{node_id}", node

    def fact(self, key: str) -> FactSpec:
        for flow in self.flows.values():
            if key in flow.facts:
                return flow.facts[key]
        return FactSpec(label=key)

    @cached_property
    def acknowledgements(self) -> frozenset[str]:
        """Messages that only acknowledge or greet ("네", "감사합니다", "안녕하세요"), normalised: never
        an answer to a question that asks for words (a station's name is not "네")."""
        return self.bot.answer_yes.said | frozenset(normalize(g) for g in self.router.greetings)

    @cached_property
    def near_handoff(self) -> frozenset[str]:
        """The questions one answer can hand off from: a choice, the asked value, or 아니요 at the end
        leads — through messages and branches — to a handoff node. A turn there may hand off, so the
        session store reads what a handoff needs with the customer's lock (one round trip less)."""
        return frozenset(
            ref
            for ref, node in self.nodes()
            if isinstance(node, ChoiceNode | AskNode | EndNode)
            and any(self._hands_off(target, set()) for target in self.successors(ref))
        )

    def _hands_off(self, ref: str, seen: set[str]) -> bool:
        """`ref` is a handoff node or reaches one through automatic steps only."""
        if ref in seen or ref not in self:
            return False
        seen.add(ref)
        node = self.node(ref)
        if isinstance(node, HandoffNode):
            return True
        automatic = isinstance(node, MessageNode | BranchNode)
        return automatic and any(self._hands_off(target, seen) for target in self.successors(ref))

    def successors(self, ref: str) -> list[str]:
        """Every node this node can lead to (used by validation and previews)."""
        flow, node = flow_of(ref), self.node(ref)
        targets: list[str] = []
        if isinstance(node, MessageNode | AskNode):
            targets.append(node.next)
        if isinstance(node, ChoiceNode | AskNode):
            targets += [c.next for c in node.choices]
        if isinstance(node, BranchNode):
            targets += [c.next for c in node.cases] + [node.otherwise]
        if isinstance(node, EndNode):
            targets += [node.on_no, node.on_yes or self.bot.resolved]
        return [qualify(flow, t) for t in targets]
