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
        found = self.ngrams(preprocessed)
        if not found:
            return _NO_INDEX, _NO_WEIGHT
        indices, counts = np.unique(np.array(found, dtype=np.int64), return_counts=True)
        values = (1.0 + np.log(counts)) * self.idf[indices - self.offset]
        return indices, values / np.sqrt(values @ values)

    def ngrams(self, preprocessed: str) -> list[int]:
        """The feature index of every n-gram of the text that is in the vocabulary, repeats kept."""
        doc = _WHITE.sub(" ", preprocessed)
        get, size = self.vocabulary.get, len(doc)
        return [
            index
            for n in range(self.low, min(self.high, size) + 1)
            for i in range(size - n + 1)
            if (index := get(doc[i : i + n])) is not None
        ]


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
        self._idf = np.concatenate([v.idf for v in self._views])  # by feature index, both views
        folds = model.calibrated_classifiers_
        # All folds side by side, so one message costs one gather and one product: the weights by
        # feature ([features × folds·labels], rows gathered per message), intercepts and sigmoids.
        self._weights = np.ascontiguousarray(
            np.hstack([fold.estimator.coef_.T for fold in folds]), dtype=np.float32
        )
        self._intercepts = np.concatenate([fold.estimator.intercept_ for fold in folds]).astype(np.float64)
        self._a = np.array([c.a_ for fold in folds for c in fold.calibrators], dtype=np.float64)
        self._b = np.array([c.b_ for fold in folds for c in fold.calibrators], dtype=np.float64)
        self._fold_count = len(folds)

    def probabilities(self, text: str) -> np.ndarray:
        """P(intent | text) for every label in `self.labels` (scikit-learn's `predict_proba`, computed
        directly; weights kept as float32, so equal to about 1e-6)."""
        last = self._last
        if last is not None and last[0] == text:  # the same message asked twice in one turn
            return last[1].copy()
        chars, jamos = self._views
        seen = canonical(text)  # once: the jamo view is its NFD
        found = chars.ngrams(seen) + jamos.ngrams(unicodedata.normalize("NFD", seen))
        if found:
            # One np.unique for both views: jamo indices come after the characters', so the sorted
            # indices split where the jamo view starts; each view is L2-normalised on its own.
            indices, counts = np.unique(np.array(found, dtype=np.int64), return_counts=True)
            values = (1.0 + np.log(counts)) * self._idf[indices]
            split = int(np.searchsorted(indices, jamos.offset))
            for part in (values[:split], values[split:]):
                if len(part):
                    part /= np.sqrt(part @ part)
            scores = values.astype(np.float32) @ self._weights[indices] + self._intercepts
        else:
            scores = self._intercepts.copy()
        labels = len(self.labels)
        calibrated = (1.0 / (1.0 + np.exp(self._a * scores + self._b))).reshape(self._fold_count, labels)
        norms = calibrated.sum(axis=1, keepdims=True)
        positive = norms > 0
        per_fold = np.where(positive, calibrated / np.where(positive, norms, 1.0), 1.0 / labels)
        probabilities = per_fold.sum(axis=0) / self._fold_count
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
