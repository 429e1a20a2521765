"""批量同意退款: refund many cases at once, each through the single-case verbs in its own transactions.

The agent first sees what each selected case would get back (`plan_bulk_refund`) and the total; on
confirmation every case is approved when still awaiting review (refund-only, not shipped), granted all
that is refundable now and paid with its own idempotency key, chosen when the plan was shown, so that
sending the confirmation twice never pays twice. One refusal never undoes the others; the result says
what happened to each case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from aftersales.accounts.models import Shop
from aftersales.cases import bulk as case_bulk
from aftersales.cases import services as cases
from aftersales.cases.domain.states import Status
from aftersales.cases.models import Case
from aftersales.core.choices import PaymentStatus
from aftersales.core.errors import DomainError
from aftersales.refunds import services as refunds
from aftersales.refunds.models import RefundPayment


@dataclass
class PlannedRefund:
    case: Case
    amount_fen: int
    idempotency_key: str


@dataclass
class BulkRefundPlan:
    refunds: list[PlannedRefund] = field(default_factory=list)
    refused: list[tuple[Case | int, DomainError]] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(r.amount_fen for r in self.refunds)


@dataclass
class CaseRefundResult:
    case: Case
    paid_fen: int = 0
    pending_fen: int = 0
    error: DomainError | None = None


def _refusal(case: Case) -> DomainError | None:
    """Why `case` cannot be refunded in bulk, or None: a request awaiting review must be an unshipped
    refund-only one (the bulk approval's rule); a case already in 待退款 needs only the money."""
    if case.status == Status.REFUNDING.value:
        return None
    return case_bulk.unshipped_refund_refusal(case)


def plan_bulk_refund(shop: Shop, case_ids: list[int]) -> BulkRefundPlan:
    """What each selected case would get back now, with the idempotency key its payment will use."""
    plan = BulkRefundPlan()
    found = {c.pk: c for c in Case.objects.filter(shop=shop, pk__in=case_ids).select_related("buyer")}
    for case_id in case_ids:
        case = found.get(case_id)
        if case is None:
            plan.refused.append((case_id, DomainError("case.not_found", case_id=case_id)))
            continue
        why = _refusal(case)
        owed = case.refund_granted_fen - case.refunded_fen
        amount = refunds.refundable_now(case) + max(0, owed)
        if why is None and amount <= 0:
            why = DomainError("refund.already_granted")
        if why is not None:
            plan.refused.append((case, why))
            continue
        plan.refunds.append(PlannedRefund(case, amount, f"{case.number}-bulk-{uuid.uuid4().hex[:16]}"))
    return plan


def refund_many(shop: Shop, planned: list[tuple[int, str]], by: cases.By) -> list[CaseRefundResult]:
    """Approve (when awaiting review), grant what is refundable now and pay, per case with its key."""
    found = {c.pk: c for c in Case.objects.filter(shop=shop, pk__in=[pk for pk, _ in planned])}
    results = []
    for case_id, key in planned:
        case = found.get(case_id)
        if case is None:
            results.append(CaseRefundResult(Case(pk=case_id), error=DomainError("case.not_found", case_id=case_id)))
            continue
        results.append(_refund_one(shop, case, key, by))
    return results


def _refund_one(shop: Shop, case: Case, key: str, by: cases.By) -> CaseRefundResult:
    result = CaseRefundResult(case)
    already_sent = RefundPayment.objects.filter(shop=shop, idempotency_key=key).exists()
    try:
        if not already_sent:
            why = _refusal(case)
            if why is not None:
                raise why
            if case.status == Status.REQUESTED.value:
                case = cases.approve_case(shop, case.pk, by)
            amount = refunds.refundable_now(case)
            if amount > 0:
                refunds.grant_refund(shop, case.pk, by, amount_fen=amount, reason_code="approved_request")
        payments = refunds.execute_refund(shop, case.pk, by, idempotency_key=key)
    except DomainError as exc:
        result.error = exc
        return result
    result.case = Case.objects.get(pk=case.pk)
    result.paid_fen = sum(p.amount_fen for p in payments if p.status == PaymentStatus.SUCCEEDED.value)
    result.pending_fen = sum(p.amount_fen for p in payments if p.status != PaymentStatus.SUCCEEDED.value)
    return result
