"""The routing of first messages, measured on the held-out set (written apart from the examples the
classifier learns from). Fails below 95 % on in-scope and on out-of-scope messages."""

from __future__ import annotations

from app.engine.catalog import Catalog, qualify
from app.understanding.evaluate import evaluate, format_report, load_cases
from app.understanding.router import HANDOFF_STATUS, OUT_OF_SCOPE
from app.understanding.text import canonical
from tests.understanding.conftest import DEV_SET, EVAL_SET

REQUIRED = 0.95


def training_texts(catalog: Catalog) -> set[str]:
    texts = {
        canonical(e) for flow in catalog.flows.values() for entry in flow.entries for e in entry.examples
    }
    return texts


def test_held_out_routing_is_right_for_95_percent_of_messages(shipped: Catalog) -> None:
    report = evaluate(shipped.router, load_cases(EVAL_SET))
    (right_in, total_in), (right_out, total_out) = report.in_scope(), report.out_of_scope()
    assert total_in >= 300 and total_out >= 100
    summary = format_report(report, "eval_set")
    assert right_in / total_in >= REQUIRED, summary
    assert right_out / total_out >= REQUIRED, summary


def test_after_a_handoff_questions_about_it_are_recognised(shipped: Catalog) -> None:
    report = evaluate(shipped.router, load_cases(EVAL_SET))
    right, total = report.section("after_handoff")
    assert total >= 20 and right / total >= 0.9, format_report(report, "eval_set")


def test_the_evaluation_sets_share_no_sentence_with_the_training_examples(shipped: Catalog) -> None:
    taught = training_texts(shipped)
    for path in (EVAL_SET, DEV_SET):
        overlap = [c.text for c in load_cases(path) if canonical(c.text) in taught]
        assert not overlap, f"{path.name} sentences also taught as examples: {overlap[:5]}"


def test_the_evaluation_set_covers_every_entry_and_labels_only_real_ones(shipped: Catalog) -> None:
    cases = load_cases(EVAL_SET)
    entries = {qualify(n, e.next) for n, f in shipped.flows.items() for e in f.entries}
    labels = {label for case in cases for label in case.expect}
    assert labels <= entries | {OUT_OF_SCOPE, HANDOFF_STATUS}
    assert entries <= labels
    assert len([c for c in cases if c.section == "messages"]) >= 400
    assert len({canonical(c.text) for c in cases}) == len(cases), "duplicate sentences"
