"""The refund rule applied to cases in the database: the facts are read here, the amount is decided by
`refunds.domain.refundable.plan_refund` and nowhere else.

Opening a case (its cap), the console's "refundable now", granting (by staff, a timer or a platform
import) all call `plan_for_lines` / `entitlement`, so the amount shown is the amount granted and paid.

What the other cases of the order already took counts: their granted money is booked on their lines
(in proportion to what those units were paid, never above a line's paid amount) and, unless the buyer
kept the goods (a partial refund, price protection), their units count as returned — so a later return
out of a bundle gets the deal's re-priced remainder, and the last units of an unshipped order bring the
outbound freight back with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from aftersales.cases.domain.states import Kind
from aftersales.cases.models import Case
from aftersales.core.choices import MERCHANT_FAULT_REASONS, GoodsStatus
from aftersales.orders.goods import line_goods_status
from aftersales.orders.models import Order, OrderLine
from aftersales.refunds.domain.refundable import (
    OrderLineMoney,
    RefundPlan,
    allocate_capped,
    breaks_free_shipping,
    freight_back,
    gifts_kept_on_return,
    plan_refund,
    unit_shares,
)

OUTBOUND_FREIGHT = "refund.deduction.outbound_freight"
#: The buyer keeps the goods: money only, no units come back, no deal is re-priced.
GOODS_KEPT_KINDS = frozenset({Kind.PARTIAL_REFUND.value, Kind.PRICE_PROTECTION.value})


def money_of(line: OrderLine, *, in_bundle: bool = True) -> OrderLineMoney:
    return OrderLineMoney(
        line_id=str(line.pk),
        unit_price_fen=line.unit_price_fen,
        quantity=line.quantity,
        paid_fen=line.paid_fen,
        is_gift=line.is_gift,
        bundle_id=(line.bundle_id or None) if in_bundle else None,
    )


@dataclass(frozen=True, slots=True)
class GrantedCase:
    """A case of an order that was granted money: what `_taken_by_others` books on the order's lines."""

    pk: int
    kind: str
    granted_fen: int
    lines: tuple[tuple[str, int], ...]  # (order line id, units)


def granted_cases_by_order(order_ids: Iterable[int]) -> dict[int, list[GrantedCase]]:
    """The cases granted money on each of `order_ids`, oldest first: two queries for any number of
    orders (the advice of a page of cases reads them once)."""
    out: dict[int, list[GrantedCase]] = {}
    ids = list(order_ids)
    if not ids:
        return out
    for case in (Case.objects.filter(order_id__in=ids, refund_granted_fen__gt=0)
                 .prefetch_related("lines").order_by("pk")):
        out.setdefault(case.order_id, []).append(GrantedCase(
            case.pk, case.kind, case.refund_granted_fen,
            tuple((str(cl.order_line_id), cl.quantity) for cl in case.lines.all())))
    return out


def _taken_by_others(order: Order, lines: dict[str, OrderLineMoney], exclude_case_id: int | None,
                     granted: list[GrantedCase] | None = None):
    """(fen already granted per line, units already gone per line) from the order's other cases.
    `granted`: the order's granted cases, if already read (`granted_cases_by_order`)."""
    refunded: dict[str, int] = defaultdict(int)
    units: dict[str, int] = defaultdict(int)
    if not order.refund_granted_fen:  # nothing granted on the order yet: no other case took anything
        return {}, {}
    if granted is None:
        granted = granted_cases_by_order([order.pk]).get(order.pk, [])
    for other in granted:
        if other.pk == exclude_case_id:
            continue
        own = [(lid, q) for lid, q in other.lines if lid in lines]
        if not own:
            continue
        weights = [sum(unit_shares(lines[lid])[units[lid]: units[lid] + q]) or q for lid, q in own]
        caps = [max(0, lines[lid].paid_fen - refunded[lid]) for lid, _q in own]
        booked = allocate_capped(min(other.granted_fen, sum(caps)), weights, caps)
        for (lid, q), fen in zip(own, booked, strict=True):
            refunded[lid] += fen
            if other.kind not in GOODS_KEPT_KINDS:
                units[lid] = min(lines[lid].quantity, units[lid] + q)
    return dict(refunded), dict(units)


def plan_for_lines(
    order: Order, picked: list[tuple[OrderLine, int]], *, kind: str, reason: str,
    exclude_case_id: int | None = None, lines: list[OrderLine] | None = None,
    granted: list[GrantedCase] | None = None,
) -> RefundPlan:
    """The rule's refund for `picked` (line, units) of `order` as a case of `kind` for `reason`, after
    what the order's other cases (all but `exclude_case_id`) already took. `lines`: the order's lines,
    `granted`: its cases granted money (`granted_cases_by_order`), if already read."""
    keeps_goods = kind in GOODS_KEPT_KINDS
    all_lines = list(order.lines.all() if lines is None else lines)
    money = {str(line.pk): money_of(line, in_bundle=not keeps_goods) for line in all_lines}
    refunded, units_before = _taken_by_others(order, money, exclude_case_id, granted)
    returned: dict[str, int] = {}
    for line, quantity in picked:
        lid = str(line.pk)
        if keeps_goods:
            units_before.pop(lid, None)  # money only: which units does not matter, what is left does
        elif units_before.get(lid, 0) + quantity > money[lid].quantity:
            # Units counted twice (a closed case that had been granted money): these are the ones asked.
            units_before[lid] = money[lid].quantity - quantity
        returned[lid] = quantity
    priced = list(money.values())
    shipped = order.shipped_at is not None
    unshipped = unshipped_lines(order, all_lines)
    gifts = {} if keeps_goods else gifts_kept_on_return(priced, returned, units_before, shipped=shipped,
                                                        unshipped=unshipped)
    freight = 0 if keeps_goods else freight_back(priced, returned, units_before, shipped=shipped,
                                                 freight_paid_fen=order.freight_fen,
                                                 merchant_fault=reason in MERCHANT_FAULT_REASONS)
    came_back_shipped = any(lid not in unshipped for lid in returned)
    waived = order.waived_freight_fen if came_back_shipped and breaks_threshold(
        order, priced, returned, units_before, kind=kind, reason=reason) else 0
    return plan_refund(priced, returned, already_refunded_fen_by_line=refunded, gifts_kept=gifts,
                       units_already_returned_by_line=units_before, freight_back_fen=freight,
                       outbound_freight_fen=waived, breaks_free_shipping=bool(waived))


def unshipped_lines(order: Order, lines: list[OrderLine]) -> frozenset[str]:
    """Ids of the lines whose goods have not left (an order shipped in parts, `orders.goods`)."""
    return frozenset(str(line.pk) for line in lines
                     if line_goods_status(order, line) == GoodsStatus.NOT_SHIPPED)


def breaks_threshold(order: Order, lines: list[OrderLineMoney], returned: dict[str, int],
                     units_before: dict[str, int], *, kind: str, reason: str) -> bool:
    """Whether this request owes back the outbound freight the shop waived by 满X包邮 (L12): goods that
    shipped come back for a reason on the buyer's side (the shop's fault costs the buyer nothing) and
    leave what the buyer keeps below the threshold."""
    if kind in GOODS_KEPT_KINDS or order.shipped_at is None or not order.waived_freight_fen:
        return False
    if reason in MERCHANT_FAULT_REASONS:
        return False
    return breaks_free_shipping(lines, returned, units_before, threshold_fen=order.free_shipping_threshold_fen)


def threshold_broken_by(order: Order, picked: list[tuple[OrderLine, int]], *, kind: str, reason: str,
                        lines: list[OrderLine] | None = None) -> bool:
    """Whether a request about to be opened on `picked` has the waived freight deducted (what the
    policy is told as `partial_return_breaks_free_shipping`)."""
    if not order.waived_freight_fen:
        return False
    plan = plan_for_lines(order, picked, kind=kind, reason=reason, lines=lines)
    return any(code == OUTBOUND_FREIGHT for code, _fen in plan.deductions)


def cap_for_new_case(
    order: Order, picked: list[tuple[OrderLine, int]], *, kind: str, reason: str,
    lines: list[OrderLine] | None = None,
) -> int:
    """What a case opened now on `picked` may refund at most: the rule, within what the order has left."""
    plan = plan_for_lines(order, picked, kind=kind, reason=reason, lines=lines)
    return max(0, min(plan.total_fen, order.paid_fen - order.refund_granted_fen))


def case_plan(case: Case, order: Order | None = None) -> RefundPlan:
    """The rule's refund for the case's own lines, after what the order's other cases took."""
    order = order or case.order
    picked = [(cl.order_line, cl.quantity) for cl in case.lines.select_related("order_line")]
    if not picked:  # recorded as a platform reported it, without lines we know
        return RefundPlan(total_fen=case.refund_cap_fen, per_line={})
    return plan_for_lines(order, picked, kind=case.kind, reason=case.reason, exclude_case_id=case.pk)


def entitlement(case: Case, order: Order | None = None) -> int:
    """The most this case may ever have granted, by the rule, as the order stands now."""
    return case_plan(case, order).total_fen


def refundable_now(case: Case, order: Order | None = None) -> int:
    """What may still be granted on this case now: the rule's amount less what it was granted, within
    what the order has left. The console shows it; `grant_refund` grants it by default."""
    order = order or case.order
    return within_order_left(entitlement(case, order) - case.refund_granted_fen, order)


def within_order_left(fen: int, order: Order) -> int:
    """`fen`, never below nothing nor above what the order has not yet had refunded."""
    return max(0, min(fen, order.paid_fen - order.refund_granted_fen))


def refundable_now_of_lines(
    order: Order, picked: list[tuple[OrderLine, int]], *, case_id: int, kind: str, reason: str,
    cap_fen: int, granted_fen: int, lines: list[OrderLine], granted: list[GrantedCase] | None,
) -> int:
    """`refundable_now` of a case given by its values, with the order's lines and granted cases read
    once for many cases (the advice of a page of cases)."""
    if not picked:  # recorded as a platform reported it, without lines we know (`case_plan`)
        entitled = cap_fen
    else:
        entitled = plan_for_lines(order, picked, kind=kind, reason=reason, exclude_case_id=case_id,
                                  lines=lines, granted=granted).total_fen
    return within_order_left(entitled - granted_fen, order)
