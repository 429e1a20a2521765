"""Compensation API: give a goodwill compensation on a case (mounted under /cases), guarded by the ladder
and the owner's limits exactly as on the case page (care.services.grant_compensation); and the owners'
list of compensations waiting for approval (/compensation-approvals), approved or declined."""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field, StrictInt

from aftersales.api_auth import MONEY, require_role
from aftersales.api_paging import Page
from aftersales.care import services as care
from aftersales.care.models import Compensation, CompensationApproval
from aftersales.cases.selectors import case_detail
from aftersales.cases.services import acting_for_token
from aftersales.core.errors import NotFoundError
from aftersales.core.money import MAX_FEN

case_router = Router(tags=["cases"])


class CompensationIn(Schema):
    rung: str = Field(min_length=1, max_length=24)
    cost_fen: StrictInt = Field(gt=0, le=MAX_FEN)
    note: str = Field("", max_length=200)
    reason: str = Field("", max_length=200)


class CompensationOut(Schema):
    outcome: Literal["given", "pending_approval"]
    id: int  # the compensation given, or the approval waiting for an owner
    rung: str
    cost_fen: int
    reason: str
    why: list[str]


@case_router.post("/{int:case_id}/compensation", response=CompensationOut)
def give_compensation(request, case_id: int, payload: CompensationIn):
    """Above the agent's limit (an agent token) the compensation is not given: it waits for an owner's
    approval (`outcome: pending_approval`). A skipped rung or a grant over a limit needs `reason`."""
    require_role(request, *MONEY)
    case_detail(request.shop, case_id)  # 404 before anything else for a case of another shop
    result = care.grant_compensation(request.shop, case_id, acting_for_token(request.api_role), rung=payload.rung,
                                     cost_fen=payload.cost_fen, note=payload.note, reason=payload.reason,
                                     as_owner=request.api_role == "owner")
    given = isinstance(result, Compensation)
    why = [] if given else list(result.why)
    return {"outcome": "given" if given else "pending_approval", "id": result.pk, "rung": result.rung,
            "cost_fen": result.cost_fen, "reason": result.reason, "why": why}


# ---------------------------------------------------------------------------------------------
# The owners' list of compensations waiting for approval (as /console/approvals/)

router = Router(tags=["compensation"])


class ApprovalOut(Schema):
    id: int
    case_id: int
    case_number: str
    rung: str
    cost_fen: int
    reason: str
    note: str
    why: list[str]
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str
    decided_at: datetime | None
    decision_note: str
    compensation_id: int | None

    @staticmethod
    def resolve_case_number(obj: CompensationApproval) -> str:
        return obj.case.number

    @staticmethod
    def resolve_requested_by(obj: CompensationApproval) -> str:
        return obj.requested_by.get_username() if obj.requested_by else ""

    @staticmethod
    def resolve_decided_by(obj: CompensationApproval) -> str:
        return obj.decided_by.get_username() if obj.decided_by else ""


class DeclineIn(Schema):
    note: str = Field("", max_length=200)


def _approvals(request):
    return CompensationApproval.objects.filter(shop=request.shop).select_related("case", "requested_by",
                                                                                  "decided_by")


def _one(request, approval_id: int) -> CompensationApproval:
    found = _approvals(request).filter(pk=approval_id).first()
    if found is None:
        raise NotFoundError("care.approval_not_found", approval_id=approval_id)
    return found


@router.get("", response=list[ApprovalOut])
@paginate(Page)
def list_approvals(request, status: Literal["pending", "approved", "declined"] | None = None):
    """Compensations asked above an agent's limit, the oldest first (`status=pending`: what waits)."""
    require_role(request, "owner")
    found = _approvals(request)
    if status:
        found = found.filter(status=status)
    return found.order_by("requested_at", "pk")


@router.post("/{int:approval_id}/approve", response=ApprovalOut)
def approve(request, approval_id: int):
    """Give the compensation as asked (an owner token only); the budget and the owner's cap still apply."""
    require_role(request, "owner")
    care.approve_compensation(request.shop, approval_id, acting_for_token(request.api_role))
    return _one(request, approval_id)


@router.post("/{int:approval_id}/decline", response=ApprovalOut)
def decline(request, approval_id: int, payload: DeclineIn):
    """Give nothing; the agent who asked is told (an owner token only)."""
    require_role(request, "owner")
    care.decline_compensation(request.shop, approval_id, acting_for_token(request.api_role), note=payload.note)
    return _one(request, approval_id)
