"""Pareto of the reasons behind returns: largest first, with the running share.

The "vital few" are the reasons that together make up the first 80% of the returned units, counting
the reason that crosses 80% (so there is always at least one when anything was returned).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aftersales.analytics.domain.rates import BP

VITAL_SHARE_BP = 8000


@dataclass(frozen=True, slots=True)
class ParetoRow:
    key: str
    count: int
    share_bp: int  # of the total, rounded half up
    cumulative_bp: int  # running share, rounded half up (the last row is exactly 10000)
    vital: bool


def pareto(counts: Iterable[tuple[str, int]], vital_share_bp: int = VITAL_SHARE_BP) -> list[ParetoRow]:
    """Rows sorted by count (largest first, then key, for a stable order); zero counts are dropped."""
    merged: dict[str, int] = {}
    for key, count in counts:
        merged[key] = merged.get(key, 0) + count
    items = sorted(((k, c) for k, c in merged.items() if c > 0), key=lambda kc: (-kc[1], kc[0]))
    total = sum(c for _, c in items)
    rows: list[ParetoRow] = []
    running = 0
    crossed = False
    for key, count in items:
        before = running
        running += count
        vital = not crossed
        if before * BP < vital_share_bp * total <= running * BP:
            crossed = True
        rows.append(
            ParetoRow(
                key,
                count,
                (2 * BP * count + total) // (2 * total),
                (2 * BP * running + total) // (2 * total),
                vital,
            )
        )
    return rows
