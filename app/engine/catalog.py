"""All loaded content: flows, bot settings and templates, with lookups by qualified node reference."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from app.engine.model import (
    AskNode,
    BotSettings,
    BranchNode,
    ChoiceNode,
    EndNode,
    FactSpec,
    Flow,
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
