"""A SKU whose weekly return rate jumps against its own history.

The rule, in words a merchant can check: this week's rate is surely (Wilson lower bound, 95%) above
what the SKU usually does — its rate over the trailing weeks — by more than `k` times the usual
spread. The spread is the standard deviation of those weekly rates, but never less than the chance
variation expected from this week's sales alone (√(p(1−p)/n) at the trailing rate p), so that a
handful of sales cannot make a jump. All in basis points.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import isqrt

from aftersales.analytics.domain.rates import BP, rate_bp, wilson_lower_bp

DEFAULT_K_TENTHS = 20  # k = 2.0
DEFAULT_WEEKS = 8
MIN_HISTORY_WEEKS = 4  # weeks with sales needed before a jump can be told from noise


@dataclass(frozen=True, slots=True)
class Week:
    sold: int
    returned: int


@dataclass(frozen=True, slots=True)
class JumpCheck:
    jumped: bool
    reason: str  # why not, or "jump"
    this_rate_bp: int | None = None
    this_lower_bp: int | None = None
    baseline_bp: int | None = None  # trailing rate: returned ÷ sold over the history weeks
    sigma_bp: int | None = None  # the spread: max(std. deviation of weekly rates, chance at this volume)
    limit_bp: int | None = None  # baseline + k·sigma
    history_weeks: int = 0
    k_tenths: int = DEFAULT_K_TENTHS

    def as_params(self) -> dict[str, int | None]:
        return {
            "rate_bp": self.this_rate_bp,
            "lower_bp": self.this_lower_bp,
            "baseline_bp": self.baseline_bp,
            "sigma_bp": self.sigma_bp,
            "limit_bp": self.limit_bp,
            "weeks": self.history_weeks,
            "k_tenths": self.k_tenths,
        }


def _ceil_sqrt(value: int) -> int:
    root = isqrt(value)
    return root + 1 if root * root < value else root


def _chance_bp(rate: int, sold: int) -> int:
    """√(p(1−p)/n) in bp for a rate p given in bp, rounded up."""
    return _ceil_sqrt(-(-rate * (BP - rate) // sold))


def _sigma_bp(rates_bp: list[int]) -> int:
    """Population standard deviation of whole-bp rates, rounded up (never understates the spread)."""
    n = len(rates_bp)
    total = sum(rates_bp)
    # variance = (n·Σr² − (Σr)²) / n²
    numerator = n * sum(r * r for r in rates_bp) - total * total
    return -(-_ceil_sqrt(numerator) // n)


def check_jump(
    this_week: Week,
    history: list[Week],
    *,
    k_tenths: int = DEFAULT_K_TENTHS,
    min_history: int = MIN_HISTORY_WEEKS,
) -> JumpCheck:
    """Judge `this_week` against `history` (the trailing weeks, oldest first; weeks with no sales skipped)."""
    with_sales = [w for w in history if w.sold > 0]
    if this_week.sold <= 0:
        return JumpCheck(False, "no_sales", history_weeks=len(with_sales), k_tenths=k_tenths)
    this_rate = rate_bp(this_week.returned, this_week.sold)
    this_lower = wilson_lower_bp(this_week.returned, this_week.sold)
    if len(with_sales) < min_history:
        return JumpCheck(
            False, "short_history", this_rate, this_lower, history_weeks=len(with_sales), k_tenths=k_tenths
        )
    sold = sum(w.sold for w in with_sales)
    returned = sum(w.returned for w in with_sales)
    baseline = rate_bp(returned, sold)
    weekly = [min(BP, rate_bp(w.returned, w.sold)) for w in with_sales]
    sigma = max(_sigma_bp(weekly), _chance_bp(min(baseline, BP), this_week.sold))
    limit = baseline + (k_tenths * sigma + 9) // 10
    jumped = this_lower is not None and this_lower > limit
    return JumpCheck(
        jumped,
        "jump" if jumped else "within_range",
        this_rate,
        this_lower,
        baseline,
        sigma,
        limit,
        len(with_sales),
        k_tenths,
    )
