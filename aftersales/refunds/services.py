"""Refunds: the decision to refund (grant) is kept apart from the money movement (execute).

Never twice, never too much:
- the order row and the case row are locked while a refund is granted, and database constraints keep
  the granted sum within what was paid (per case and per order);
- a money movement carries an idempotency key that is unique per shop; the same key returns the same
  payments; the gateway is called with that key only after the pending row is committed.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum

from aftersales.accounts.models import Shop
from aftersales.analytics import rollups
from aftersales.cases.domain.states import Action, Status
from aftersales.cases.models import Case
from aftersales.cases.services import By, lock_case, move, record_event
from aftersales.core import clock
from aftersales.core.choices import MoneyStatus, PaymentRoute, PaymentStatus
from aftersales.core.errors import ConflictError, DomainError
from aftersales.core.money import check_fen
from aftersales.orders.models import Order
from aftersales.refunds.domain.refundable import assert_within_paid, split_over_payments
from aftersales.refunds.gateways import get_gateway
from aftersales.refunds.models import RefundDecision, RefundPayment

GRANT_REASONS = (
    "approved_request",
    "inspection_passed",
    "partial_refund_goods_kept",
    "platform_ruling",
    "price_protection",
    "compensation",
    "other",
)
_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


@transaction.atomic
def grant_refund(
    shop: Shop,
    case_id: int,
    by: By,
    *,
    amount_fen: int | None = None,
    reason_code: str = "approved_request",
    note: str = "",
    now: datetime | None = None,
) -> RefundDecision:
    """Decide to refund `amount_fen` (default: all that is still refundable) on a case in `refunding`."""
    now = now or clock.now()
    if reason_code not in GRANT_REASONS:
        raise DomainError("input.invalid_choice", field="reason_code", value=reason_code)
    # Lock order then case, always in that order, so two refunds on one order cannot interleave.
    case_order_id = Case.objects.filter(shop=shop, pk=case_id).values_list("order_id", flat=True).first()
    order = Order.objects.select_for_update(no_key=True).filter(shop=shop, pk=case_order_id).first()
    case = lock_case(shop, case_id)
    if case.status != Status.REFUNDING.value:
        raise ConflictError("refund.case_not_refunding", status=case.status)
    remaining = min(case.refund_cap_fen - case.refund_granted_fen, order.paid_fen - order.refund_granted_fen)
    if remaining <= 0:
        raise ConflictError("refund.already_granted")
    if reason_code == "partial_refund_goods_kept" and (amount_fen is None or amount_fen >= remaining):
        # The buyer keeps the goods: a partial refund is some of the money, never all of it by default.
        raise DomainError("refund.partial_not_below_refundable", refundable=remaining)
    if amount_fen is None:
        amount_fen = min(case.requested_fen or remaining, remaining)
    check_fen(amount_fen)
    if amount_fen == 0:
        raise DomainError("refund.zero_amount")
    assert_within_paid(amount_fen, remaining)
    decision = RefundDecision.objects.create(
        shop=shop,
        case=case,
        amount_fen=amount_fen,
        reason_code=reason_code,
        actor=by.actor.value,
        decided_by=by.user if getattr(by.user, "is_authenticated", False) else None,
        created_at=now,
    )
    case.refund_granted_fen += amount_fen
    case.money_status = MoneyStatus.PENDING.value
    case.version += 1
    case.save(update_fields=["refund_granted_fen", "money_status", "version", "updated_at"])
    order.refund_granted_fen += amount_fen
    order.save(update_fields=["refund_granted_fen", "updated_at"])
    record_event(
        case,
        by,
        "grant_refund",
        from_status=case.status,
        reason_code=reason_code,
        note=note,
        payload={"decision": decision.pk, "amount_fen": amount_fen},
        now=now,
    )
    rollups.case_changed(case)
    return decision


def _routes_for(order: Order) -> list[tuple[str, int, int]]:
    """Payment routes of the order with what each has paid and has already had back."""
    refunded = {
        row["route"]: row["total"]
        for row in RefundPayment.objects.filter(case__order=order)
        .exclude(status=PaymentStatus.FAILED.value)
        .values("route")
        .annotate(total=Sum("amount_fen"))
    }
    payments = list(order.payments.all())
    if not payments:  # an order imported without payment details: the platform refunds it
        return [(PaymentRoute.PLATFORM.value, order.paid_fen, refunded.get(PaymentRoute.PLATFORM.value, 0))]
    return [(p.route, p.amount_fen, refunded.get(p.route, 0)) for p in payments]


def execute_refund(
    shop: Shop, case_id: int, by: By, *, idempotency_key: str, now: datetime | None = None
) -> list[RefundPayment]:
    """Move the money for what was granted and not yet paid. Safe to call again with the same key."""
    if not _KEY.match(idempotency_key or ""):
        raise DomainError("refund.invalid_idempotency_key")
    payments = _create_pending_payments(shop, case_id, by, idempotency_key, now)
    gateway = get_gateway(shop)
    for payment in payments:
        if payment.status in (PaymentStatus.PENDING.value, PaymentStatus.UNKNOWN.value):
            result = gateway.refund(
                route=payment.route,
                amount_fen=payment.amount_fen,
                idempotency_key=f"{idempotency_key}:{payment.route}",
                order_ref=payment.case.order.platform_order_id,
            )
            _settle_payment(shop, payment.pk, by, result.status, result.external_ref)
    return list(RefundPayment.objects.filter(shop=shop, idempotency_key=idempotency_key).order_by("pk"))


def _create_pending_payments(shop, case_id, by, key, now) -> list[RefundPayment]:
    try:
        with transaction.atomic():
            # The case lock comes first: a second request with the same key waits here, then finds
            # the payments the first one committed instead of computing a new amount.
            case = lock_case(shop, case_id)
            existing = list(
                RefundPayment.objects.filter(shop=shop, idempotency_key=key).select_related("case")
            )
            if existing:
                if existing[0].case_id != case.pk:
                    raise ConflictError("refund.idempotency_key_reused")
                return existing
            return _new_payments(case, by, key, now or clock.now())
    except IntegrityError:
        # The same key was used concurrently for another case of the shop.
        raise ConflictError("refund.idempotency_key_reused") from None


def _new_payments(case: Case, by, key, now) -> list[RefundPayment]:
    shop = case.shop
    in_flight = (
        RefundPayment.objects.filter(case=case)
        .exclude(status=PaymentStatus.FAILED.value)
        .aggregate(total=Sum("amount_fen"))["total"]
        or 0
    )
    owed = case.refund_granted_fen - in_flight
    if owed <= 0:
        raise ConflictError("refund.nothing_to_execute")
    decision = case.refund_decisions.order_by("-pk").first()
    split = split_over_payments(owed, _routes_for(case.order))
    created = [
        RefundPayment.objects.create(
            shop=shop,
            case=case,
            decision=decision,
            route=route,
            amount_fen=fen,
            idempotency_key=key,
            created_at=now,
        )
        for route, fen in split
        if fen > 0
    ]
    case.money_status = MoneyStatus.REFUNDING.value
    case.version += 1
    case.save(update_fields=["money_status", "version", "updated_at"])
    record_event(
        case,
        by,
        "execute_refund",
        from_status=case.status,
        payload={"idempotency_key": key, "payments": [[p.route, p.amount_fen] for p in created]},
        now=now,
    )
    return created


@transaction.atomic
def _settle_payment(shop, payment_id, by, status: PaymentStatus, external_ref: str) -> None:
    payment = RefundPayment.objects.select_for_update(no_key=True).get(shop=shop, pk=payment_id)
    if payment.status == PaymentStatus.SUCCEEDED.value:
        return  # settled by an earlier call with the same key
    case = lock_case(shop, payment.case_id)
    payment.attempts += 1
    payment.status = status.value
    payment.external_ref = external_ref
    now = clock.now()
    if status == PaymentStatus.SUCCEEDED:
        payment.settled_at = now
        case.refunded_fen += payment.amount_fen
    payment.save()
    if status == PaymentStatus.SUCCEEDED and case.refunded_fen >= case.refund_granted_fen:
        case.money_status = MoneyStatus.REFUNDED.value
        record_event(
            case,
            by,
            "refund_settled",
            from_status=case.status,
            payload={"refunded_fen": case.refunded_fen},
            now=now,
        )
        if case.status == Status.REFUNDING.value:
            move(case, Action.REFUND_SUCCEEDED, by, now=now)
            return
    elif status == PaymentStatus.FAILED:
        case.money_status = MoneyStatus.FAILED.value
        record_event(
            case, by, "refund_failed", from_status=case.status, payload={"payment": payment.pk}, now=now
        )
    case.version += 1
    case.save()


def refundable_now(case: Case) -> int:
    return max(0, case.refund_cap_fen - case.refund_granted_fen)
