"""The remedy advice of open cases: the facts of each case read from the database, the pure model run.

    advice_for_case(case)             # one case: CaseAdvice, or None for a finished case
    advice_for_cases(shop, cases)     # many cases of one shop, with the shop's figures read once

The refund is the refund rule's (`refunds.domain.refundable.plan_refund`), the allowed remedies the
policy decision kept on the case, the grades the shop's own inspections, the lose rate the shop's own
arbitrations; only `advice.domain` adds them up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count

from aftersales.accounts.models import Shop
from aftersales.analytics.rollups import return_freight_estimate
from aftersales.care.domain.ladder import suggest_rung
from aftersales.care.models import Compensation
from aftersales.cases.domain.states import TERMINAL, Status
from aftersales.cases.models import Case
from aftersales.cases.services import money_of
from aftersales.core.choices import MERCHANT_FAULT_REASONS, ArbitrationStatus, GoodsStatus, Reason
from aftersales.core.errors import DomainError
from aftersales.intelligence.advice.domain import (
    GRADES,
    Advice,
    AdviceFacts,
    CostSettings,
    advise,
    learned_grade_mix,
    learned_lose_rate_bp,
    share,
)
from aftersales.intelligence.advice.freight import parcel_fen
from aftersales.intelligence.advice.models import AdviceSettings
from aftersales.refunds.domain.refundable import plan_refund
from aftersales.warehouse.models import Inspection

RUNG_FIELDS = ("coupon", "member_discount", "points", "red_envelope", "gift")
#: Urgency from which an unhappy buyer is offered the ladder even when the shop is not at fault.
UPSET = 2


@dataclass(frozen=True)
class ShopFigures:
    """What the shop has learned and set, read once for any number of its cases."""

    costs: CostSettings
    rung_fen: dict[str, int]
    freight_default_fen: int
    grades_by_category: dict[int, dict[str, int]]  # shop category id → grade → inspections
    rulings_by_reason: dict[str, tuple[int, int]]  # reason → (lost, ruled)


@dataclass(frozen=True)
class CaseAdvice:
    case_id: int
    facts: AdviceFacts
    advice: Advice
    actionable: bool  # under review: the advice can be applied in one click
    basis: dict = field(default_factory=dict)  # where the figures came from, for the page


def settings_of(shop: Shop) -> AdviceSettings:
    """The shop's settings row, unsaved defaults until the owner saves them."""
    return AdviceSettings.objects.filter(shop=shop).first() or AdviceSettings(shop=shop)


def cost_settings(row: AdviceSettings) -> CostSettings:
    return CostSettings(
        handling_fen=row.handling_fen, return_handling_fen=row.return_handling_fen, repair_fen=row.repair_fen,
        goods_cost_bp=row.goods_cost_bp,
        grade_value_bp=tuple((g, getattr(row, f"grade_{g.lower()}_value_bp")) for g in GRADES),
        partial_refund_bp=row.partial_refund_bp, waive_return_max_fen=row.waive_return_max_fen,
        decline_bp=row.decline_bp, dispute_chance_bp=row.dispute_chance_bp,
        arbitration_penalty_fen=row.arbitration_penalty_fen,
    )


def shop_figures(shop: Shop) -> ShopFigures:
    row = settings_of(shop)
    grades: dict[int, dict[str, int]] = {}
    for item in (
        Inspection.objects.filter(shop=shop)
        .values("case__lines__order_line__product__category_id", "grade")
        .annotate(n=Count("pk", distinct=True))
    ):
        category = item["case__lines__order_line__product__category_id"] or 0
        grades.setdefault(category, {})[item["grade"]] = item["n"]
    rulings: dict[str, list[int]] = {}
    for item in (
        Case.objects.filter(shop=shop, arbitration_status__in=[
            ArbitrationStatus.RULED_FOR_BUYER.value, ArbitrationStatus.RULED_FOR_MERCHANT.value])
        .values("reason", "arbitration_status").annotate(n=Count("pk"))
    ):
        pair = rulings.setdefault(item["reason"], [0, 0])
        pair[1] += item["n"]
        if item["arbitration_status"] == ArbitrationStatus.RULED_FOR_BUYER.value:
            pair[0] += item["n"]
    return ShopFigures(
        costs=cost_settings(row),
        rung_fen={rung: getattr(row, f"{rung}_fen") for rung in RUNG_FIELDS},
        freight_default_fen=return_freight_estimate(shop.pk),
        grades_by_category=grades,
        rulings_by_reason={reason: (lost, ruled) for reason, (lost, ruled) in rulings.items()},
    )


def _with_related(cases):
    return cases.select_related("order", "buyer").prefetch_related(
        "lines__order_line__product__category", "order__lines", "order__shipments")


def advice_for_case(case: Case, *, figures: ShopFigures | None = None, waive_blocked: bool = False,
                    rungs_given: list[str] | None = None) -> CaseAdvice | None:
    """The advice for one case; None once the case is finished (completed or closed)."""
    if Status(case.status) in TERMINAL:
        return None
    figures = figures or shop_figures(case.shop)
    if rungs_given is None:
        rungs_given = list(Compensation.objects.filter(case=case).values_list("rung", flat=True))
    facts, basis = facts_of(case, figures, waive_blocked=waive_blocked, rungs_given=rungs_given)
    return CaseAdvice(case.pk, facts, advise(facts, figures.costs), case.status == Status.REQUESTED.value,
                      basis)


def advice_for_cases(shop: Shop, cases: Iterable[Case], *, blocked: set[int] | None = None
                     ) -> dict[int, CaseAdvice]:
    """The advice of each open case among `cases` (all of `shop`), keyed by case id."""
    figures = shop_figures(shop)
    ids = [c.pk for c in cases]
    loaded = list(_with_related(Case.objects.filter(shop=shop, pk__in=ids)))
    given: dict[int, list[str]] = {}
    for case_id, rung in Compensation.objects.filter(case_id__in=ids).values_list("case_id", "rung"):
        given.setdefault(case_id, []).append(rung)
    out = {}
    for case in loaded:
        found = advice_for_case(case, figures=figures, waive_blocked=case.pk in (blocked or set()),
                                rungs_given=given.get(case.pk, []))
        if found is not None:
            out[case.pk] = found
    return out


def facts_of(case: Case, figures: ShopFigures, *, waive_blocked: bool, rungs_given: list[str]
             ) -> tuple[AdviceFacts, dict]:
    """The cost model's facts of one case, and where each figure came from."""
    order = case.order
    decision = case.policy_decision or {}
    case_lines = list(case.lines.all())
    lines = [cl.order_line for cl in case_lines]
    category = next((line.product.category for line in lines if line.product_id and line.product.category_id),
                    None)
    law_category = category.law_category if category else "other"
    counts = figures.grades_by_category.get(category.pk if category else 0, {})
    lost, ruled = figures.rulings_by_reason.get(case.reason, (0, 0))
    shipment = next(iter(order.shipments.all()), None)
    carrier = case.return_carrier or (shipment.carrier if shipment else "")
    province = order.province or case.buyer.province
    freight = parcel_fen(carrier, province, figures.freight_default_fen)
    list_value = sum(cl.order_line.unit_price_fen * cl.quantity for cl in case_lines if not cl.order_line.is_gift)
    fault = case.reason in MERCHANT_FAULT_REASONS
    rung = suggest_rung(case.urgency, rungs_given) if (fault or case.urgency >= UPSET) else None
    facts = AdviceFacts(
        allowed=tuple(r for r in decision.get("remedies") or [] if r in _POLICY_KINDS),
        asked=case.kind,
        refund_fen=refund_of(case, decision),
        goods_cost_fen=share(list_value, figures.costs.goods_cost_bp),
        freight_back_fen=freight,
        freight_out_fen=freight,
        merchant_pays_return=decision.get("return_freight_payer") == "merchant" or fault,
        delivered=case.goods_status == GoodsStatus.RECEIVED.value and case.reason != Reason.NOT_RECEIVED.value,
        grade_mix_bp=learned_grade_mix(law_category, counts),
        lose_rate_bp=learned_lose_rate_bp(lost, ruled),
        compensation_fen=figures.rung_fen.get(rung, 0) if rung else 0,
        waive_blocked=waive_blocked,
    )
    basis = {
        "category": law_category, "inspections": sum(counts.values()), "grades": dict(counts),
        "lost": lost, "ruled": ruled, "carrier": carrier, "province": province, "freight_fen": freight,
        "rung": rung, "goods_list_fen": list_value,
    }
    return facts, basis


_POLICY_KINDS = frozenset({"refund_only", "return_refund", "exchange", "reship", "repair"})


def refund_of(case: Case, decision: dict) -> int:
    """The refund for the case's lines by the refund rule, within what the case may refund (its cap, and
    what the order has left besides what this case itself was already granted)."""
    order = case.order
    left = max(0, min(case.refund_cap_fen,
                      order.paid_fen - order.refund_granted_fen + case.refund_granted_fen))
    if case.goods_status == GoodsStatus.NOT_SHIPPED.value:
        # Nothing left the warehouse: the cap set at opening already holds the goods and, for a whole
        # order, its outbound freight (`cases.services.open_case`).
        return left
    deduct_freight = bool(decision.get("outbound_freight_deducted"))
    try:
        plan = plan_refund(
            [money_of(line) for line in order.lines.all()],
            {str(cl.order_line_id): cl.quantity for cl in case.lines.all()},
            outbound_freight_fen=order.freight_fen if deduct_freight else 0,
            breaks_free_shipping=deduct_freight,
        )
    except DomainError:  # the lines no longer fit the order (a later import): what the case may refund
        return left
    return min(plan.total_fen, left)
