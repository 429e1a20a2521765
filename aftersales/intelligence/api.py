"""Buyer words over the API.

`POST /api/v1/reasons/classify`: the suggested reason, urgency, tags and deciding words of buyer
texts. Writes nothing; any role of the shop may call it. More than 500 texts, or a text over 10,000
characters, is a 422 (`input.invalid`, naming `texts`).

`GET /api/v1/reasons/corrections`: the shop's corrections (owners and agents), its own labelled
examples to train on.
"""

from ninja import Router
from ninja.pagination import paginate

from aftersales.api_auth import require_role
from aftersales.core.pagination import Page
from aftersales.intelligence.reasons.classify import classify
from aftersales.intelligence.schemas import ClassifyIn, ClassifyOut, CorrectionOut
from aftersales.intelligence.selectors import reason_corrections

router = Router(tags=["reasons"])


@router.post("/classify", response=ClassifyOut)
def classify_texts(request, payload: ClassifyIn):
    items = [s.to_dict() for s in classify(payload.texts)]
    return {"items": items, "count": len(items)}


@router.get("/corrections", response=list[CorrectionOut])
@paginate(Page)
def corrections(request):
    require_role(request, "owner", "agent")
    return reason_corrections(request.shop)
