"""Whether the buyer's words read as another reason than the one they picked — one rule for the case's
signal, the inbox's and the API's filter and the analytics' count.

A reading counts against the picked reason only when the model is sure enough (a staff correction is
sure: confidence 1.0). A complaint about the shop's service names no reason for the goods, so it never
counts against one.
"""

from __future__ import annotations

#: How sure a reading of the words must be before it counts against the picked reason.
MIN_CONFIDENCE = 0.6
#: What the words may read as besides the case reasons: the shop's service, which is no goods reason.
SERVICE = "service"


def reads_otherwise(picked: str, suggested: str | None, confidence: float) -> bool:
    """True when the words say something else than the picked reason, surely enough to say so."""
    return bool(suggested) and suggested not in (SERVICE, picked) and confidence >= MIN_CONFIDENCE
