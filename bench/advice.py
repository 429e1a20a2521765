"""The cheapest legal remedy over many open cases: how long the advice takes.

    .venv/bin/python bench/advice.py [--cases 10000] [--seed 7]

Builds `--cases` cases as the policy engine and the cost model see them — a spread of platforms,
reasons, kinds, categories, delivery states, prices, freight and learned grade mixes — then times, in
the same run:

- advice: the policy decision already kept on each case → `advice.domain.advise` (every allowed remedy
  with its expected cost, sorted, with the reasons);
- baseline: `cases.domain.policy.evaluate` for the same cases (the decision the advice starts from).

Prints the figures as JSON; the target is 10,000 cases under a second.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aftersales.cases.domain.policy import Facts, Goods, default_ruleset, evaluate  # noqa: E402
from aftersales.core.clock import SHANGHAI  # noqa: E402
from aftersales.intelligence.advice.domain import (  # noqa: E402
    AdviceFacts,
    CostSettings,
    advise,
    learned_grade_mix,
    learned_lose_rate_bp,
    share,
)

PLATFORMS = ("douyin", "taobao", "tmall", "jd", "pdd")
REASONS = ("no_reason", "size_fit", "quality_defect", "not_as_described", "wrong_item", "missing_item",
           "damaged_in_transit", "not_received", "late_delivery", "other")
KINDS = ("refund_only", "return_refund", "exchange", "reship", "repair")
CATEGORIES = ("apparel", "shoes", "electronics", "cosmetics", "food", "toys", "furniture", "other")


def make_cases(n: int, seed: int) -> list[tuple[Facts, dict]]:
    rng = random.Random(seed)
    now = datetime(2026, 12, 4, 12, 0, tzinfo=SHANGHAI)
    out = []
    for _ in range(n):
        state = rng.random()
        signed = now - timedelta(days=rng.randint(1, 40)) if state > 0.15 else None
        facts = Facts(
            platform=rng.choice(PLATFORMS), case_kind=rng.choice(KINDS), reason=rng.choice(REASONS),
            category=rng.choice(CATEGORIES), signed_at=signed, requested_at=now,
            shipped=signed is not None or state > 0.08,
            goods=Goods(tags_intact=rng.random() > 0.1),
        )
        price = rng.choice((1990, 3900, 5900, 9900, 15900, 29900, 89900))
        counts = {g: rng.randint(0, 30) for g in "ABCD"}
        figures = {
            "refund": price, "list": price + rng.choice((0, 1000, 2000)),
            "freight": rng.choice((1000, 1200, 1800, 2200, 2500)),
            "mix": learned_grade_mix(facts.category, counts),
            "lose": learned_lose_rate_bp(*sorted((rng.randint(0, 10), rng.randint(0, 10)))),
            "comp": rng.choice((0, 0, 500, 1000)), "blocked": rng.random() < 0.05,
        }
        out.append((facts, figures))
    return out


def advise_all(rows: list[tuple[Facts, dict]], decisions: list) -> list:
    """The advice of every case, from its policy decision and its figures (what the service does)."""
    costs = CostSettings()
    advice = []
    for (facts, f), decision in zip(rows, decisions, strict=True):
        delivered = facts.signed_at is not None and facts.reason != "not_received"
        advice.append(advise(AdviceFacts(
            allowed=tuple(decision.remedies), asked=facts.case_kind, refund_fen=f["refund"],
            goods_cost_fen=share(f["list"], costs.goods_cost_bp), freight_back_fen=f["freight"],
            freight_out_fen=f["freight"], merchant_pays_return=decision.return_freight_payer == "merchant",
            delivered=delivered, grade_mix_bp=f["mix"], lose_rate_bp=f["lose"], compensation_fen=f["comp"],
            waive_blocked=f["blocked"]), costs))
    return advice


def run(cases: int, seed: int, repeat: int = 3) -> dict:
    rows = make_cases(cases, seed)
    rulesets = {p: default_ruleset(p) for p in PLATFORMS}
    now = datetime(2026, 12, 4, 12, 0, tzinfo=SHANGHAI)
    # Best of `repeat` runs of each: the machine may be shared, and the best run is the least disturbed.
    baseline_s = advice_s = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        decisions = [evaluate(facts, rulesets[facts.platform], now) for facts, _f in rows]
        baseline_s = min(baseline_s, time.perf_counter() - started)
        started = time.perf_counter()
        advice = advise_all(rows, decisions)
        advice_s = min(advice_s, time.perf_counter() - started)
    best: dict[str, int] = {}
    for item in advice:
        key = item.best.remedy if item.best else "none"
        best[key] = best.get(key, 0) + 1
    return {
        "cases": cases,
        "repeat": repeat,
        "advice_s": round(advice_s, 4),
        "advice_per_s": round(cases / advice_s),
        "baseline_policy_evaluate_s": round(baseline_s, 4),
        "ratio_advice_to_baseline": round(advice_s / baseline_s, 3),
        "under_one_second": advice_s < 1.0,
        "options_per_case": round(sum(len(a.options) for a in advice) / cases, 2),
        "recommended": dict(sorted(best.items(), key=lambda kv: -kv[1])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.cases, args.seed, args.repeat), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
