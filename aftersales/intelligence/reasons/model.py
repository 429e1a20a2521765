"""Lexicon + character n-gram model: two linear classifiers (reason, urgency) over the same features.

Features: TF-IDF of character 1–3-grams (Chinese needs no word segmentation for this; English
works through the same n-grams) beside one indicator per lexicon reason and urgency level. Each
classifier is a logistic regression fitted by SGD over a fixed number of epochs with a fixed seed:
deterministic, about a second on one core, so it is trained at first use from the labelled set
shipped in the package — nothing is downloaded, nothing pickled. (Exact L-BFGS took 20 s on the
shared two cores for the same figures; see `bench/reasons.py` for what the choices score.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from aftersales.intelligence.reasons.lexicon import REASON_WORDS, URGENCY_WORDS, Scan, scan
from aftersales.intelligence.reasons.text import normalize

_LEXICON_REASONS = [reason for reason, _ in REASON_WORDS]
_LEXICON_LEVELS = [level for level, _ in URGENCY_WORDS]
#: How much a lexicon hit weighs beside the n-grams (TF-IDF rows have unit length).
LEXICON_WEIGHT = 0.3
#: A threat of a complaint, 12315, a bad review or the media is urgency 3 whatever the model says:
#: the words are unambiguous and missing one costs more than a false alarm.
THREAT_LEVEL = 3


def _lexicon_features(texts: Sequence[str], scans: Sequence[Scan]) -> sparse.csr_matrix:
    rows = []
    for text, hits in zip(texts, scans, strict=True):
        rows.append([1.0 if r in hits.reasons else 0.0 for r in _LEXICON_REASONS]
                    + [1.0 if lv in hits.levels else 0.0 for lv in _LEXICON_LEVELS]
                    + [1.0 if text.count("!") >= 2 else 0.0])  # NFKC made every ！ a !
    return sparse.csr_matrix(np.asarray(rows) * LEXICON_WEIGHT)


_FUNCTION_CHARS = frozenset("的了是我你他她它们在就都也还和与很这那个一有吗呢吧啊")


def _explains(gram: str) -> bool:
    return len(gram) >= 2 and gram.isalnum() and not gram.isascii() and not set(gram) <= _FUNCTION_CHARS


def _logistic(alpha: float) -> SGDClassifier:
    # Rare reasons weigh as much as common ones (class_weight); fixed epochs and seed: deterministic.
    return SGDClassifier(loss="log_loss", alpha=alpha, class_weight="balanced", max_iter=50, tol=None,
                         random_state=0)


@dataclass
class Prediction:
    reason: str
    reason_probability: float
    urgency: int
    ngrams: list[str]  # the n-grams that pushed hardest towards the reason, strongest first
    scan: Scan  # the lexicon's words in the text


class ReasonModel:
    def __init__(self, *, alpha_reason: float = 3e-5, alpha_urgency: float = 3e-4):
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
        self.reason_clf = _logistic(alpha_reason)
        self.urgency_clf = _logistic(alpha_urgency)

    def _features(self, texts: Sequence[str], scans: Sequence[Scan], *, fit: bool = False) -> sparse.csr_matrix:
        # The n-grams read the text with the words the buyer negates blanked out (lexicon.scan).
        masked = [hits.masked for hits in scans]
        grams = self.vectorizer.fit_transform(masked) if fit else self.vectorizer.transform(masked)
        return sparse.hstack([grams, _lexicon_features(texts, scans)], format="csr")

    def fit(self, texts: Sequence[str], reasons: Sequence[str], urgencies: Sequence[int]) -> ReasonModel:
        texts = [normalize(t) for t in texts]
        features = self._features(texts, [scan(t) for t in texts], fit=True)
        self.reason_clf.fit(features, list(reasons))
        self.urgency_clf.fit(features, list(urgencies))
        self._names = self.vectorizer.get_feature_names_out()
        # Evidence is shown to people: only Chinese n-grams of two or three characters qualify, none with
        # punctuation or spaces, none of function words alone (的是, 了我); pieces of English words
        # ("ar", "ive") say nothing, so English evidence comes from the lexicon alone.
        self._explains = np.array([_explains(name) for name in self._names])
        return self

    def predict(self, texts: Sequence[str], *, explain: int = 0, normalized: bool = False) -> list[Prediction]:
        """`normalized`: the texts already went through `text.normalize` (it is idempotent; this saves a pass)."""
        texts = list(texts) if normalized else [normalize(t) for t in texts]
        if not texts:
            return []
        scans = [scan(t) for t in texts]
        features = self._features(texts, scans)
        probabilities = self.reason_clf.predict_proba(features)
        urgencies = self.urgency_clf.predict(features)
        classes = self.reason_clf.classes_
        out = []
        for i in range(len(texts)):
            best = int(np.argmax(probabilities[i]))
            urgency = int(urgencies[i])
            if THREAT_LEVEL in scans[i].levels:
                urgency = THREAT_LEVEL
            grams = self._strongest_ngrams(features, i, best, explain) if explain else []
            out.append(Prediction(str(classes[best]), float(probabilities[i][best]), urgency, grams, scans[i]))
        return out

    def _strongest_ngrams(self, features: sparse.csr_matrix, row: int, klass: int, limit: int) -> list[str]:
        """The text's n-grams (two characters or more) that weigh most for the chosen reason."""
        lo, hi = features.indptr[row], features.indptr[row + 1]
        columns, values = features.indices[lo:hi], features.data[lo:hi]
        keep = columns < len(self._names)
        columns, values = columns[keep], values[keep]
        keep = self._explains[columns]
        columns, values = columns[keep], values[keep]
        weights = values * self.reason_clf.coef_[klass][columns]
        order = np.lexsort((columns, -weights))[:limit]
        return [str(self._names[columns[k]]) for k in order if weights[k] > 0]
