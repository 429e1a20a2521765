"""Reasons and urgency from buyer text: the model against the keyword baseline, by cross-validation.

    .venv/bin/python bench/reasons.py [--folds 5] [--seed 12] [--speed-texts 5000]

Both are scored on the same stratified folds of the labelled set
(`aftersales/intelligence/reasons/data/labelled.tsv`); the model is trained on the other folds each
time, the baseline (`lexicon.keyword_reason` / `keyword_urgency`: the first keyword that matches)
needs no training. Figures:

- macro-F1: the F1 of each reason (the case taxonomy plus `service`), averaged with equal weight —
  a rare reason (wrong item, size) counts as much as a common one;
- urgent-F1: the F1 of "urgent", defined as urgency ≥ 2 (angry, or threatens a complaint, 12315, a
  bad review or the media) — the cases the inbox puts first;
- urgency accuracy (exact level 0–3), and the same per source (real reviews / written descriptions);
- the same figures on the held-out set (`data/holdout.tsv`, never trained on): texts in the style of
  the platforms' refund forms and of chats with the shop (traditional characters, full-width digits,
  emoji and emoticons, English words, negation, threats with spaces), scored through `classify()` —
  the model built from the whole labelled set, as the product runs it;
- speed: texts/s of `classify()` (reason, urgency, confidence, tags, evidence) on one process,
  batched and one text at a time, after the model is built; and how long building it takes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

URGENT = 2  # urgency ≥ URGENT counts as urgent


def f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def macro_f1(gold: list[str], pred: list[str], labels: list[str]) -> float:
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        scores.append(f1(tp, fp, fn))
    return sum(scores) / len(scores)


def urgent_f1(gold: list[int], pred: list[int]) -> float:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g >= URGENT and p >= URGENT)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if g < URGENT and p >= URGENT)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g >= URGENT and p < URGENT)
    return f1(tp, fp, fn)


def scores(examples, reasons, urgencies, labels) -> dict:
    gold_r = [e.reason for e in examples]
    gold_u = [e.urgency for e in examples]
    return {
        "macro_f1": round(macro_f1(gold_r, reasons, labels), 3),
        "urgent_f1": round(urgent_f1(gold_u, urgencies), 3),
        "urgency_accuracy": round(sum(g == p for g, p in zip(gold_u, urgencies, strict=True)) / len(gold_u), 3),
        "reason_accuracy": round(sum(g == p for g, p in zip(gold_r, reasons, strict=True)) / len(gold_r), 3),
    }


def cross_validate(folds: int, seed: int) -> dict:
    from sklearn.model_selection import StratifiedKFold

    from aftersales.intelligence.reasons import dataset
    from aftersales.intelligence.reasons.lexicon import REASONS, keyword_reason, keyword_urgency
    from aftersales.intelligence.reasons.model import ReasonModel

    examples = list(dataset.load())
    labels = [r for r in REASONS if any(e.reason == r for e in examples)]
    model_r, model_u = [None] * len(examples), [None] * len(examples)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split([e.text for e in examples], [e.reason for e in examples]):
        model = ReasonModel().fit([examples[i].text for i in train], [examples[i].reason for i in train],
                                  [examples[i].urgency for i in train])
        for i, p in zip(test, model.predict([examples[i].text for i in test]), strict=True):
            model_r[i], model_u[i] = p.reason, p.urgency
    base_r = [keyword_reason(e.text) for e in examples]
    base_u = [keyword_urgency(e.text) for e in examples]
    out = {"examples": len(examples), "folds": folds, "seed": seed, "urgent": f"urgency >= {URGENT}",
           "model": scores(examples, model_r, model_u, labels),
           "keyword_baseline": scores(examples, base_r, base_u, labels)}
    for source in sorted({e.source for e in examples}):
        idx = [i for i, e in enumerate(examples) if e.source == source]
        sub = [examples[i] for i in idx]
        out[f"model[{source}]"] = scores(sub, [model_r[i] for i in idx], [model_u[i] for i in idx], labels)
        out[f"keyword_baseline[{source}]"] = scores(sub, [base_r[i] for i in idx], [base_u[i] for i in idx],
                                                    labels)
    return out


def holdout() -> dict:
    from aftersales.intelligence.reasons import dataset
    from aftersales.intelligence.reasons.classify import classify
    from aftersales.intelligence.reasons.lexicon import REASONS, keyword_reason, keyword_urgency

    examples = list(dataset.load_holdout())
    labels = [r for r in REASONS if any(e.reason == r for e in examples)]
    got = classify([e.text for e in examples])
    return {"examples": len(examples),
            "model": scores(examples, [s.reason for s in got], [s.urgency for s in got], labels),
            "keyword_baseline": scores(examples, [keyword_reason(e.text) for e in examples],
                                       [keyword_urgency(e.text) for e in examples], labels)}


def speed(n: int) -> dict:
    from aftersales.intelligence.reasons import classify as classify_module
    from aftersales.intelligence.reasons import dataset

    started = time.perf_counter()
    classify_module.model()
    build_s = time.perf_counter() - started
    texts = [e.text for e in dataset.load()]
    texts = (texts * (n // len(texts) + 1))[:n]
    started = time.perf_counter()
    for i in range(0, n, 500):
        classify_module.classify(texts[i:i + 500])
    batched = n / (time.perf_counter() - started)
    singles = texts[:500]
    started = time.perf_counter()
    for text in singles:
        classify_module.classify([text])
    single = len(singles) / (time.perf_counter() - started)
    return {"model_build_s": round(build_s, 2), "texts_per_s_batched_500": round(batched),
            "texts_per_s_one_at_a_time": round(single)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--speed-texts", type=int, default=5000)
    args = parser.parse_args()
    result = cross_validate(args.folds, args.seed)
    result["speed"] = speed(args.speed_texts)  # first: it times building the model
    result["holdout"] = holdout()
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
