from __future__ import annotations

import numpy as np
import pytest

from app.engine.catalog import Catalog
from app.understanding.classifier import IntentClassifier
from app.understanding.evaluate import load_cases
from app.understanding.text import MAX_CHARS, canonical, jamo
from tests.understanding.conftest import DEV_SET


def test_direct_probabilities_equal_scikit_learns(shipped: Catalog) -> None:
    examples = [(t, f"{n}.{e.next}") for n, f in shipped.flows.items() for e in f.entries for t in e.examples]
    classifier = IntentClassifier(*zip(*examples, strict=True), keep_model=True)  # type: ignore[arg-type]
    assert classifier.pipeline is not None and shipped.router.classifier.pipeline is None
    # …and messages with features in only one view: "ㅋ" (letters only), "갂갃" (jamo only: syllables
    # no example has, made of letters that are in examples)
    texts = [*(c.text for c in load_cases(DEV_SET)[:80]), "", "ㅋ", "a" * 2000, "\ufffd", "🚗🚗🚗", "갂갃"]
    expected = classifier.pipeline.predict_proba(texts)
    for text, row in zip(texts, expected, strict=True):
        assert np.allclose(classifier.probabilities(text), row, atol=1e-5), text


def test_ranking_is_ordered_and_sums_to_one(shipped: Catalog) -> None:
    ranked = shipped.router.classifier.rank("충전 끝났는데 계속 이용중으로 나와요", top=50)
    probabilities = [r.probability for r in ranked]
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) == pytest.approx(1.0)
    assert ranked[0].label == "ev_charging.q3"


@pytest.mark.parametrize(
    ("a", "b"),
    [("충전끝났는데", "충전 끝났는데!!"), ("ＫＴ", "kt"), ("ㅠㅠㅠㅠㅠ", "ㅠㅠ"), ("안되요", "안 되요")],
)
def test_canonical_text_ignores_spacing_width_case_and_repeats(a: str, b: str) -> None:
    assert canonical(a) == canonical(b)


def test_jamo_view_shares_most_letters_when_a_batchim_slips() -> None:
    right, slip = jamo("됐어요"), jamo("됬어요")
    assert right != slip and sum(x == y for x, y in zip(right, slip, strict=False)) >= len(right) - 2


def test_long_messages_are_cut_before_anything_else() -> None:
    assert len(canonical("가나" * 100_000)) == MAX_CHARS


def test_training_needs_two_intents_and_matching_labels() -> None:
    with pytest.raises(ValueError, match="at least two intents"):
        IntentClassifier(["안녕", "하이"], ["a", "a"])
    with pytest.raises(ValueError, match="at least two intents"):
        IntentClassifier(["안녕"], ["a", "b"])
