"""Reads for the buyer portal. A buyer reaches one order (found by its number and phone digits) and
that order's cases, nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from aftersales.cases.domain.events import is_buyer_visible
from aftersales.cases.domain.states import Kind
from aftersales.cases.models import Case
from aftersales.cases.policy_io import decide
from aftersales.cases.services import quantity_already_claimed
from aftersales.catalog.selectors import exchange_skus
from aftersales.core import clock
from aftersales.orders.models import Order, OrderLine


def find_order(order_no: str, last4: str) -> Order | None:
    """The order with this platform order number whose buyer's phone ends in these four digits.

    Buyers type the letters of an order number (DO…, JD…) in lower case as often as not; platforms
    write them in upper case, so the number is tried as typed and in upper case (both by the index)."""
    order_no = order_no.strip()
    if not order_no or len(last4) != 4 or not last4.isdigit():
        return None
    numbers = {order_no, order_no.upper()}
    matches = list(Order.objects.filter(platform_order_id__in=numbers, buyer__phone_last4=last4)[:2])
    return matches[0] if len(matches) == 1 else None


def order_for_buyer(order_id: int | None) -> Order | None:
    if not order_id:
        return None
    return (Order.objects.select_related("shop", "buyer")
            .prefetch_related("lines__product__category").filter(pk=order_id).first())


def exchange_skus_of(order: Order) -> list:
    """The sizes and colours in stock of the order's products: what an exchange may ask for."""
    return exchange_skus(order.shop, [line.product_id for line in order.lines.all()])


def cases_of_order(order: Order) -> QuerySet[Case]:
    return Case.objects.filter(shop=order.shop, order=order).order_by("-created_at")


def buyer_case(order: Order | None, case_id: int) -> Case | None:
    """A case of the buyer's own order, or None (the page answers 404)."""
    if order is None:
        return None
    return (Case.objects.select_related("order", "shop").prefetch_related("lines__order_line", "evidence")
            .filter(shop=order.shop, order=order, pk=case_id).first())


#: What of an event's payload a buyer may read: amounts, tracking numbers and the inspection's verdict
#: on the claim, never the warehouse's resale grade, the checklist, payment keys or who inside the shop
#: did what.
BUYER_PAYLOAD = ("amount_fen", "carrier", "tracking_no", "score", "count", "verdict", "failure_reason")
#: One refund as the shop records it (decision, money movement, settlement, the case completed); the
#: buyer reads it as one line.
REFUND_STEPS = ("grant_refund", "execute_refund", "refund_settled", "refund_succeeded")


@dataclass
class BuyerStep:
    """One line of the buyer's timeline (the shape includes/timeline.html reads)."""

    created_at: object
    actor: str
    action: str
    from_status: str = ""
    to_status: str = ""
    reason_code: str = ""
    note: str = ""
    payload: dict = field(default_factory=dict)
    actor_user: object = None


def buyer_events(case: Case) -> list[BuyerStep]:
    """The case's story as its buyer should read it: the shop's internal steps left out, photos sent
    together on one line, each refund on one line (its amount, and whether it has arrived)."""
    steps: list[BuyerStep] = []
    for event in case.events.all():
        if not is_buyer_visible(event.action):  # exactly the kinds declared for the buyer (cases/domain/events.py)
            continue
        last = steps[-1] if steps else None
        if event.action == "evidence" and last and last.action == "evidence" and last.actor == event.actor:
            last.payload["count"] = last.payload.get("count", 1) + 1
            last.created_at = event.created_at
            continue
        if event.action in REFUND_STEPS[1:] and last and last.action in REFUND_STEPS:
            # The money moving, arriving, and the case completing belong to the refund already shown.
            last.created_at = event.created_at
            last.to_status = event.to_status or last.to_status
            if event.action in ("refund_settled", "refund_succeeded"):
                last.action = "refund_settled"
            continue
        steps.append(BuyerStep(
            created_at=event.created_at, actor=event.actor, action=event.action, from_status=event.from_status,
            to_status=event.to_status, reason_code=event.reason_code, note=event.note,
            payload={k: v for k, v in (event.payload or {}).items() if k in BUYER_PAYLOAD},
        ))
    return steps


@dataclass(frozen=True)
class Explanation:
    allowed: bool
    remedies: list[str]
    reasons: list[tuple[str, dict]]  # (code, params) most important first
    window_ends_at: object = None


@dataclass(frozen=True)
class LinePolicy:
    line: OrderLine
    available: int
    change_of_mind: Explanation
    faulty: Explanation


def _explain(order: Order, line: OrderLine, kind: str, reason: str, now) -> Explanation:
    decision, _rules = decide(order, line, case_kind=kind, reason=reason, requested_at=now)
    codes = list(decision.reason_codes)
    shop_window = decision.rule("S.no_reason_days")
    if shop_window is not None and shop_window.code.startswith("shop.no_reason.") \
            and shop_window.code != "shop.no_reason.law_window":
        # One deadline for the buyer: the shop's longer promise (the one `window_ends_at` gives) replaces
        # the law's seven days, which would otherwise be shown beside it with an earlier date.
        codes = list(dict.fromkeys(shop_window.code if c.startswith("law.no_reason.") else c for c in codes))
    reasons = [(code, decision.params_for(code)) for code in codes[:3]]
    return Explanation(allowed=decision.eligible, remedies=list(decision.remedies), reasons=reasons,
                       window_ends_at=decision.no_reason_window_ends_at)


def line_policies(order: Order) -> list[LinePolicy]:
    """For each line: what the buyer may ask for on a change of mind, and if the item is faulty, and why."""
    now = clock.now()
    result = []
    for line in order.lines.all():
        result.append(LinePolicy(
            line=line,
            available=max(0, line.quantity - quantity_already_claimed(line)),
            change_of_mind=_explain(order, line, Kind.RETURN_REFUND.value, "no_reason", now),
            faulty=_explain(order, line, Kind.RETURN_REFUND.value, "quality_defect", now),
        ))
    return result
