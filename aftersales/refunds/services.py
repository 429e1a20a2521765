"""Refunds: the decision to refund (grant) is kept apart from the money movement (execute).

Never twice, never too much:
- the order row and the case row are locked while a refund is granted, and database constraints keep
  the granted sum within what was paid (per case and per order);
- a money movement carries an idempotency key that is unique per shop; the same key returns the same
  payments; the gateway is called with that key only after the pending row is committed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum

from aftersales.accounts.models import Shop
from aftersales.cases.domain.states import Actor, Status
from aftersales.cases.models import Case
from aftersales.cases.refund_rule import case_plan, refundable_now
from aftersales.cases.services import (
    By,
    hold_case,
    platform_refund_paid,
    refund_before_receipt,
    refund_executing,
    refund_granted,
    refund_payment_result,
)
from aftersales.core import clock
from aftersales.core.choices import PaymentRoute, PaymentStatus
from aftersales.core.errors import ConflictError, DomainError
from aftersales.core.money import allocate, check_fen
from aftersales.orders.models import Order
from aftersales.refunds.domain.refundable import assert_within_paid, split_over_payments
from aftersales.refunds.gateways import get_gateway
from aftersales.refunds.models import REFUND, RefundDecision, RefundPayment

GRANT_REASONS = (
    "approved_request",
    "inspection_passed",
    "partial_refund_goods_kept",
    "platform_ruling",
    "price_protection",
    "compensation",
    "platform_refund",
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
    case = hold_case(shop, case_id)
    if case.status != Status.REFUNDING.value:
        raise ConflictError("refund.case_not_refunding", status=case.status)
    remaining = refundable_now(case, order)  # the refund rule, as the order stands now
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
    return _book_grant(order, case, by, amount_fen, remaining, reason_code=reason_code, note=note, now=now)


#: A grant made by `grant_fast_refund` (never chosen from the console's list).
FAST_REFUND_REASON = "fast_refund"


@transaction.atomic
def grant_fast_refund(shop: Shop, case_id: int, by: By, *, rule_id: int, rule_name: str, max_fen: int,
                      now: datetime | None = None) -> RefundDecision:
    """极速退款: decide to refund a return before it arrives, as the owner's rule `rule_id` says — what the
    refund rule says is refundable now (no more than the buyer asked), at most `max_fen` (the rule's cap;
    above it nothing is written). The case verb checks the move (a return the buyer sent with a tracking
    number, not yet refunded, not a platform's case) and records it with the rule; the money then moves
    with `execute_refund` like any grant."""
    now = now or clock.now()
    check_fen(max_fen)
    case_order_id = Case.objects.filter(shop=shop, pk=case_id).values_list("order_id", flat=True).first()
    order = Order.objects.select_for_update(no_key=True).filter(shop=shop, pk=case_order_id).first()
    case = hold_case(shop, case_id)
    remaining = refundable_now(case, order)  # the refund rule, as the order stands now
    if remaining <= 0:
        raise ConflictError("refund.already_granted")
    amount_fen = min(case.requested_fen or remaining, remaining)
    if amount_fen > max_fen:
        raise ConflictError("refund.fast_refund_over_cap", amount=amount_fen, cap=max_fen)
    refund_before_receipt(shop, case, by, rule_id=rule_id, rule_name=rule_name, now=now)
    return _book_grant(order, case, by, amount_fen, remaining, reason_code=FAST_REFUND_REASON, note="", now=now)


def _book_grant(order: Order, case: Case, by: By, amount_fen: int, remaining: int, *, reason_code: str,
                note: str, now: datetime) -> RefundDecision:
    """Write the decision (with the rule's split over the lines and its deductions), the case's and the
    order's totals, and the event. Order and case are locked by the caller."""
    plan = case_plan(case, order)
    lines = sorted(plan.per_line)
    on_lines = min(amount_fen, sum(plan.per_line.values()))
    shares = allocate(on_lines, [plan.per_line[i] for i in lines]) if on_lines else []
    per_line = {i: fen for i, fen in zip(lines, shares, strict=False) if fen}
    if amount_fen > on_lines:  # the outbound freight paid back is on no line
        per_line["freight"] = amount_fen - on_lines
    decision = RefundDecision.objects.create(
        shop_id=case.shop_id,
        case=case,
        amount_fen=amount_fen,
        reason_code=reason_code,
        per_line=per_line,
        deductions=[list(d) for d in plan.deductions],
        actor=by.actor.value,
        decided_by=by.user if getattr(by.user, "is_authenticated", False) else None,
        created_at=now,
    )
    order.refund_granted_fen += amount_fen
    order.save(update_fields=["refund_granted_fen", "updated_at"])
    # The case's cap follows the rule: what it may have in all, as the order stands at this grant.
    refund_granted(case.shop_id, case, by, decision_id=decision.pk, amount_fen=amount_fen,
                   refundable_fen=remaining, reason_code=reason_code, note=note, now=now)
    return decision


def refundable_of(shop: Shop, case_id: int) -> int:
    """What may still be granted on the shop's case now, by the refund rule (0 for an unknown case)."""
    case = Case.objects.filter(shop=shop, pk=case_id).select_related("order").first()
    return refundable_now(case, case.order) if case else 0


@dataclass(frozen=True)
class PlatformRefund:
    granted_fen: int  # newly granted by this call
    paid_fen: int  # newly recorded as paid back
    refused_fen: int  # what the platform reported beyond the rule, not booked


@transaction.atomic
def record_platform_refund(
    shop: Shop, case_id: int, *, granted_fen: int, refunded_fen: int, reference: str = "",
    now: datetime | None = None,
) -> PlatformRefund:
    """A platform reports that it granted `granted_fen` and paid back `refunded_fen` on a case in all
    (its own after-sale export or API). What is new is booked through the ledger like any refund — a
    decision by the platform, then a payment over the `platform` route, settled — within the refund
    rule; a figure above the rule is left out and returned as `refused_fen` for the caller to report.
    Totals are never lowered: the platform's figure is cumulative. Safe to repeat with the same figures.
    """
    now = now or clock.now()
    check_fen(granted_fen)
    check_fen(refunded_fen)
    by = By(Actor.PLATFORM)
    case_order_id = Case.objects.filter(shop=shop, pk=case_id).values_list("order_id", flat=True).first()
    order = Order.objects.select_for_update(no_key=True).filter(shop=shop, pk=case_order_id).first()
    case = hold_case(shop, case_id)
    new_grant, refused = max(0, granted_fen - case.refund_granted_fen), 0
    if new_grant:
        remaining = refundable_now(case, order)
        refused, new_grant = max(0, new_grant - remaining), min(new_grant, remaining)
        if new_grant:
            _book_grant(order, case, by, new_grant, remaining, reason_code="platform_refund",
                        note=reference, now=now)
    new_paid = max(0, min(refunded_fen, case.refund_granted_fen) - case.refunded_fen - _in_flight(case))
    if new_paid:
        decision = case.refund_decisions.filter(kind=REFUND).order_by("-pk").first()
        payment = RefundPayment.objects.create(
            shop_id=case.shop_id, case=case, decision=decision, route=PaymentRoute.PLATFORM.value,
            amount_fen=new_paid, idempotency_key=f"platform:{case.pk}:{case.refunded_fen + new_paid}",
            status=PaymentStatus.SUCCEEDED.value, attempts=1, external_ref=reference[:100], created_at=now,
            settled_at=now,
        )
        platform_refund_paid(shop, case, by, paid_fen=new_paid, route=payment.route, reference=reference, now=now)
    return PlatformRefund(granted_fen=new_grant, paid_fen=new_paid, refused_fen=refused)


def _in_flight(case: Case) -> int:
    """Money of the case on its way (pending or unknown payments): not to be paid a second time."""
    return (RefundPayment.objects.filter(case=case, decision__kind=REFUND,
                                         status__in=[PaymentStatus.PENDING.value, PaymentStatus.UNKNOWN.value])
            .aggregate(total=Sum("amount_fen"))["total"] or 0)


def _routes_for(order: Order) -> list[tuple[str, int, int]]:
    """Payment routes of the order with what each has paid and has already had back."""
    refunded = {
        row["route"]: row["total"]
        for row in RefundPayment.objects.filter(case__order=order, decision__kind=REFUND)
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
            case = hold_case(shop, case_id)
            existing = list(
                RefundPayment.objects.filter(shop=shop, idempotency_key=key).select_related("case", "decision")
            )
            if existing:
                if existing[0].case_id != case.pk or existing[0].decision.kind != REFUND:
                    raise ConflictError("refund.idempotency_key_reused")
                return existing
            return _new_payments(case, by, key, now or clock.now())
    except IntegrityError:
        # The same key was used concurrently for another case of the shop.
        raise ConflictError("refund.idempotency_key_reused") from None


def _new_payments(case: Case, by, key, now) -> list[RefundPayment]:
    shop = case.shop
    in_flight = (
        RefundPayment.objects.filter(case=case, decision__kind=REFUND)
        .exclude(status=PaymentStatus.FAILED.value)
        .aggregate(total=Sum("amount_fen"))["total"]
        or 0
    )
    owed = case.refund_granted_fen - in_flight
    if owed <= 0:
        raise ConflictError("refund.nothing_to_execute")
    decision = case.refund_decisions.filter(kind=REFUND).order_by("-pk").first()
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
    refund_executing(shop, case, by, idempotency_key=key, payments=[[p.route, p.amount_fen] for p in created],
                     now=now)
    return created


@transaction.atomic
def _settle_payment(shop, payment_id, by, status: PaymentStatus, external_ref: str) -> None:
    payment = RefundPayment.objects.select_for_update(no_key=True).get(shop=shop, pk=payment_id)
    if payment.status == PaymentStatus.SUCCEEDED.value:
        return  # settled by an earlier call with the same key
    case = hold_case(shop, payment.case_id)
    payment.attempts += 1
    payment.status = status.value
    payment.external_ref = external_ref
    now = clock.now()
    if status == PaymentStatus.SUCCEEDED:
        payment.settled_at = now
    payment.save()
    refund_payment_result(shop, case, by, payment_id=payment.pk, amount_fen=payment.amount_fen,
                          status=status.value, now=now)

