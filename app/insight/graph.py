"""Each guide drawn as a diagram (graphviz): nodes by kind, choices on the edges, handoff nodes marked;
with traffic, the share of the guide's customers on every edge and who stopped at every node."""

from __future__ import annotations

import re
from pathlib import Path

import graphviz

from app.engine.catalog import Catalog, flow_of, qualify
from app.engine.model import AskNode, BranchNode, ChoiceNode, EndNode, MessageNode
from app.insight.charts import KIND_LABELS, korean_font
from app.insight.report import FlowStats, node_order

SHAPES = {  # kind → (shape, fill colour)
    "message": ("note", "#eceff1"),
    "choice": ("box", "#e3f2fd"),
    "ask": ("parallelogram", "#fff8e1"),
    "branch": ("diamond", "#f3e5f5"),
    "end": ("box", "#e8f5e9"),
    "handoff": ("octagon", "#ffcdd2"),
    "close": ("oval", "#c8e6c9"),
}
TEXT_PREVIEW = 22
JINJA = re.compile(r"\{\{.*?\}\}")  # a value shown to the customer ({{ plate }}) is not content


def edges(catalog: Catalog, ref: str) -> list[tuple[str, str]]:
    """(target, label) per node the content leads to from `ref`; choices to the same node share one
    edge ("SKT / KT"), so that the customers on it are counted once."""
    merged: dict[str, list[str]] = {}
    for target, label in _ways(catalog, ref):
        merged.setdefault(target, [])
        if label:
            merged[target].append(label)
    return [(target, " / ".join(labels)) for target, labels in merged.items()]


def _ways(catalog: Catalog, ref: str) -> list[tuple[str, str]]:
    node, flow = catalog.node(ref), flow_of(ref)
    found: list[tuple[str, str]] = []
    if isinstance(node, ChoiceNode | AskNode):
        found += [(qualify(flow, c.next), c.label) for c in node.choices]
    if isinstance(node, AskNode):
        found.append((qualify(flow, node.next), f"입력 ({node.validator})"))
    if isinstance(node, MessageNode):
        found.append((qualify(flow, node.next), ""))
    if isinstance(node, BranchNode):
        for case in node.cases:
            when = ", ".join(
                f"{k}={'|'.join(v) if isinstance(v, tuple) else v}" for k, v in case.when.items()
            )
            found.append((qualify(flow, case.next), when))
        found.append((qualify(flow, node.otherwise), "그 밖"))
    if isinstance(node, EndNode):
        found.append((qualify(flow, node.on_yes or catalog.bot.resolved), "네, 해결"))
        found.append((qualify(flow, node.on_no), "아니요"))
    return found


def _preview(catalog: Catalog, ref: str) -> str:
    """The first words of the node's first text (the template source, without Jinja tags)."""
    for say in getattr(catalog.node(ref), "say", ()):
        for template_id in say.template_ids():
            source = catalog.texts.sources.get(template_id, "")
            source = JINJA.sub("…", source)
            words = " ".join(line for line in source.splitlines() if "{%" not in line).split()
            text = " ".join(words)
            if text:
                return text if len(text) <= TEXT_PREVIEW else text[: TEXT_PREVIEW - 1] + "…"
    return ""


def flow_graph(catalog: Catalog, flow: str, traffic: FlowStats | None = None) -> graphviz.Digraph:
    font = korean_font()
    title = catalog.flows[flow].title
    graph = graphviz.Digraph(name=flow, graph_attr={"rankdir": "TB", "fontname": font, "labelloc": "t"})
    graph.attr(label=f"{title} ({flow})" + (f" — 진입 {traffic.entered}명" if traffic else ""), fontsize="18")
    graph.attr("node", fontname=font, fontsize="10", style="filled")
    graph.attr("edge", fontname=font, fontsize="9")
    inside = [n for n in node_order(catalog, flow) if flow_of(n) == flow]
    outside: set[str] = set()
    drawn: set[tuple[str, str]] = set()
    for ref in inside:
        _node(graph, catalog, ref, traffic)
    for ref in inside:
        for target, label in edges(catalog, ref):
            if flow_of(target) != flow:
                outside.add(target)
            _edge(graph, ref, target, label, traffic)
            drawn.add((ref, target))
    if traffic is not None:  # transitions the content does not draw: 상담직원 연결, topic switches, 이전
        for (source, target), count in sorted(traffic.edges.items()):
            if (source, target) not in drawn and count and source in inside:
                if flow_of(target) != flow:
                    outside.add(target)
                _edge(graph, source, target, "", traffic, observed=True)
    for ref in sorted(outside):
        _node(graph, catalog, ref, traffic, external=True)
    return graph


def _node(
    graph: graphviz.Digraph, catalog: Catalog, ref: str, traffic: FlowStats | None, external: bool = False
) -> None:
    kind = catalog.node(ref).kind if ref in catalog else "message"
    shape, fill = SHAPES[kind]
    name = ref if external else ref.split(".", 1)[1]
    lines = [name, f"[{KIND_LABELS[kind]}]"]
    if preview := _preview(catalog, ref) if ref in catalog else "":
        lines.append(preview)
    attrs = {"shape": shape, "fillcolor": fill}
    if kind == "handoff":
        attrs.update(color="#c62828", penwidth="2", fontcolor="#b71c1c")
        lines[1] = "[상담 연결 ☎]"
    if traffic is not None:
        reached, dropped = traffic.reached[ref], traffic.dropped[ref]
        share = reached / traffic.entered if traffic.entered else 0
        lines.append(f"도달 {reached} ({share:.0%})")
        if dropped:
            lines.append(f"이탈 {dropped} ({dropped / reached:.0%})" if reached else f"이탈 {dropped}")
            attrs.update(color="#6d4c41", penwidth="3")
        if not reached:
            attrs.update(fillcolor="#fafafa", fontcolor="#9e9e9e")
    if external:
        attrs.update(style="filled,dashed")
    graph.node(ref, "\n".join(lines), **attrs)


def _edge(
    graph: graphviz.Digraph,
    source: str,
    target: str,
    label: str,
    traffic: FlowStats | None,
    observed: bool = False,
) -> None:
    attrs: dict[str, str] = {}
    if traffic is not None:
        count, reached = traffic.edges[(source, target)], traffic.reached[source]
        if count:
            share = count / reached if reached else 0
            label = f"{label}\n{share:.0%} ({count})" if label else f"{share:.0%} ({count})"
            attrs["penwidth"] = f"{1 + 5 * share:.1f}"
            attrs["color"] = "#1565c0"
        else:
            attrs["color"] = "#bdbdbd"
    if observed:
        attrs.update(style="dashed", color="#c62828" if target.endswith("agent") else "#8d6e63")
    graph.edge(source, target, label=label, **attrs)


def write_graphs(
    catalog: Catalog, flows: list[str], directory: Path, traffic: dict[str, FlowStats] | None = None
) -> list[Path]:
    """`<flow>.dot` (the source) and `<flow>.png` per guide."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for flow in flows:
        graph = flow_graph(catalog, flow, (traffic or {}).get(flow))
        dot = directory / f"{flow}.dot"
        dot.write_text(graph.source, encoding="utf-8")
        png = graph.render(outfile=directory / f"{flow}.png", format="png", cleanup=True)
        written += [dot, Path(png)]
    return written


def svg(catalog: Catalog, flow: str, traffic: FlowStats | None = None) -> bytes:
    """The diagram as SVG (the inbox page)."""
    return flow_graph(catalog, flow, traffic).pipe(format="svg")
