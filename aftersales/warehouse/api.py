"""Warehouse API: the desk's two actions on a case (mounted under /cases)."""

from ninja import Router

from aftersales.api_auth import WAREHOUSE, require_role
from aftersales.cases.schemas import CaseDetailOut, InspectIn, ReceiveIn
from aftersales.cases.selectors import case_detail
from aftersales.cases.services import acting_for_token
from aftersales.warehouse import services as warehouse
from aftersales.warehouse.inspection import inspect_with_photos

case_router = Router(tags=["cases"])


@case_router.post("/{int:case_id}/receive", response=CaseDetailOut)
def receive(request, case_id: int, payload: ReceiveIn):
    require_role(request, *WAREHOUSE)
    warehouse.receive_parcel(
        request.shop,
        acting_for_token(request.api_role),
        tracking_no=payload.tracking_no,
        carrier=payload.carrier,
        note=payload.note,
        case_id=case_id,
    )
    return case_detail(request.shop, case_id)


@case_router.post("/{int:case_id}/inspect", response=CaseDetailOut)
def inspect(request, case_id: int, payload: InspectIn):
    require_role(request, *WAREHOUSE)
    inspect_with_photos(
        request.shop,
        case_id,
        acting_for_token(request.api_role),
        evidence_ids=payload.photo_ids,
        grade=payload.grade,
        checklist=payload.checklist,
        failure_reason=payload.failure_reason,
        restock=payload.restock,
        accepted_quantity=payload.accepted_quantity,
        note=payload.note,
        write_off_fen=payload.write_off_fen,
    )
    return case_detail(request.shop, case_id)
