"""What a case records of the buyer's own words when it opens: the suggested reason, the urgency, the
product-cause tags and the deciding words — read by `intelligence.reasons`, the one home of those rules."""

from __future__ import annotations

from aftersales.intelligence.reasons.classify import classify_one

#: The fields of `Case` that `read_words` fills.
WORD_FIELDS = ("suggested_reason", "suggested_confidence", "suggested_by", "urgency", "buyer_tags",
               "reason_evidence")


def read_words(text: str) -> dict:
    """The `Case` fields for a buyer's words; words that say nothing leave the suggestion blank."""
    if not (text or "").strip():
        return {"suggested_reason": "", "suggested_confidence": 0.0, "suggested_by": "", "urgency": 0,
                "buyer_tags": [], "reason_evidence": []}
    found = classify_one(text)
    return {"suggested_reason": found.reason, "suggested_confidence": found.confidence,
            "suggested_by": "model", "urgency": found.urgency, "buyer_tags": found.tags,
            "reason_evidence": found.evidence}
