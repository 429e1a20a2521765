"""Writes of the intelligence app: the reason corrections staff make, kept per shop as training data."""

from __future__ import annotations

from aftersales.cases.domain.events import EventKind
from aftersales.intelligence.models import ReasonCorrection


def on_case_events(events, batch) -> None:
    """Subscriber of every case event: each reason correction keeps (the buyer's words, what they mean)
    for the case's shop, in the transaction of the correction."""
    rows = [
        ReasonCorrection(
            shop_id=event.shop_id, case=event.case, text=event.case.buyer_note,
            picked_reason=event.payload.get("picked", ""), suggested_reason=event.payload.get("before", ""),
            corrected_reason=event.payload["after"], corrected_by_id=event.actor_user_id,
            created_at=event.created_at,
        )
        for event in events
        if event.action == EventKind.CORRECT_REASON  # staff say what the words mean (cases.services.correct_reason)
    ]
    if rows:
        ReasonCorrection.objects.bulk_create(rows)
