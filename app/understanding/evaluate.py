"""Measuring routing on a labelled set of customer messages (`cs-bot eval`, and the accuracy test).

A set is YAML: `messages` (first messages, `expect` = an entry target `flow.node`, `out_of_scope` or
`handoff_status`), `after_handoff` (said right after a handoff) and `ambiguous` (`expect_any`: the bot
may route to any of them or ask which one). A first message counts as right only when the bot goes
straight to the expected entry (a clarifying question is not top-1), or — out of scope — answers that it
cannot help.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.understanding.router import (
    HANDOFF_STATUS,
    OUT_OF_SCOPE,
    Clarify,
    Decision,
    HandoffStatus,
    OutOfScope,
    Route,
    Router,
)

CLARIFY = "(clarify)"


@dataclass(frozen=True)
class Case:
    text: str
    expect: tuple[str, ...]  # any of these is right
    section: str


@dataclass(frozen=True)
class Result:
    case: Case
    decided: str  # the target, out_of_scope, handoff_status, or "(clarify) a | b"
    right: bool


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    def share(self, results: Iterable[Result]) -> tuple[int, int]:
        results = list(results)
        return sum(r.right for r in results), len(results)

    def in_scope(self) -> tuple[int, int]:
        return self.share(
            r for r in self.results if r.case.section == "messages" and r.case.expect != (OUT_OF_SCOPE,)
        )

    def out_of_scope(self) -> tuple[int, int]:
        return self.share(
            r for r in self.results if r.case.section == "messages" and r.case.expect == (OUT_OF_SCOPE,)
        )

    def section(self, name: str) -> tuple[int, int]:
        return self.share(r for r in self.results if r.case.section == name)

    def misses(self) -> list[Result]:
        return [r for r in self.results if not r.right]

    def confusion(self) -> Counter[tuple[str, str]]:
        return Counter(
            (r.case.expect[0], _kind(r.decided)) for r in self.results if r.case.section == "messages"
        )


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = [Case(str(m["text"]), (str(m["expect"]),), "messages") for m in data.get("messages", [])]
    cases += [
        Case(str(m["text"]), (str(m["expect"]),), "after_handoff") for m in data.get("after_handoff", [])
    ]
    cases += [
        Case(str(m["text"]), tuple(str(x) for x in m["expect_any"]), "ambiguous")
        for m in data.get("ambiguous", [])
    ]
    return cases


def evaluate(router: Router, cases: Iterable[Case]) -> Report:
    report = Report()
    for case in cases:
        decision = router.decide(case.text, after_handoff=case.section == "after_handoff")
        decided = describe(decision)
        report.results.append(Result(case, decided, _right(case, decision)))
    return report


def describe(decision: Decision) -> str:
    if isinstance(decision, Route):
        return decision.target
    if isinstance(decision, Clarify):
        return f"{CLARIFY} {decision.first} | {decision.second}"
    if isinstance(decision, HandoffStatus):
        return HANDOFF_STATUS
    return OUT_OF_SCOPE


def _right(case: Case, decision: Decision) -> bool:
    if isinstance(decision, Route):
        return decision.target in case.expect
    if isinstance(decision, OutOfScope):
        return OUT_OF_SCOPE in case.expect
    if isinstance(decision, HandoffStatus):
        return HANDOFF_STATUS in case.expect
    return case.section == "ambiguous" and {decision.first, decision.second} <= set(case.expect)


def _kind(decided: str) -> str:
    return CLARIFY if decided.startswith(CLARIFY) else decided


def format_report(report: Report, name: str, show_misses: bool = True) -> str:
    lines = [f"== {name}"]
    for title, (right, total) in (
        ("in scope (right guide and entry)", report.in_scope()),
        ("out of scope (answered honestly)", report.out_of_scope()),
        ("after a handoff", report.section("after_handoff")),
        ("ambiguous (either, or asked)", report.section("ambiguous")),
    ):
        if total:
            lines.append(f"{title:<36} {right:>4}/{total:<4} {100 * right / total:6.1f} %")
    confusion = report.confusion()
    expected = sorted({e for e, _ in confusion})
    decided = sorted({d for _, d in confusion})
    if expected:
        lines.append("")
        lines.append("confusion (rows: expected, columns: what the bot did; only non-zero columns)")
        for row in expected:
            cells = [f"{d}={confusion[(row, d)]}" for d in decided if confusion[(row, d)]]
            lines.append(f"  {row:<26} " + "  ".join(cells))
    if show_misses and report.misses():
        lines.append("")
        lines.append(f"misses ({len(report.misses())}) — teach the bot with examples like these:")
        for miss in report.misses():
            lines.append(f"  [{miss.case.section}] {miss.case.text!r}")
            lines.append(f"      expected {' or '.join(miss.case.expect)}, got {miss.decided}")
    return "\n".join(lines)
