from ninja import Router
from ninja.pagination import paginate

from aftersales.core.pagination import Page
from aftersales.refunds.models import RefundPayment
from aftersales.refunds.schemas import RefundPaymentOut

router = Router(tags=["refunds"])


@router.get("", response=list[RefundPaymentOut])
@paginate(Page)
def list_refunds(request, case_id: int | None = None, status: str | None = None):
    qs = RefundPayment.objects.filter(shop=request.shop)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")
