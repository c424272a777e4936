"""The intent classifier: character n-grams of the text and of its jamo, TF-IDF, a linear model.

Trained at start-up from the examples that live with the content (about a thousand sentences train in a
fraction of a second). Character n-grams need no word segmentation, so missing spaces, particles and
typos cost a few n-grams instead of the whole word; the jamo view catches slipped 받침 and vowels.
The model is a linear SVM with probabilities calibrated by cross-validation (scikit-learn's
`CalibratedClassifierCV`), which the router compares with its thresholds. The choice of features and
model was made by measurement on the development set (`cs-bot eval --set dev`; see the README).

Prediction does not go through scikit-learn's pipeline: for one short message its input validation
costs more than the arithmetic. `rank` computes the same TF-IDF vector from the fitted vocabularies and
the same calibrated probabilities from the fitted coefficients (a test checks both agree), in a few
tens of microseconds.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.svm import LinearSVC

from app.understanding.text import canonical, jamo

_WHITE = re.compile(r"\s\s+")


@dataclass(frozen=True)
class Ranked:
    """One intent and how likely the classifier thinks it is (0…1; all intents sum to 1)."""

    label: str
    probability: float


@dataclass(frozen=True)
class ModelSettings:
    char_ngrams: tuple[int, int] = (1, 4)
    jamo_ngrams: tuple[int, int] = (2, 5)
    c: float = 1.0
    folds: int = 3


class _View:
    """One fitted TF-IDF vectorizer, applied by hand: n-grams → sublinear tf × idf → L2-normalised."""

    def __init__(self, vectorizer: TfidfVectorizer, preprocess: Callable[[str], str], offset: int) -> None:
        self.vocabulary: dict[str, int] = {k: int(v) + offset for k, v in vectorizer.vocabulary_.items()}
        self.idf = vectorizer.idf_.astype(np.float64)
        self.idf_list: list[float] = self.idf.tolist()
        self.offset = offset
        self.low, self.high = vectorizer.ngram_range
        self.preprocess = preprocess

    def features(self, text: str) -> tuple[list[int], list[float]]:
        return self.features_of(self.preprocess(text))

    def features_of(self, preprocessed: str) -> tuple[list[int], list[float]]:
        """`features` of an already preprocessed text. The same numbers in the same order as a
        Counter over numpy's idf (a plain dict keeps first-seen order; idf as Python floats gives
        the same IEEE products), at a fraction of the interpreter overhead."""
        doc = _WHITE.sub(" ", preprocessed)
        lookup = self.vocabulary.get
        counts: dict[int, int] = {}
        length = len(doc)
        for n in range(self.low, min(self.high, length) + 1):
            for i in range(length - n + 1):
                index = lookup(doc[i : i + n])
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
        if not counts:
            return [], []
        idf, offset, log = self.idf_list, self.offset, math.log
        indices = list(counts)
        values = [(1.0 + log(counts[i])) * idf[i - offset] for i in indices]
        norm = math.sqrt(sum(v * v for v in values))
        return indices, [v / norm for v in values]


class IntentClassifier:
    def __init__(
        self, texts: Sequence[str], labels: Sequence[str], settings: ModelSettings | None = None
    ) -> None:
        if len(texts) != len(labels) or len(set(labels)) < 2:
            raise ValueError("the classifier needs examples of at least two intents")
        settings = settings or ModelSettings()
        union = FeatureUnion(
            [
                ("chars", _vectorizer(canonical, settings.char_ngrams)),
                ("jamo", _vectorizer(jamo, settings.jamo_ngrams)),
            ]
        )
        model = CalibratedClassifierCV(
            LinearSVC(C=settings.c, class_weight="balanced", random_state=0),
            cv=settings.folds,
            method="sigmoid",
        )
        self.pipeline: Pipeline = make_pipeline(union, model)
        self.pipeline.fit(list(texts), list(labels))
        self.labels: tuple[str, ...] = tuple(str(c) for c in model.classes_)
        chars, jamos = (t for _, t in union.transformer_list)
        self._views = (_View(chars, canonical, 0), _View(jamos, jamo, len(chars.vocabulary_)))
        self._folds = [
            (
                fold.estimator.coef_.astype(np.float64),
                fold.estimator.intercept_.astype(np.float64),
                np.array([c.a_ for c in fold.calibrators]),
                np.array([c.b_ for c in fold.calibrators]),
            )
            for fold in model.calibrated_classifiers_
        ]
        self._last: tuple[str, np.ndarray] | None = None  # the last message ranked and its probabilities
        self._coef = np.ascontiguousarray(np.vstack([coef for coef, _, _, _ in self._folds]))
        self._intercept = np.concatenate([intercept for _, intercept, _, _ in self._folds])
        self._a = np.concatenate([a for _, _, a, _ in self._folds])
        self._b = np.concatenate([b for _, _, _, b in self._folds])

    def probabilities(self, text: str) -> np.ndarray:
        """P(intent | text) for every label in `self.labels` (the same numbers as scikit-learn's
        `predict_proba`, computed directly)."""
        chars, jamos = self._views
        canonical_text = canonical(text)  # computed once: the jamo view is its NFD
        indices, values = chars.features_of(canonical_text)
        more_indices, more_values = jamos.features_of(unicodedata.normalize("NFD", canonical_text))
        indices += more_indices
        values += more_values
        # All folds at once (rows fold by fold), bit for bit the numbers of a loop over the folds:
        # one column selection for all folds, then one matrix-vector product per fold (BLAS sums one
        # fold's rows differently when they are part of a taller matrix), then the calibration and
        # the per-fold normalisation element-wise.
        if indices:
            weights, rows, selected = np.array(values), len(self.labels), self._coef[:, indices]
            products = [selected[f * rows : (f + 1) * rows] @ weights for f in range(len(self._folds))]
            scores = np.concatenate(products) + self._intercept
        else:
            scores = self._intercept
        calibrated = (1.0 / (1.0 + np.exp(self._a * scores + self._b))).reshape(len(self._folds), -1)
        total = np.zeros(len(self.labels))
        for row, norm in zip(calibrated, calibrated.sum(axis=1), strict=True):  # in fold order
            total += row / norm if norm > 0 else 1.0 / len(self.labels)
        return total / len(self._folds)

    def rank(self, text: str, top: int = 3) -> list[Ranked]:
        """The `top` most likely intents, most likely first."""
        last = self._last  # the router may ask twice about one message (after a handoff, then at the menu)
        if last is not None and last[0] == text:
            probabilities = last[1]
        else:
            probabilities = self.probabilities(text)
            self._last = (text, probabilities)
        order = np.argsort(probabilities)[::-1][:top]
        return [Ranked(self.labels[i], float(probabilities[i])) for i in order]


def _vectorizer(preprocess: Callable[[str], str], ngrams: tuple[int, int]) -> TfidfVectorizer:
    return TfidfVectorizer(
        preprocessor=preprocess,
        analyzer="char",
        ngram_range=ngrams,
        sublinear_tf=True,
        dtype=np.float64,
    )
