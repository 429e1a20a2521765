"""Applying the advice: the remedy chosen, carried out through the cases' and refunds' own verbs.

One transaction: change the remedy if the advice differs from the request (the buyer's agreement is
the agent's to confirm), approve, and for a refund decide its amount. The money itself moves only
when an agent sends it (second confirmation), as for any refund.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.cases import services as cases
from aftersales.cases.domain.states import REFUND_KINDS, Status
from aftersales.cases.models import Case
from aftersales.core.errors import ConflictError, DomainError, NotFoundError
from aftersales.core.money import check_fen
from aftersales.intelligence.advice.models import AdviceSettings
from aftersales.intelligence.present import advice_and_signals
from aftersales.refunds import services as refunds

SETTINGS_FIELDS = (
    "handling_fen", "return_handling_fen", "repair_fen", "goods_cost_bp", "grade_a_value_bp", "grade_b_value_bp",
    "grade_c_value_bp", "grade_d_value_bp", "partial_refund_bp", "waive_return_max_fen", "decline_bp",
    "dispute_chance_bp", "arbitration_penalty_fen", "coupon_fen", "member_discount_fen", "points_fen",
    "red_envelope_fen", "gift_fen",
)


@transaction.atomic
def apply_advice(shop: Shop, case_id: int, by: cases.By, *, remedy: str, note: str = "",
                 buyer_agreed: bool = False) -> Case:
    """Carry out option `remedy` of the case's advice as it stands now.

    An option other than what the buyer asked for (an exchange offered for a refund …) is an offer:
    it is carried out only once the agent confirms the buyer agreed (`buyer_agreed`)."""
    case = Case.objects.filter(shop=shop, pk=case_id).select_related("order", "buyer", "shop").first()
    if case is None:
        raise NotFoundError("case.not_found", case_id=case_id)
    if case.status != Status.REQUESTED.value:
        raise ConflictError("advice.not_actionable", status=case.status)
    found, _signals = advice_and_signals(case)
    option = found.advice.option(remedy) if found else None
    if option is None:
        raise DomainError("advice.option_not_offered", remedy=remedy)
    if option.needs_agreement and not buyer_agreed:
        raise DomainError("advice.needs_agreement", remedy=remedy)
    refund_kind = option.kind in {k.value for k in REFUND_KINDS}
    if option.kind != case.kind or (refund_kind and option.refund_fen != case.requested_fen):
        cases.switch_remedy(shop, case.pk, by, kind=option.kind,
                            requested_fen=option.refund_fen if refund_kind else None, note=note,
                            buyer_agreed=buyer_agreed)
    cases.approve_case(shop, case.pk, by, note=note)
    if refund_kind and option.refund_fen:
        reason = "partial_refund_goods_kept" if option.kind == "partial_refund" else "approved_request"
        refunds.grant_refund(shop, case.pk, by, amount_fen=option.refund_fen, reason_code=reason, note=note)
    case.refresh_from_db()
    return case


@dataclass
class BulkApplied:
    done: list[Case] = field(default_factory=list)
    refused: list[tuple[Case | int, DomainError]] = field(default_factory=list)


def apply_advice_many(shop: Shop, case_ids: list[int], by: cases.By, *, remedy: str) -> BulkApplied:
    """Apply `remedy` to each case whose advice recommends exactly it, each in its own transaction.

    A case whose advice differs, or whose recommendation needs the buyer's agreement first, is refused
    with the reason and left as it was.
    """
    result = BulkApplied()
    found = {c.pk: c for c in Case.objects.filter(shop=shop, pk__in=case_ids).select_related("order", "buyer")}
    for case_id in case_ids:
        case = found.get(case_id)
        if case is None:
            result.refused.append((case_id, NotFoundError("case.not_found", case_id=case_id)))
            continue
        advice, _signals = advice_and_signals(case)
        best = advice.advice.best if advice else None
        if best is None or best.remedy != remedy:
            result.refused.append((case, DomainError("advice.bulk_differs", number=case.number, remedy=remedy)))
            continue
        if best.needs_agreement:
            result.refused.append((case, DomainError("advice.bulk_needs_agreement", number=case.number)))
            continue
        try:
            result.done.append(apply_advice(shop, case.pk, by, remedy=remedy))
        except DomainError as exc:
            result.refused.append((case, exc))
    return result


@transaction.atomic
def save_settings(shop: Shop, **values: int) -> AdviceSettings:
    """The owner's unit costs and thresholds; every value an amount in fen or a share in basis points."""
    row = AdviceSettings.objects.select_for_update().filter(shop=shop).first() or AdviceSettings(shop=shop)
    for name, value in values.items():
        if name not in SETTINGS_FIELDS:
            raise DomainError("input.invalid_choice", field=name, value=str(name))
        check_fen(value)
        if name.endswith("_bp") and value > 10_000:
            raise DomainError("advice.invalid_share", field=name, value=str(value))
        setattr(row, name, value)
    row.save()
    return row
