"""The remedy advice of open cases: the facts of each case read from the database, the pure model run.

    advice_for_case(case)             # one case: CaseAdvice, or None for a finished case
    advice_for_cases(shop, cases)     # many cases of one shop, with the shop's figures read once

The refund is the refund rule's (`cases.refund_rule.refundable_now`, what the console shows and a grant
pays; the bulk path feeds the rule the chunk's orders read once), the allowed remedies the
policy decision kept on the case, the grades the shop's own inspections, the lose rate the shop's own
arbitrations; only `advice.domain` adds them up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from aftersales.accounts.models import Shop
from aftersales.analytics.rollups import return_freight_estimate
from aftersales.care.domain.ladder import suggest_rung
from aftersales.care.models import Compensation
from aftersales.cases import refund_rule
from aftersales.cases.domain.states import TERMINAL, Status
from aftersales.cases.models import Case, CaseLine
from aftersales.core.choices import MERCHANT_FAULT_REASONS, GoodsStatus, Reason
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
from aftersales.intelligence.shop_stats import shop_stats
from aftersales.orders.models import Order, Shipment

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
    """The owner's settings (read fresh) and the shop's statistics (`shop_stats`, at most a minute old)."""
    row = settings_of(shop)
    stats = shop_stats(shop)
    return ShopFigures(
        costs=cost_settings(row),
        rung_fen={rung: getattr(row, f"{rung}_fen") for rung in RUNG_FIELDS},
        freight_default_fen=return_freight_estimate(shop.pk),
        grades_by_category=stats.grades_by_category,
        rulings_by_reason=stats.rulings_by_reason,
    )


@dataclass(frozen=True, slots=True)
class CaseRow:
    """What the advice reads of one case, loaded as plain values (thousands of cases at a time)."""

    pk: int
    status: str
    kind: str
    reason: str
    urgency: int
    goods_status: str
    refund_cap_fen: int
    refund_granted_fen: int
    return_carrier: str
    remedies: tuple[str, ...] | None  # None: no policy decision on the case
    freight_payer: str | None
    province: str
    carrier: str  # the order's first shipment
    lines: tuple[tuple[str, int, int, bool, int, str], ...]  # line id, units, list price, gift, category, law
    refund_fen: int  # the refund rule's refundable now (`cases.refund_rule.refundable_now`)


_CASE_COLUMNS = (
    "pk", "status", "kind", "reason", "urgency", "goods_status", "refund_cap_fen", "refund_granted_fen",
    "return_carrier", "order_id", "order__province", "buyer__province", "policy_decision__remedies",
    "policy_decision__return_freight_payer",
)


def load_rows(shop: Shop, ids: list[int]) -> dict[int, CaseRow]:
    """The rows of the cases `ids` of `shop` (at most `CHUNK`): a fixed number of queries whatever the
    number of cases — the orders with their lines and the orders' granted cases are read once and handed
    to the refund rule."""
    cases = list(Case.objects.filter(shop=shop, pk__in=ids).values_list(*_CASE_COLUMNS))
    order_ids = {c[9] for c in cases}
    lines: dict[int, list] = {}
    picked: dict[int, list[tuple[int, int]]] = {}
    for case_id, line_id, units, price, gift, category, law in CaseLine.objects.filter(case_id__in=ids).values_list(
            "case_id", "order_line_id", "quantity", "order_line__unit_price_fen", "order_line__is_gift",
            "order_line__product__category_id", "order_line__product__category__law_category").order_by("pk"):
        lines.setdefault(case_id, []).append((str(line_id), units, price, gift, category or 0, law or "other"))
        picked.setdefault(case_id, []).append((line_id, units))
    orders = {o.pk: o for o in Order.objects.filter(pk__in=order_ids).prefetch_related("lines")}
    granted = refund_rule.granted_cases_by_order(pk for pk, o in orders.items() if o.refund_granted_fen)
    carriers: dict[int, str] = {}
    for order_id, carrier in Shipment.objects.filter(order_id__in=order_ids).values_list(
            "order_id", "carrier").order_by("pk"):
        carriers.setdefault(order_id, carrier)
    out = {}
    for (pk, status, kind, reason, urgency, goods, cap, granted_fen, return_carrier, order_id, order_province,
         buyer_province, remedies, payer) in cases:
        order = orders[order_id]
        out[pk] = CaseRow(
            pk, status, kind, reason, urgency, goods, cap, granted_fen, return_carrier,
            None if remedies is None else tuple(r for r in remedies if r in _POLICY_KINDS), payer,
            order_province or buyer_province or "", carriers.get(order_id, ""), tuple(lines.get(pk, ())),
            _refundable_now(order, picked.get(pk, []), case_id=pk, kind=kind, reason=reason, cap_fen=cap,
                            granted_fen=granted_fen, granted=granted.get(order_id, [])))
    return out


def _refundable_now(order: Order, picked: list[tuple[int, int]], *, case_id: int, kind: str, reason: str,
                    cap_fen: int, granted_fen: int, granted: list[refund_rule.GrantedCase]) -> int:
    """The refund rule's refundable now of one case, from the order read with its lines."""
    order_lines = list(order.lines.all())
    by_id = {line.pk: line for line in order_lines}
    try:
        return refund_rule.refundable_now_of_lines(
            order, [(by_id[line_id], units) for line_id, units in picked], case_id=case_id, kind=kind,
            reason=reason, cap_fen=cap_fen, granted_fen=granted_fen, lines=order_lines, granted=granted)
    except (DomainError, KeyError):
        # The case's lines no longer fit its order (a later import): the console cannot work it out either;
        # the advice stays within what the case may refund instead of failing the whole page.
        return refund_rule.within_order_left(cap_fen - granted_fen, order)


def advice_for_case(case: Case, *, figures: ShopFigures | None = None, waive_blocked: bool = False,
                    rungs_given: list[str] | None = None) -> CaseAdvice | None:
    """The advice for one case; None once the case is finished (completed or closed)."""
    if Status(case.status) in TERMINAL:
        return None
    figures = figures or shop_figures(case.shop)
    if rungs_given is None:
        rungs_given = list(Compensation.objects.filter(case=case).values_list("rung", flat=True))
    row = load_rows(case.shop, [case.pk]).get(case.pk)
    return _advice_of(row, figures, waive_blocked, rungs_given) if row else None


def _advice_of(row: CaseRow, figures: ShopFigures, waive_blocked: bool, rungs_given: list[str]) -> CaseAdvice:
    facts, basis = facts_of(row, figures, waive_blocked=waive_blocked, rungs_given=rungs_given)
    return CaseAdvice(row.pk, facts, advise(facts, figures.costs), row.status == Status.REQUESTED.value, basis)


def advice_for_cases(shop: Shop, cases: Iterable[Case], *, blocked: set[int] | None = None
                     ) -> dict[int, CaseAdvice]:
    """The advice of each open case among `cases` (all of `shop`), keyed by case id.

    The shop's figures are read once; cases are loaded `CHUNK` at a time as plain values.
    """
    figures = shop_figures(shop)
    blocked = blocked or set()
    ids = [c.pk for c in cases]
    out = {}
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        given: dict[int, list[str]] = {}
        for case_id, rung in Compensation.objects.filter(case_id__in=part).values_list("case_id", "rung"):
            given.setdefault(case_id, []).append(rung)
        for pk, row in load_rows(shop, part).items():
            if Status(row.status) not in TERMINAL:
                out[pk] = _advice_of(row, figures, pk in blocked, given.get(pk, []))
    return out


#: Cases loaded at a time (SQLite limits how many values one query may carry).
CHUNK = 500


def facts_of(row: CaseRow, figures: ShopFigures, *, waive_blocked: bool, rungs_given: list[str]
             ) -> tuple[AdviceFacts, dict]:
    """The cost model's facts of one case, and where each figure came from."""
    category, law_category = next(((line[4], line[5]) for line in row.lines if line[4]), (0, "other"))
    counts = figures.grades_by_category.get(category, {})
    lost, ruled = figures.rulings_by_reason.get(row.reason, (0, 0))
    carrier = row.return_carrier or row.carrier
    freight = parcel_fen(carrier, row.province, figures.freight_default_fen)
    list_value = sum(price * units for _id, units, price, gift, _c, _l in row.lines if not gift)
    fault = row.reason in MERCHANT_FAULT_REASONS
    rung = suggest_rung(row.urgency, rungs_given) if (fault or row.urgency >= UPSET) else None
    facts = AdviceFacts(
        allowed=row.remedies or (),
        asked=row.kind,
        refund_fen=row.refund_fen,
        goods_cost_fen=share(list_value, figures.costs.goods_cost_bp),
        freight_back_fen=freight,
        freight_out_fen=freight,
        merchant_pays_return=row.freight_payer == "merchant" or fault,
        delivered=row.goods_status == GoodsStatus.RECEIVED.value and row.reason != Reason.NOT_RECEIVED.value,
        grade_mix_bp=learned_grade_mix(law_category, counts),
        lose_rate_bp=learned_lose_rate_bp(lost, ruled),
        compensation_fen=figures.rung_fen.get(rung, 0) if rung else 0,
        waive_blocked=waive_blocked,
        decided=row.remedies is not None,
    )
    basis = {
        "category": law_category, "inspections": sum(counts.values()), "grades": dict(counts),
        "lost": lost, "ruled": ruled, "carrier": carrier, "province": row.province, "freight_fen": freight,
        "rung": rung, "goods_list_fen": list_value,
    }
    return facts, basis


_POLICY_KINDS = frozenset({"refund_only", "return_refund", "exchange", "reship", "repair"})
