"""Rates, their small-sample-safe lower bound, and how they are judged against thresholds.

A rate is a pair of integers (part, whole). It is shown in basis points (1 bp = 0.01%), rounded half
up, and compared exactly. The lower bound of the Wilson score interval (95%, z = 1.96) is computed in
integers too, rounded down, so that "1 return out of 2 sales" (50%, lower bound 9.45%) is not taken
for a product that needs attention: the lower bound is what the rate is at least, with 95% confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from math import isqrt

BP = 10_000  # basis points in one

#: z = 1.96 (95% two-sided) as the exact fraction z² = 38416 / 10000.
Z2_NUM, Z2_DEN = 38_416, 10_000
# Products of the constants, computed once: the bound runs for every row of every figure.
_Z, _2S, _4S = Z2_NUM, 2 * Z2_DEN, 4 * Z2_DEN

#: Thresholds used when neither the category nor the shop sets its own.
DEFAULT_GOOD_BP = 500  # at most 5%: good
DEFAULT_ALERT_BP = 1000  # at least 10%: needs attention


def rate_bp(part: int, whole: int) -> int | None:
    """part / whole in basis points, rounded half up; None when nothing was sold."""
    if whole <= 0:
        return None
    return (2 * BP * part + whole) // (2 * whole)


def wilson_lower_bp(successes: int, trials: int) -> int | None:
    """The lower bound of the 95% Wilson score interval of successes/trials, in bp, rounded down.

    L = (2x + z² − z·√(z² + 4x(n−x)/n)) / (2(n + z²)). With z² = Z/S this is
    ((2xS + Z)·n − √(Z·(Z·n + 4S·x(n−x))·n)) / (2n(nS + Z)); the square root is rounded up so the
    bound is never overstated. More successes than trials (returns of goods sold before the period,
    counted on the case date) are judged as all trials.
    """
    if trials <= 0:
        return None
    n = trials
    x = successes if successes <= n else n
    if x <= 0:
        return 0
    radicand = _Z * (_Z * n + _4S * x * (n - x)) * n
    root = isqrt(radicand)
    if root * root < radicand:
        root += 1
    numerator = (_2S * x + _Z) * n - root
    if numerator <= 0:
        return 0
    return BP * numerator // (2 * n * (n * Z2_DEN + _Z))



class Verdict(StrEnum):
    GOOD = "good"  # the rate itself is at or under the good threshold
    WATCH = "watch"  # above good, but not surely above the alert threshold
    ATTENTION = "attention"  # even the lower bound reaches the alert threshold
    NO_DATA = "no_data"  # nothing sold


@dataclass(frozen=True, slots=True)
class Thresholds:
    good_bp: int = DEFAULT_GOOD_BP
    alert_bp: int = DEFAULT_ALERT_BP

    @classmethod
    def of(cls, good_bp: int | None, alert_bp: int | None, default: Thresholds | None = None) -> Thresholds:
        """A category's own thresholds, each falling back to the shop's (or the defaults)."""
        base = default or cls()
        return cls(
            base.good_bp if good_bp is None else good_bp, base.alert_bp if alert_bp is None else alert_bp
        )


def judge(part: int, whole: int, thresholds: Thresholds, lower: int | None = None) -> Verdict:
    """Good when the rate is at most `good_bp`; attention when the Wilson lower bound reaches `alert_bp`.

    `lower` may be passed when the caller has already computed `wilson_lower_bp(part, whole)`.
    """
    if whole <= 0:
        return Verdict.NO_DATA
    if lower is None:
        lower = wilson_lower_bp(part, whole)
    if lower is not None and lower >= thresholds.alert_bp:
        return Verdict.ATTENTION
    if part * BP <= thresholds.good_bp * whole:
        return Verdict.GOOD
    return Verdict.WATCH


def format_bp(bp: int | None) -> str:
    """1234 -> '12.34%'; None -> '—'."""
    if bp is None:
        return "—"
    sign = "-" if bp < 0 else ""
    bp = abs(bp)
    return f"{sign}{bp // 100}.{bp % 100:02d}%"
