"""Reads of the intelligence app."""

from __future__ import annotations

from aftersales.intelligence.models import ReasonCorrection


def reason_corrections(shop):
    """The shop's corrections, oldest first: its own labelled examples of what buyers' words mean."""
    return ReasonCorrection.objects.filter(shop=shop).order_by("created_at", "id")
