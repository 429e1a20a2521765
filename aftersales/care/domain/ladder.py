"""The compensation ladder (补偿阶梯), cheapest first: coupon → member discount or points → red envelope
(cash) → gift. Pure: the case page suggests the next rung from it, the compensation service checks the
rung against it, and the training simulator scores a trainee's climb by it.
"""

from __future__ import annotations

from aftersales.core.errors import DomainError

COUPON, MEMBER_DISCOUNT, POINTS, RED_ENVELOPE, GIFT = "coupon", "member_discount", "points", "red_envelope", "gift"

LADDER: tuple[tuple[str, ...], ...] = (
    (COUPON,),
    (MEMBER_DISCOUNT, POINTS),
    (RED_ENVELOPE,),
    (GIFT,),
)
#: Where on the ladder to start for a buyer this unhappy (urgency 0 calm … 3 threatens a complaint).
START_STEP = {0: 0, 1: 0, 2: 1, 3: 2}


def step_of(rung: str) -> int:
    for step, rungs in enumerate(LADDER):
        if rung in rungs:
            return step
    raise DomainError("input.invalid_choice", field="rung", value=rung)


def start_step(urgency: int) -> int:
    """The lowest step worth offering a buyer this unhappy."""
    return START_STEP.get(min(max(urgency, 0), 3), 0)


def suggest_rung(urgency: int, given: list[str]) -> str | None:
    """The next rung to offer: one above what was already given, no lower than the buyer's mood calls for.

    None when the ladder is used up (a person should decide what else to do).
    """
    step = start_step(urgency)
    if given:
        step = max(step, max(step_of(r) for r in given) + 1)
    return LADDER[step][0] if step < len(LADDER) else None
