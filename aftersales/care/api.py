"""Compensation API (mounted under /cases): give a goodwill compensation on a case, guarded by the
ladder and the owner's limits exactly as on the case page (care.services.grant_compensation)."""

from __future__ import annotations

from typing import Literal

from ninja import Router, Schema
from pydantic import Field, StrictInt

from aftersales.api_auth import MONEY, require_role
from aftersales.care import services as care
from aftersales.care.models import Compensation
from aftersales.cases.selectors import case_detail
from aftersales.cases.services import acting_for_token
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
