"""The report as a terminal table and as CSV files (UTF-8 with BOM, so that Excel reads the Korean)."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from app.engine.catalog import Catalog
from app.insight.report import OUTCOMES, SEOUL, FlowStats, Report, node_order, percent

SUMMARY_HEADER = [
    "guide",
    "title",
    "entered",
    *OUTCOMES,
    "containment",
    "resolution_rate",
    "csat_count",
    "csat_average",
]


def width(text: str) -> int:
    """Columns a text takes in a terminal (Hangul and emoji take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    space = " " * max(columns - width(text), 0)
    return space + text if right else text + space


def grid(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    columns = [max(width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(pad(h, c) for h, c in zip(header, columns, strict=True))]
    lines.append("  ".join("-" * c for c in columns))
    for row in rows:
        cells = [pad(str(v), c, right=i > 0) for i, (v, c) in enumerate(zip(row, columns, strict=True))]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def day_label(moment: float) -> str:
    return datetime.fromtimestamp(moment, SEOUL).strftime("%Y-%m-%d %H:%M")


def csat_text(stats: FlowStats) -> str:
    if not stats.csat_count:
        return "—"
    return f"{stats.csat_average:.2f} ({stats.csat_count}건)"


def summary_rows(report: Report) -> list[list[str]]:
    rows = []
    for stats in report.flows.values():
        counts = [str(stats.outcomes[o]) for o in OUTCOMES]
        contained = percent(stats.contained, stats.entered)
        resolved = percent(stats.outcomes["resolved"], stats.entered)
        rows.append([stats.title, str(stats.entered), *counts, contained, resolved, csat_text(stats)])
    return rows


def format_report(
    catalog: Catalog, report: Report, nodes: bool = True, reason_label: Callable[[str], str] = str
) -> str:
    """Everything in the report as text for a terminal (`reason_label`: the Korean label of a reason)."""
    out = [f"기간: {day_label(report.start)} ~ {day_label(report.end)} (Asia/Seoul)", ""]
    header = ["안내", "진입", *OUTCOMES.values(), "자체 처리율", "해결률", "만족도(3점)"]
    out += [grid(header, summary_rows(report)), ""]
    for stats in report.flows.values():
        if not stats.entered:
            continue
        via = ", ".join(f"{VIA.get(k, k)} {n}" for k, n in stats.via.most_common())
        reasons = ", ".join(f"{reason_label(k)} {n}" for k, n in stats.reasons.most_common()) or "—"
        out.append(
            f"■ {stats.title} ({stats.flow}) — 진입 {stats.entered} ({via}); 상담 연결 사유: {reasons}"
        )
        if stats.csat_count:
            dist = ", ".join(f"{s}점 {stats.csat[s]}" for s in report.csat_scores)
            out.append(f"  만족도: 평균 {stats.csat_average:.2f}, {stats.csat_count}건 ({dist})")
        if nodes:
            out.append(grid(["단계", "도달", "이탈", "재질문"], node_rows(catalog, stats)))
        out.append("")
    if report.out_of_scope:
        out.append("■ 도울 수 없었던 메시지 (개인정보 가림)")
        top = report.out_of_scope.most_common(10)
        out.append(grid(["메시지", "건수"], [[text, str(n)] for text, n in top]))
        out.append("")
    if report.handoffs_outside:
        reasons = ", ".join(f"{k} {n}" for k, n in report.handoffs_outside.most_common())
        out.append(f"안내 밖 상담 연결: {reasons}; 확인 질문 {report.clarify}건")
    return "\n".join(out).rstrip() + "\n"


VIA = {"menu": "메뉴", "text": "입력", "clarified": "확인 질문"}


def node_rows(catalog: Catalog, stats: FlowStats) -> list[list[str]]:
    rows = []
    for ref in node_order(catalog, stats.flow, stats):
        if stats.reached[ref] or stats.rejected[ref]:
            reached = f"{stats.reached[ref]} ({percent(stats.reached[ref], stats.entered)})"
            rows.append([ref, reached, str(stats.dropped[ref]), str(stats.rejected[ref])])
    return rows


def write_csv(catalog: Catalog, report: Report, directory: Path) -> list[Path]:
    """flows.csv (one line per guide), nodes.csv (the funnel), daily.csv, out_of_scope.csv."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []

    def write(name: str, header: list[str], rows: list[list[object]]) -> None:
        path = directory / name
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)

    scores = list(report.csat_scores)
    flows = []
    for s in report.flows.values():
        rates = [f"{r:.4f}" if r is not None else "" for r in (s.containment, s.resolution)]
        average = f"{s.csat_average:.3f}" if s.csat_average is not None else ""
        counts = [s.outcomes[o] for o in OUTCOMES]
        flows.append(
            [s.flow, s.title, s.entered, *counts, *rates, s.csat_count, average, *(s.csat[n] for n in scores)]
        )
    write("flows.csv", [*SUMMARY_HEADER, *(f"csat_{n}" for n in scores)], flows)
    nodes = [
        [s.flow, ref, _kind(catalog, ref), s.reached[ref], s.dropped[ref], s.rejected[ref]]
        for s in report.flows.values()
        for ref in node_order(catalog, s.flow, s)
    ]
    write("nodes.csv", ["guide", "node", "kind", "reached", "dropped", "rejected_answers"], nodes)
    daily = [
        [
            day.isoformat(),
            s.flow,
            c["entered"],
            c["resolved"],
            c["contained"],
            f"{c['contained'] / c['entered']:.4f}",
        ]
        for s in report.flows.values()
        for day, c in sorted(s.daily.items())
    ]
    write("daily.csv", ["day", "guide", "entered", "resolved", "contained", "containment"], daily)
    write(
        "out_of_scope.csv", ["message_masked", "count"], [list(r) for r in report.out_of_scope.most_common()]
    )
    return written


def _kind(catalog: Catalog, ref: str) -> str:
    return catalog.node(ref).kind if ref in catalog else ""
