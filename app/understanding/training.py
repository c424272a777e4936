"""The training set, gathered from the content: every entry's examples, labelled with the entry's
target (`flow.node`), plus the out-of-scope and handoff-status examples of `_understanding.yaml`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from app.understanding.classifier import IntentClassifier
from app.understanding.router import HANDOFF_STATUS, OUT_OF_SCOPE, Router, Thresholds
from app.understanding.text import canonical


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    source: str  # file the example came from, for error messages


def conflicts(examples: Sequence[Example]) -> Iterator[str]:
    """Examples that read the same (after canonicalisation) but teach different intents."""
    seen: dict[str, Example] = {}
    for example in examples:
        key = canonical(example.text)
        other = seen.setdefault(key, example)
        if other.label != example.label:
            yield (
                f"example {example.text!r} ({example.source}: {example.label}) is also an example of "
                f"{other.label} ({other.source})"
            )


def special_examples(
    out_of_scope: Sequence[str], handoff_status: Sequence[str], source: str
) -> list[Example]:
    return [Example(t, OUT_OF_SCOPE, source) for t in out_of_scope] + [
        Example(t, HANDOFF_STATUS, source) for t in handoff_status
    ]


def train_router(
    examples: Sequence[Example], thresholds: Thresholds, menu: str, greetings: Sequence[str] = ()
) -> Router:
    classifier = IntentClassifier([e.text for e in examples], [e.label for e in examples])
    return Router(classifier, thresholds, menu, greetings)


def by_label(examples: Sequence[Example]) -> Mapping[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.label] = counts.get(example.label, 0) + 1
    return counts
