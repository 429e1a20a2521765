"""The buyer's return freight, reimbursed by the shop: a ledger movement of its own.

Who pays the return freight is the policy's answer (`policy_decision["return_freight_payer"]`): the
shop when it is at fault (L14) or promises free returns (退货包运费); the insurer when the order has
运费险; else the buyer (L12). Only when the shop pays is the buyer's freight reimbursed here, once per
case: a decision of kind `return_freight` and one payment with its own idempotency key, kept on the
case's return-freight totals — never on its refund totals and never against what was paid for the
order (it is money beyond it). The amount is what the buyer says the parcel cost, at most the shop's
cap (`Shop.return_freight_cap_fen`) unless the carrier's receipt is among the case's evidence.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case, Evidence
from aftersales.cases.services import By, hold_case, return_freight_granted, return_freight_payment_result
from aftersales.core import clock
from aftersales.core.choices import PaymentRoute, PaymentStatus, ReturnLogistics
from aftersales.core.errors import ConflictError, DomainError, NotFoundError
from aftersales.core.money import check_fen
from aftersales.orders.models import Order
from aftersales.refunds.gateways import get_gateway
from aftersales.refunds.models import RETURN_FREIGHT, RefundDecision, RefundPayment
from aftersales.refunds.services import _KEY

#: The policy's word for "the shop pays the return freight".
SHOP_PAYS = "merchant"


@transaction.atomic
def set_return_freight_cap(shop: Shop, *, cap_fen: int) -> Shop:
    """The owner's limit on a reimbursement without the carrier's receipt."""
    check_fen(cap_fen)
    locked = Shop.objects.select_for_update().get(pk=shop.pk)
    locked.return_freight_cap_fen = cap_fen
    locked.save(update_fields=["return_freight_cap_fen"])
    return locked


def reimbursable(case: Case) -> bool:
    """Whether the shop owes this case's buyer the return freight and has not reimbursed it yet."""
    return (case.policy_decision or {}).get("return_freight_payer") == SHOP_PAYS and (
        case.return_logistics != ReturnLogistics.NONE.value and not case.return_freight_granted_fen)


def reimburse_return_freight(
    shop: Shop, case_id: int, by: By, *, amount_fen: int, idempotency_key: str,
    receipt_evidence_id: int | None = None, note: str = "", now: datetime | None = None,
) -> list[RefundPayment]:
    """Reimburse the buyer's return freight and move the money. Safe to call again with the same key:
    the same payment comes back, settled once."""
    if not _KEY.match(idempotency_key or ""):
        raise DomainError("refund.invalid_idempotency_key")
    if len(note) > 2000:
        raise DomainError("input.too_long", field="note", limit=2000)
    payments = _decide(shop, case_id, by, amount_fen, idempotency_key, receipt_evidence_id, note,
                       now or clock.now())
    gateway = get_gateway(shop)
    for payment in payments:
        if payment.status in (PaymentStatus.PENDING.value, PaymentStatus.UNKNOWN.value):
            result = gateway.refund(route=payment.route, amount_fen=payment.amount_fen,
                                    idempotency_key=f"{idempotency_key}:{payment.route}",
                                    order_ref=payment.case.order.platform_order_id)
            _settle(shop, payment.pk, by, result.status, result.external_ref)
    return list(RefundPayment.objects.filter(shop=shop, idempotency_key=idempotency_key).order_by("pk"))


def _decide(shop: Shop, case_id: int, by: By, amount_fen: int, key: str, receipt_id: int | None, note: str,
            now: datetime) -> list[RefundPayment]:
    try:
        with transaction.atomic():
            case = hold_case(shop, case_id)
            existing = list(RefundPayment.objects.filter(shop=shop, idempotency_key=key)
                            .select_related("case", "decision"))
            if existing:
                if existing[0].case_id != case.pk or existing[0].decision.kind != RETURN_FREIGHT:
                    raise ConflictError("refund.idempotency_key_reused")
                return existing
            _check(shop, case, amount_fen, receipt_id)
            return [_book(case, by, amount_fen, key, receipt_id, note, now)]
    except IntegrityError:  # the same key used at the same moment for another movement of the shop
        raise ConflictError("refund.idempotency_key_reused") from None


def _check(shop: Shop, case: Case, amount_fen: int, receipt_id: int | None) -> None:
    payer = (case.policy_decision or {}).get("return_freight_payer")
    if payer != SHOP_PAYS:
        raise ConflictError("refund.return_freight_not_shops", payer=payer or "none")
    if case.return_logistics == ReturnLogistics.NONE.value:
        raise ConflictError("refund.return_freight_not_sent")
    if case.return_freight_granted_fen:
        raise ConflictError("refund.return_freight_already_reimbursed", amount=case.return_freight_granted_fen)
    check_fen(amount_fen)
    if amount_fen == 0:
        raise DomainError("refund.zero_amount")
    if receipt_id is not None and not Evidence.objects.filter(case=case, pk=receipt_id).exists():
        raise NotFoundError("refund.return_freight_receipt_not_found", evidence_id=receipt_id)
    if amount_fen > shop.return_freight_cap_fen and receipt_id is None:
        raise DomainError("refund.return_freight_above_cap", cap=shop.return_freight_cap_fen)


def _route(order: Order) -> str:
    """One route for the freight: the order's largest payment (the buyer's own account), else the
    platform's."""
    payment = order.payments.order_by("-amount_fen", "pk").first()
    return payment.route if payment else PaymentRoute.PLATFORM.value


def _book(case: Case, by: By, amount_fen: int, key: str, receipt_id: int | None, note: str,
          now: datetime) -> RefundPayment:
    decision = RefundDecision.objects.create(
        shop_id=case.shop_id, case=case, kind=RETURN_FREIGHT, amount_fen=amount_fen, reason_code="return_freight",
        per_line={}, deductions=[], actor=by.actor.value,
        decided_by=by.user if getattr(by.user, "is_authenticated", False) else None, created_at=now,
    )
    payment = RefundPayment.objects.create(shop_id=case.shop_id, case=case, decision=decision, route=_route(case.order),
                                           amount_fen=amount_fen, idempotency_key=key, created_at=now)
    return_freight_granted(case.shop_id, case, by, decision_id=decision.pk, amount_fen=amount_fen,
                           idempotency_key=key, receipt_id=receipt_id, note=note, now=now)
    return payment


@transaction.atomic
def _settle(shop: Shop, payment_id: int, by: By, status: PaymentStatus, external_ref: str) -> None:
    payment = RefundPayment.objects.select_for_update(no_key=True).get(shop=shop, pk=payment_id)
    if payment.status == PaymentStatus.SUCCEEDED.value:
        return  # settled by an earlier call with the same key
    case = hold_case(shop, payment.case_id)
    now = clock.now()
    payment.attempts += 1
    payment.status, payment.external_ref = status.value, external_ref
    if status == PaymentStatus.SUCCEEDED:
        payment.settled_at = now
    return_freight_payment_result(shop, case, by, payment_id=payment.pk, amount_fen=payment.amount_fen,
                                  route=payment.route, status=status.value, now=now)
    payment.save()
