from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

#: Most texts one call may classify (the API's list limit).
MAX_TEXTS = 500
#: Longest text accepted; the classifier reads the first `classify.MAX_CHARS` of it.
MAX_TEXT_CHARS = 10_000


class ClassifyIn(Schema):
    texts: list[Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]] = Field(max_length=MAX_TEXTS)


class SuggestionOut(Schema):
    reason: str
    urgency: int
    confidence: float
    tags: list[str]
    evidence: list[str]


class ClassifyOut(Schema):
    items: list[SuggestionOut]
    count: int


class CorrectionOut(Schema):
    """One labelled example of the shop: the buyer's words and what staff said they mean."""

    case_id: int
    text: str
    picked_reason: str
    suggested_reason: str
    corrected_reason: str
    created_at: datetime
