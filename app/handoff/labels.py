"""Korean labels for the codes agents read (reasons, desks), kept with the content in
`skills/_labels.yaml`; `check_labels` makes `cs-bot check` (and start-up) fail on a reason without one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.engine.catalog import Catalog
from app.engine.errors import Problem
from app.engine.model import HandoffNode

LABELS_FILE = "_labels.yaml"
# Reasons the server gives by itself (the engine's 상담직원 연결, retry limit and follow-up after a
# handoff, the failure handoff).
SERVER_REASONS = ("customer_request", "retry_limit", "after_handoff", "internal_error")


@dataclass(frozen=True)
class Labels:
    reasons: Mapping[str, str] = field(default_factory=dict)
    desks: Mapping[str, str] = field(default_factory=dict)

    def reason(self, code: str) -> str:
        return self.reasons.get(code, code)

    def desk(self, name: str) -> str:
        return self.desks.get(name, name)


def load_labels(skills_dir: Path) -> tuple[Labels, list[Problem]]:
    path = skills_dir / LABELS_FILE
    where = f"skills/{LABELS_FILE}"
    if not path.exists():
        return Labels(), [Problem(where, None, "missing: Korean labels for reasons and desks")]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        return Labels(), [Problem(where, None, f"not valid YAML: {exc}")]
    problems: list[Problem] = []
    sections: dict[str, dict[str, str]] = {}
    for section in ("reasons", "desks"):
        found = data.get(section) or {}
        if not isinstance(found, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in found.items()
        ):
            problems.append(Problem(where, section, "must map each code to a non-empty Korean label"))
            found = {}
        sections[section] = {k: v.strip() for k, v in found.items()}
    return Labels(sections["reasons"], sections["desks"]), problems


def check_labels(catalog: Catalog, labels: Labels) -> list[Problem]:
    """Every reason a handoff can carry needs a label an agent can read."""
    problems = [
        Problem(f"skills/{LABELS_FILE}", "reasons", f"no Korean label for the server's reason {code!r}")
        for code in SERVER_REASONS
        if code not in labels.reasons
    ]
    for ref, node in catalog.nodes():
        if isinstance(node, HandoffNode) and node.reason not in labels.reasons:
            file = catalog.files.get(ref.split(".", 1)[0], "skills/")
            problems.append(
                Problem(
                    file,
                    ref.split(".", 1)[1],
                    f"reason {node.reason!r} has no Korean label in skills/{LABELS_FILE}",
                )
            )
    return list(dict.fromkeys(problems))
