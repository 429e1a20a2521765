"""Reads for the receiving desk: what a scanned tracking number means, what waits for inspection."""

from __future__ import annotations

from django.db.models import QuerySet

from aftersales.accounts.models import Shop
from aftersales.cases.domain.states import Status
from aftersales.cases.models import Case
from aftersales.core.tracking import normalise_tracking
from aftersales.warehouse.models import ReturnParcel
from aftersales.warehouse.services import find_case_by_tracking, unmatched_parcel


def registered_unmatched(shop: Shop, tracking_no: str) -> ReturnParcel | None:
    """The parcel with no information already on the desk under this tracking number: scanning it again
    must not register it twice."""
    return unmatched_parcel(shop, tracking_no)


def scan(shop: Shop, tracking_no: str) -> tuple[Case | None, Case | None]:
    """(case waiting for this parcel, case that already received it and waits for inspection)."""
    tracking_no = normalise_tracking(tracking_no)
    if not tracking_no:
        return None, None
    waiting = find_case_by_tracking(shop, tracking_no)
    received = None
    if waiting is None:
        received = (Case.objects.filter(shop=shop, return_tracking_no=tracking_no,
                                        status=Status.RETURN_RECEIVED.value).order_by("-created_at").first())
    return waiting, received


def awaiting_inspection(shop: Shop, limit: int = 50) -> QuerySet[Case]:
    return (Case.objects.filter(shop=shop, status=Status.RETURN_RECEIVED.value)
            .select_related("buyer", "order").order_by("updated_at")[:limit])


def unmatched_parcels(shop: Shop, limit: int = 50) -> QuerySet[ReturnParcel]:
    return ReturnParcel.objects.filter(shop=shop, case__isnull=True).order_by("-received_at")[:limit]


def recent_parcels(shop: Shop, limit: int = 20) -> QuerySet[ReturnParcel]:
    return (ReturnParcel.objects.filter(shop=shop, case__isnull=False).select_related("case")
            .order_by("-received_at")[:limit])


def case_by_number(shop: Shop, number: str) -> Case | None:
    number = number.strip().upper()
    if not number:
        return None
    return Case.objects.filter(shop=shop, number=number).first()


def inspection_case(shop: Shop, case_id: int) -> Case | None:
    return (Case.objects.select_related("order", "buyer")
            .prefetch_related("lines__order_line__product__category", "evidence").filter(shop=shop, pk=case_id).first())
