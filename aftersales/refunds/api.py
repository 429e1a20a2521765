"""Refunds API: the ledger's payments, and the two money actions on a case (mounted under /cases)."""

from ninja import Router
from ninja.pagination import paginate

from aftersales.api_auth import MONEY, require_role
from aftersales.api_paging import Page
from aftersales.cases.schemas import CaseDetailOut, ExecuteIn, GrantIn, ReturnFreightIn
from aftersales.cases.selectors import case_detail
from aftersales.cases.services import acting_for_token
from aftersales.core.errors import DomainError
from aftersales.refunds import freight
from aftersales.refunds import services as refunds
from aftersales.refunds.models import RefundPayment
from aftersales.refunds.schemas import RefundPaymentOut

router = Router(tags=["refunds"])
case_router = Router(tags=["cases"])


@router.get("", response=list[RefundPaymentOut])
@paginate(Page)
def list_refunds(request, case_id: int | None = None, status: str | None = None):
    qs = RefundPayment.objects.filter(shop=request.shop)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


@case_router.post("/{int:case_id}/grant-refund", response=CaseDetailOut)
def grant_refund(request, case_id: int, payload: GrantIn):
    require_role(request, *MONEY)
    case_detail(request.shop, case_id)  # 404 before anything else for a case of another shop
    if payload.amount_fen is None:
        # A person decides the amount (the console asks for it too); only a platform's timer or ruling
        # grants everything refundable by itself.
        raise DomainError("refund.amount_required", refundable=refunds.refundable_of(request.shop, case_id))
    refunds.grant_refund(
        request.shop,
        case_id,
        acting_for_token(request.api_role),
        amount_fen=payload.amount_fen,
        reason_code=payload.reason_code,
        note=payload.note,
    )
    return case_detail(request.shop, case_id)


@case_router.post("/{int:case_id}/execute-refund", response=list[RefundPaymentOut])
def execute_refund(request, case_id: int, payload: ExecuteIn):
    require_role(request, *MONEY)
    case_detail(request.shop, case_id)  # 404 before anything else for a case of another shop
    return refunds.execute_refund(request.shop, case_id, acting_for_token(request.api_role),
                                  idempotency_key=payload.idempotency_key)


@case_router.post("/{int:case_id}/reimburse-return-freight", response=list[RefundPaymentOut])
def reimburse_return_freight(request, case_id: int, payload: ReturnFreightIn):
    """The buyer's return freight, when the shop pays it: its own movement, once per case, with its own
    idempotency key (the same key again answers the same payment)."""
    require_role(request, *MONEY)
    case_detail(request.shop, case_id)  # 404 before anything else for a case of another shop
    return freight.reimburse_return_freight(
        request.shop, case_id, acting_for_token(request.api_role), amount_fen=payload.amount_fen,
        idempotency_key=payload.idempotency_key, receipt_evidence_id=payload.receipt_evidence_id, note=payload.note,
    )
