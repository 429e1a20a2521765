"""Products bought from one video or live session and then returned more than the same product elsewhere.

For each (content, product): its return rate, the product's rate outside this content (the baseline),
and the *excess returns* — returned units beyond what the baseline predicts for that many sales.
A row is flagged when even its Wilson lower bound is above the baseline: the content sold the
product to people who sent it back more than usual (a description or a promise that did not hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from aftersales.analytics.domain.rates import rate_bp, wilson_lower_bp


@dataclass(frozen=True, slots=True)
class ContentFigures:
    content_id: str
    author: str
    product_id: int
    sold: int
    returned: int


@dataclass(frozen=True, slots=True)
class ContentOutlier:
    content_id: str
    author: str
    product_id: int
    sold: int
    returned: int
    rate_bp: int | None
    lower_bp: int | None
    baseline_bp: int | None  # the product's rate outside this content; None when it sold nowhere else
    excess_returns: Fraction  # returned − sold × baseline (0 baseline when none)
    flagged: bool


def content_outliers(
    rows: list[ContentFigures], product_totals: dict[int, tuple[int, int]], *, min_sold: int = 10
) -> list[ContentOutlier]:
    """Judge each (content, product) against the product's (sold, returned) totals; worst excess first.

    Rows with fewer than `min_sold` units are left out: too few to say anything.
    """
    out: list[ContentOutlier] = []
    for row in rows:
        if row.sold < min_sold:
            continue
        total_sold, total_returned = product_totals.get(row.product_id, (row.sold, row.returned))
        other_sold = max(0, total_sold - row.sold)
        other_returned = max(0, total_returned - row.returned)
        baseline = Fraction(other_returned, other_sold) if other_sold else None
        lower = wilson_lower_bp(row.returned, row.sold)
        excess = row.returned - row.sold * (baseline or 0)
        flagged = baseline is not None and lower is not None and lower > rate_bp(other_returned, other_sold)
        out.append(
            ContentOutlier(
                row.content_id,
                row.author,
                row.product_id,
                row.sold,
                row.returned,
                rate_bp(row.returned, row.sold),
                lower,
                rate_bp(other_returned, other_sold) if other_sold else None,
                excess,
                flagged,
            )
        )
    out.sort(key=lambda o: (not o.flagged, -o.excess_returns, o.content_id, o.product_id))
    return out
