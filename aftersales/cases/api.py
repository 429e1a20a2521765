"""Cases API: list, read, open, and one POST per action. Every call is inside the token's shop."""

from typing import Literal

from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from aftersales.api_auth import STAFF, WAREHOUSE, require_role
from aftersales.api_paging import Page
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.evidence import add_evidence
from aftersales.cases.schemas import (
    ApproveIn,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CloseIn,
    NoteIn,
    ReasonCorrectionIn,
    RejectIn,
    RulingIn,
    ShipmentIn,
)
from aftersales.cases.selectors import case_detail, filter_cases
from aftersales.catalog.selectors import sku_id_of
from aftersales.core.api_types import Moment
from aftersales.core.errors import DomainError

router = Router(tags=["cases"])


def by(request) -> services.By:
    """API calls act as the merchant (or the warehouse, for a warehouse token)."""
    return services.acting_for_token(request.api_role)


def detail(request, case_id: int):
    return case_detail(request.shop, case_id)


@router.get("", response=list[CaseOut])
@paginate(Page)
def list_cases(
    request,
    status: str | None = None,
    kind: str | None = None,
    platform: str | None = None,
    reason: str | None = None,
    due_before: Moment | None = None,
    open_only: bool = False,
    urgency_min: int = Query(0, ge=0, le=3),
    said: str | None = None,
    mismatch: bool = False,
    sort: Literal["deadline", "urgency"] = "deadline",
):
    """Filters as the inbox's; `said` is the reason read from the buyer's words, `mismatch` keeps the
    cases whose words say another reason than the picked one; `sort=urgency` puts the angriest first."""
    order = ("-urgency", "deadline_at", "-id") if sort == "urgency" else ("deadline_at", "-id")
    return filter_cases(
        request.shop,
        status=status,
        kind=kind,
        platform=platform,
        reason=reason,
        due_before=due_before,
        open_only=open_only,
        urgency_min=urgency_min,
        said=said,
        mismatch=mismatch,
    ).order_by(*order)


@router.get("/{int:case_id}", response=CaseDetailOut)
def get_case(request, case_id: int):
    return detail(request, case_id)


@router.post("", response={201: CaseDetailOut, 200: CaseDetailOut})
def open_case(request, payload: CaseIn):
    """201 with the new case; with a `platform_case_id` posted again, 200 with the existing case when the
    request is the same (a retry) and 409 `case.exists` when it differs."""
    require_role(request, *STAFF)
    case, created = services.open_case_once(
        request.shop,
        order_id=payload.order_id,
        lines=[(line.order_line_id, line.quantity) for line in payload.lines],
        kind=payload.kind.value,
        reason=payload.reason.value,
        by=by(request),
        buyer_note=payload.buyer_note,
        wanted_remedy=payload.wanted_remedy.value if payload.wanted_remedy else None,
        requested_fen=payload.requested_fen,
        goods=payload.goods.model_dump() if payload.goods else None,
        buyer_confirmed_no_return_at_purchase=payload.buyer_confirmed_no_return_at_purchase,
        platform_case_id=payload.platform_case_id,
        exchange_sku_id=sku_id_of(request.shop, payload.exchange_sku),
    )
    return Status(201 if created else 200, detail(request, case.pk))


@router.post("/{int:case_id}/approve", response=CaseDetailOut)
def approve(request, case_id: int, payload: ApproveIn | None = None):
    require_role(request, *STAFF)
    services.approve_case(request.shop, case_id, by(request), note=payload.note if payload else "",
                          return_address_id=payload.return_address_id if payload else None)
    return detail(request, case_id)


@router.post("/{int:case_id}/reason", response=CaseDetailOut)
def correct_reason(request, case_id: int, payload: ReasonCorrectionIn):
    """Say what the buyer's words really mean (kept as the shop's training data)."""
    require_role(request, *STAFF)
    services.correct_reason(request.shop, case_id, by(request), reason=payload.reason)
    return detail(request, case_id)


@router.post("/{int:case_id}/reject", response=CaseDetailOut)
def reject(request, case_id: int, payload: RejectIn):
    require_role(request, *STAFF)
    services.reject_case(
        request.shop, case_id, by(request), reason_code=payload.reason_code, note=payload.note,
        as_owner=request.api_role == "owner",
    )
    return detail(request, case_id)


@router.post("/{int:case_id}/request-evidence", response=CaseDetailOut)
def request_evidence(request, case_id: int, payload: NoteIn):
    require_role(request, *STAFF)
    services.request_evidence(request.shop, case_id, by(request), note=payload.note)
    return detail(request, case_id)


@router.post("/{int:case_id}/return-shipment", response=CaseDetailOut)
def return_shipment(request, case_id: int, payload: ShipmentIn):
    require_role(request, *STAFF)
    services.record_return_shipment(
        request.shop, case_id, by(request), carrier=payload.carrier, tracking_no=payload.tracking_no
    )
    return detail(request, case_id)


@router.post("/{int:case_id}/ship-replacement", response=CaseDetailOut)
def ship_replacement(request, case_id: int, payload: ShipmentIn):
    require_role(request, *WAREHOUSE)
    services.ship_replacement(
        request.shop, case_id, by(request), carrier=payload.carrier, tracking_no=payload.tracking_no
    )
    return detail(request, case_id)


@router.post("/{int:case_id}/confirm-receipt", response=CaseDetailOut)
def confirm_receipt(request, case_id: int):
    """The platform (or the buyer, through the merchant) confirms the replacement arrived."""
    require_role(request, *STAFF)
    services.confirm_receipt(request.shop, case_id, services.By(Actor.PLATFORM))
    return detail(request, case_id)


@router.post("/{int:case_id}/withdraw", response=CaseDetailOut)
def withdraw(request, case_id: int, payload: NoteIn | None = None):
    """Record that the buyer withdrew the request (e.g. told the agent in chat)."""
    require_role(request, *STAFF)
    services.withdraw_case(
        request.shop, case_id, services.By(Actor.BUYER), note=payload.note if payload else ""
    )
    return detail(request, case_id)


@router.post("/{int:case_id}/escalate", response=CaseDetailOut)
def escalate(request, case_id: int, payload: NoteIn | None = None):
    require_role(request, *STAFF)
    services.escalate_case(request.shop, case_id, by(request), note=payload.note if payload else "")
    return detail(request, case_id)


@router.post("/{int:case_id}/ruling", response=CaseDetailOut)
def ruling(request, case_id: int, payload: RulingIn):
    """Record the platform's ruling in arbitration (平台介入结果)."""
    require_role(request, *STAFF)
    services.record_ruling(request.shop, case_id, for_buyer=payload.for_buyer, note=payload.note)
    return detail(request, case_id)


@router.post("/{int:case_id}/close", response=CaseDetailOut)
def close(request, case_id: int, payload: CloseIn):
    require_role(request, *STAFF)
    services.close_case(
        request.shop, case_id, by(request), reason_code=payload.reason_code, note=payload.note
    )
    return detail(request, case_id)


@router.post("/{int:case_id}/notes", response=CaseDetailOut)
def add_note(request, case_id: int, payload: NoteIn):
    require_role(request, *WAREHOUSE)
    services.add_note(request.shop, case_id, by(request), note=payload.note)
    return detail(request, case_id)


@router.post("/{int:case_id}/evidence", response={201: dict})
def upload_evidence(request, case_id: int, file: File[UploadedFile]):
    require_role(request, *WAREHOUSE)
    detail(request, case_id)
    if file.size and file.size > 20 * 1024 * 1024:
        raise DomainError("evidence.too_large", limit_mb=20)
    evidence = add_evidence(request.shop, case_id, by(request), data=file.read())
    return Status(
        201,
        {
            "id": evidence.pk,
            "sha256": evidence.sha256,
            "content_type": evidence.content_type,
            "size": evidence.size,
            "width": evidence.width,
            "height": evidence.height,
        },
    )
