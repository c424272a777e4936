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
_NO_INDEX = np.zeros(0, dtype=np.int64)
_NO_WEIGHT = np.zeros(0, dtype=np.float64)


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
    tolerance: float = 1e-2  # liblinear's stopping tolerance: 1e-4 (its default) trains ~2.5× slower for
    # the same routing on the development set


class _View:
    """One fitted TF-IDF vectorizer, applied by hand: n-grams → sublinear tf × idf → L2-normalised."""

    def __init__(self, vectorizer: TfidfVectorizer, preprocess: Callable[[str], str], offset: int) -> None:
        self.vocabulary: dict[str, int] = {k: int(v) + offset for k, v in vectorizer.vocabulary_.items()}
        self.idf = vectorizer.idf_.astype(np.float64)
        self.offset = offset
        self.low, self.high = vectorizer.ngram_range
        self.preprocess = preprocess

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, TF-IDF weights) of `text` in this view."""
        return self.features_of(self.preprocess(text))

    def features_of(self, preprocessed: str) -> tuple[np.ndarray, np.ndarray]:
        """`features` of a text this view's preprocessing already made."""
        doc = _WHITE.sub(" ", preprocessed)
        get, size = self.vocabulary.get, len(doc)
        found = [
            index
            for n in range(self.low, min(self.high, size) + 1)
            for i in range(size - n + 1)
            if (index := get(doc[i : i + n])) is not None
        ]
        if not found:
            return _NO_INDEX, _NO_WEIGHT
        indices, counts = np.unique(np.array(found, dtype=np.int64), return_counts=True)
        values = (1.0 + np.log(counts)) * self.idf[indices - self.offset]
        return indices, values / np.sqrt(values @ values)


class IntentClassifier:
    def __init__(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        settings: ModelSettings | None = None,
        keep_model: bool = False,
    ) -> None:
        """Train. The fitted scikit-learn objects are dropped once their numbers are copied out (half
        the memory); `keep_model=True` keeps them as `pipeline` (tests compare both answers)."""
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
            LinearSVC(C=settings.c, class_weight="balanced", random_state=0, tol=settings.tolerance),
            cv=settings.folds,
            method="sigmoid",
        )
        pipeline: Pipeline = make_pipeline(union, model)
        pipeline.fit(list(texts), list(labels))
        self.pipeline: Pipeline | None = pipeline if keep_model else None
        self.labels: tuple[str, ...] = tuple(str(c) for c in model.classes_)
        self._last: tuple[str, np.ndarray] | None = None  # the last message ranked, and its answer
        chars, jamos = (t for _, t in union.transformer_list)
        self._views = (_View(chars, canonical, 0), _View(jamos, jamo, len(chars.vocabulary_)))
        self._folds = [  # per fold: weights by feature (rows gathered per message), intercept, sigmoid
            (
                np.ascontiguousarray(fold.estimator.coef_.T, dtype=np.float32),
                fold.estimator.intercept_.astype(np.float64),
                np.array([c.a_ for c in fold.calibrators]),
                np.array([c.b_ for c in fold.calibrators]),
            )
            for fold in model.calibrated_classifiers_
        ]

    def probabilities(self, text: str) -> np.ndarray:
        """P(intent | text) for every label in `self.labels` (scikit-learn's `predict_proba`, computed
        directly; weights kept as float32, so equal to about 1e-6)."""
        last = self._last
        if last is not None and last[0] == text:  # the same message asked twice in one turn
            return last[1].copy()
        chars, jamos = self._views
        seen = canonical(text)  # once: the jamo view is its NFD
        parts = [chars.features_of(seen), jamos.features_of(unicodedata.normalize("NFD", seen))]
        indices = np.concatenate([i for i, _ in parts])
        weights = np.concatenate([w for _, w in parts]).astype(np.float32)
        total = np.zeros(len(self.labels))
        for by_feature, intercept, a, b in self._folds:
            scores = weights @ by_feature[indices] + intercept if len(indices) else intercept.copy()
            calibrated = 1.0 / (1.0 + np.exp(a * scores + b))
            norm = calibrated.sum()
            total += calibrated / norm if norm > 0 else 1.0 / len(self.labels)
        probabilities = total / len(self._folds)
        self._last = (text, probabilities)
        return probabilities.copy()

    def rank(self, text: str, top: int = 3) -> list[Ranked]:
        """The `top` most likely intents, most likely first."""
        probabilities = self.probabilities(text)
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
