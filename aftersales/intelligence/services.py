"""Writes of the intelligence app: the reason corrections staff make, kept per shop as training data."""

from __future__ import annotations

from datetime import datetime

from aftersales.intelligence.models import ReasonCorrection


def record_reason_correction(case, *, corrected_reason: str, previous: str, user, now: datetime) -> ReasonCorrection:
    """Keep (the buyer's words, what they mean) for the case's shop. Called by `cases.services.correct_reason`
    inside its transaction."""
    return ReasonCorrection.objects.create(
        shop_id=case.shop_id, case=case, text=case.buyer_note, picked_reason=case.reason,
        suggested_reason=previous, corrected_reason=corrected_reason,
        corrected_by=user if getattr(user, "is_authenticated", False) else None, created_at=now,
    )
