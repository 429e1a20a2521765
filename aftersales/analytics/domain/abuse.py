"""Buyers with unusually many returns: signals that each say what they saw.

None of these is a verdict: a signal is a reason for a person to look at the buyer's cases, with the
numbers that raised it. Thresholds are deliberately plain so that a merchant can check them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aftersales.analytics.domain.rates import rate_bp, wilson_lower_bp

MIN_RETURNED_UNITS = 3
MIN_RATE_LOWER_BP = 2000  # the buyer returns at least 20% of what they buy (lower bound) ...
RATE_MULTIPLE = 2  # ... and at least twice the shop's own rate
MANY_CASES = 5
REFUND_WITHOUT_RETURN = 3
NOT_RECEIVED_BUT_SIGNED = 2
FAILED_INSPECTIONS = 2


@dataclass(frozen=True, slots=True)
class BuyerFigures:
    buyer_id: int
    units_bought: int  # over the same window (orders paid in it)
    units_returned: int  # in counted cases opened in the window
    cases: int  # counted cases opened in the window
    refund_only_after_delivery: int  # 仅退款 after the goods were signed for
    not_received_but_signed: int  # "not received" although the carrier recorded a signature
    failed_inspections: int
    empty_or_wrong: int  # inspections failed as not our item: an empty box or a different item came back


@dataclass(frozen=True, slots=True)
class Signal:
    code: str
    params: dict[str, int | None] = field(default_factory=dict)


def buyer_signals(b: BuyerFigures, shop_returned: int, shop_sold: int) -> list[Signal]:
    """The signals one buyer raises, given the shop's own returned and sold units over the window."""
    found: list[Signal] = []
    shop_bp = rate_bp(shop_returned, shop_sold) or 0
    lower = wilson_lower_bp(b.units_returned, b.units_bought)
    if (
        b.units_returned >= MIN_RETURNED_UNITS
        and lower is not None
        and lower >= max(MIN_RATE_LOWER_BP, RATE_MULTIPLE * shop_bp)
    ):
        found.append(
            Signal(
                "high_return_rate",
                {
                    "returned": b.units_returned,
                    "bought": b.units_bought,
                    "rate_bp": rate_bp(b.units_returned, b.units_bought),
                    "lower_bp": lower,
                    "shop_bp": shop_bp,
                },
            )
        )
    if b.cases >= MANY_CASES:
        found.append(Signal("many_cases", {"cases": b.cases}))
    if b.refund_only_after_delivery >= REFUND_WITHOUT_RETURN:
        found.append(Signal("refund_without_return", {"count": b.refund_only_after_delivery}))
    if b.not_received_but_signed >= NOT_RECEIVED_BUT_SIGNED:
        found.append(Signal("not_received_but_signed", {"count": b.not_received_but_signed}))
    if b.failed_inspections >= FAILED_INSPECTIONS:
        found.append(Signal("failed_inspections", {"count": b.failed_inspections}))
    if b.empty_or_wrong >= 1:
        found.append(Signal("empty_or_wrong_item", {"count": b.empty_or_wrong}))
    return found
