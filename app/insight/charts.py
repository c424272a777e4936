"""PNG charts of the report (matplotlib, Agg backend, a Korean font): a funnel per guide, containment
per day. Without a Korean font every Hangul character would be an empty box, so a missing one fails
loudly (`fonts-nanum`, installed by scripts/install-chromium.sh)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager

from app.engine.catalog import Catalog, flow_of
from app.insight.report import OUTCOMES, FlowStats, Report, node_order

KOREAN_FONTS = ("NanumGothic", "NanumBarunGothic", "NanumSquare", "Noto Sans CJK KR", "Noto Sans KR")
KIND_LABELS = {
    "message": "안내",
    "choice": "선택",
    "ask": "입력",
    "branch": "분기",
    "end": "해결 확인",
    "handoff": "상담 연결",
    "close": "종료",
}
OUTCOME_COLORS = {
    "resolved": "#2e7d32",
    "handed_off": "#c62828",
    "closed": "#78909c",
    "left": "#f9a825",
    "abandoned": "#6d4c41",
    "open": "#90caf9",
}
DPI = 110


class NoKoreanFont(RuntimeError):
    pass


@lru_cache(maxsize=1)
def korean_font() -> str:
    """The family name of an installed Korean font (matplotlib's font manager)."""
    for family in KOREAN_FONTS:
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return family
    raise NoKoreanFont(
        "no Korean font for the charts: install fonts-nanum (sudo apt-get install fonts-nanum) "
        "and remove ~/.cache/matplotlib"
    )


def _style() -> None:
    plt.rcParams["font.family"] = korean_font()
    plt.rcParams["axes.unicode_minus"] = False


def node_label(catalog: Catalog, ref: str, flow: str) -> str:
    kind = catalog.node(ref).kind if ref in catalog else ""
    name = ref.split(".", 1)[1] if flow_of(ref) == flow else ref
    return f"{name} ({KIND_LABELS.get(kind, kind)})"


def funnel_chart(catalog: Catalog, stats: FlowStats, path: Path) -> Path:
    """How many of the guide's customers reached each step (bars), where they stopped (dark part),
    and how their journeys ended (the bar on top)."""
    _style()
    nodes = [n for n in node_order(catalog, stats.flow, stats) if stats.reached[n]]
    height = 1.6 + 0.34 * (len(nodes) + 3)
    fig, (top, funnel) = plt.subplots(
        2, 1, figsize=(9, height), gridspec_kw={"height_ratios": [1.4, max(len(nodes), 1)]}
    )
    _outcome_bar(top, stats)
    total = max(stats.entered, 1)
    ys = list(range(len(nodes)))[::-1]
    reached = [stats.reached[n] for n in nodes]
    dropped = [stats.dropped[n] for n in nodes]
    funnel.barh(ys, reached, color="#64b5f6", label="도달")
    funnel.barh(ys, dropped, color="#6d4c41", label="여기서 멈춤 (이탈·만료)")
    for y, count, stop in zip(ys, reached, dropped, strict=True):
        note = f"{count} ({100 * count / total:.0f}%)" + (f" · 멈춤 {stop}" if stop else "")
        funnel.text(count + total * 0.01, y, note, va="center", fontsize=9)
    funnel.set_yticks(ys, [node_label(catalog, n, stats.flow) for n in nodes], fontsize=9)
    funnel.set_xlim(0, total * 1.3)
    funnel.set_xlabel("고객 수 (안내 진입 기준)")
    funnel.legend(loc="lower right", fontsize=8, frameon=False)
    funnel.spines[["top", "right"]].set_visible(False)
    fig.suptitle(f"{stats.title} — 단계별 도달 (진입 {stats.entered}명)", fontsize=13)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _outcome_bar(axis: plt.Axes, stats: FlowStats) -> None:
    left = 0
    total = max(stats.entered, 1)
    for outcome, label in OUTCOMES.items():
        count = stats.outcomes[outcome]
        if not count:
            continue
        axis.barh([0], [count], left=left, color=OUTCOME_COLORS[outcome])
        share = count / total
        text = f"{label}\n{count} ({share:.0%})" if share >= 0.12 else f"{count}"
        axis.text(left + count / 2, 0, text, ha="center", va="center", color="white", fontsize=9)
        left += count
    axis.set_xlim(0, total)
    axis.set_yticks([])
    axis.set_xticks([])
    rate = f"{stats.containment:.0%}" if stats.containment is not None else "—"
    solved = f"{stats.resolution:.0%}" if stats.resolution is not None else "—"
    axis.set_title(f"결과 — 자체 처리율 {rate} (해결 {solved})", fontsize=10, loc="left")
    for spine in axis.spines.values():
        spine.set_visible(False)
    handles = [plt.Rectangle((0, 0), 1, 1, color=OUTCOME_COLORS[o]) for o in OUTCOMES if stats.outcomes[o]]
    labels = [OUTCOMES[o] for o in OUTCOMES if stats.outcomes[o]]
    axis.legend(
        handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=6, fontsize=8, frameon=False
    )


def containment_chart(report: Report, path: Path) -> Path:
    """Containment ((해결 + 안내 종료) / 진입) per day and guide."""
    _style()
    fig, axis = plt.subplots(figsize=(9, 4.2))
    days = report.days
    for stats in report.flows.values():
        points = [(d, c) for d in days if (c := stats.daily.get(d)) and c["entered"]]
        if not points:
            continue
        xs = [days.index(d) for d, _ in points]
        ys = [100 * c["contained"] / c["entered"] for _, c in points]
        axis.plot(xs, ys, marker="o", label=f"{stats.title} (진입 {stats.entered})")
        for x, y in zip(xs, ys, strict=True):
            axis.annotate(
                f"{y:.0f}%", (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8
            )
    axis.set_xticks(range(len(days)), [d.strftime("%m-%d") for d in days])
    axis.set_ylim(0, 110)
    axis.set_ylabel("자체 처리율 (%)")
    axis.set_title("일별 자체 처리율 (상담 연결 없이 끝난 안내 / 안내 진입)")
    axis.grid(axis="y", alpha=0.3)
    axis.spines[["top", "right"]].set_visible(False)
    axis.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def write_charts(catalog: Catalog, report: Report, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = [containment_chart(report, directory / "containment.png")]
    for stats in report.flows.values():
        if stats.entered:
            written.append(funnel_chart(catalog, stats, directory / f"funnel-{stats.flow}.png"))
    return written
