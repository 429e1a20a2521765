"""The one entry point: buyer texts in, one suggestion each out (reason, urgency, confidence, tags, evidence).

The model is built once per process at first use from the labelled set in the package (about a
second), under a lock so that concurrent first requests build it once. Building is deterministic,
so every process of a deployment suggests the same thing for the same words.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import jieba

from aftersales.intelligence.reasons import dataset
from aftersales.intelligence.reasons.lexicon import THREAT_WORDS, Scan
from aftersales.intelligence.reasons.model import THREAT_LEVEL, ReasonModel
from aftersales.intelligence.reasons.text import has_words, normalize

#: A longer text (a pasted chat transcript) is read up to this many characters: the cost stays bounded.
MAX_INPUT_CHARS = 20000
#: The model judges at most this many characters of the (normalised) text: its beginning, where the
#: buyer states the problem, and its end, where the latest words of a chat are; a threat anywhere in
#: the text still makes it urgency 3.
MAX_CHARS = 2000
_TAIL_CHARS = 500
_EVIDENCE = 6

_lock = threading.Lock()
_model: ReasonModel | None = None


@dataclass(frozen=True)
class Suggestion:
    reason: str
    urgency: int
    confidence: float
    tags: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


#: What a text with no words gets: nothing to go on.
EMPTY = Suggestion("other", 0, 0.0, [], [])


def model() -> ReasonModel:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()  # its dictionary, loaded with the model rather than by the first text
                examples = dataset.load()
                _model = ReasonModel().fit([e.text for e in examples], [e.reason for e in examples],
                                           [e.urgency for e in examples])
    return _model


_LATIN_WORD = re.compile(r"[a-z0-9']+")


def _readable(text: str, ngrams: list[str]) -> list[str]:
    """The n-grams a reader takes for words: a word of the text as jieba cuts it, or a whole latin word —
    never a fragment across two words such as 次就 (of 这次就算了)."""
    if not ngrams:
        return []
    words = set(jieba.lcut(text)) | set(_LATIN_WORD.findall(text))
    return [gram for gram in ngrams if gram.strip() in words]


def _evidence(hits: Scan, reason: str, urgency: int, ngrams: list[str]) -> list[str]:
    """The words that decided it: the lexicon's words for the reason and the urgency, then the n-grams
    that read as words."""
    words = list(hits.reasons.get(reason, []))
    words += hits.levels.get(urgency, [])
    words += ngrams
    seen: list[str] = []
    for word in words:
        word = word.strip()
        if word and not any(word in kept or kept in word for kept in seen):
            seen.append(word)
    return seen[:_EVIDENCE]


def _judged(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    return text[: MAX_CHARS - _TAIL_CHARS] + "。" + text[-_TAIL_CHARS:]


def _threatens(text: str) -> list[str]:
    return [word for word in THREAT_WORDS if word in text]


def classify(texts: Sequence[str]) -> list[Suggestion]:
    """One suggestion per text, in order. A text with no words (blank, only emoji, emoticons or
    punctuation) gets `EMPTY`: reason other, confidence 0."""
    full = [normalize((t or "")[:MAX_INPUT_CHARS]) for t in texts]
    filled = [i for i, t in enumerate(full) if has_words(t)]
    out: list[Suggestion] = [EMPTY] * len(full)
    if not filled:
        return out
    predictions = model().predict([_judged(full[i]) for i in filled], explain=3, normalized=True)
    for i, p in zip(filled, predictions, strict=True):
        threat = len(full[i]) > MAX_CHARS and _threatens(full[i])
        out[i] = Suggestion(
            reason=p.reason,
            urgency=THREAT_LEVEL if threat else p.urgency,
            confidence=round(p.reason_probability, 3),
            tags=list(p.scan.tags),
            evidence=_evidence(p.scan, p.reason, p.urgency, _readable(full[i], p.ngrams)),
        )
    return out


def classify_one(text: str) -> Suggestion:
    return classify([text])[0]


def urgency_of(text: str) -> int:
    """How urgent the words are, 0 calm … 3 threatens a complaint: what a case opened with them records."""
    return classify_one(text).urgency
