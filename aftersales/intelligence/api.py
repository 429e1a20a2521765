"""`POST /api/v1/reasons/classify`: the suggested reason, urgency, tags and deciding words of buyer texts.

Writes nothing; any role of the shop may call it. More than 500 texts, or a text over 10,000
characters, is a 422 (`input.invalid`, naming `texts`).
"""

from ninja import Router

from aftersales.intelligence.reasons.classify import classify
from aftersales.intelligence.schemas import ClassifyIn, ClassifyOut

router = Router(tags=["reasons"])


@router.post("/classify", response=ClassifyOut)
def classify_texts(request, payload: ClassifyIn):
    items = [s.to_dict() for s in classify(payload.texts)]
    return {"items": items, "count": len(items)}
