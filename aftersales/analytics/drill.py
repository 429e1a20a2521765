"""The cases behind a figure: the same filters a figure was computed with, applied to the cases."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from aftersales.analytics.causes import COUNTED, aware_range
from aftersales.analytics.domain.regions import normalise_province
from aftersales.analytics.selectors import check_basis, check_period
from aftersales.cases.models import Case
from aftersales.core.errors import DomainError

WHAT = ("returns", "refunds", "costs", "all")
FILTER_NAMES = ("sku", "product", "category", "province", "platform", "channel", "content", "reason")


def cases_behind(
    shop_id: int,
    first: date,
    last: date,
    *,
    basis: str = "order",
    what: str = "returns",
    filters: dict | None = None,
) -> QuerySet[Case]:
    """Cases of the shop that a figure over [first, last] counted, newest first.

    `what`: "returns" — the cases whose units are returns; "refunds" — cases with a refund granted;
    "costs" — cases that cost money (refund, write-off, compensation, a return parcel); "all".
    """
    check_period(first, last)
    check_basis(basis)
    if what not in WHAT:
        raise DomainError("input.invalid_choice", field="what", value=str(what))
    start, end = aware_range(first, last)
    qs = Case.objects.filter(shop_id=shop_id)
    if basis == "order":
        qs = qs.filter(order__paid_at__gte=start, order__paid_at__lt=end)
    else:
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    if what == "returns":
        qs = qs.filter(COUNTED)
    elif what == "refunds":
        qs = qs.filter(refund_granted_fen__gt=0)
    elif what == "costs":
        qs = qs.filter(
            Q(refund_granted_fen__gt=0)
            | Q(inspections__write_off_fen__gt=0)
            | Q(compensations__isnull=False)
            | Q(parcels__isnull=False)
        )
    qs = qs.filter(_line_filters(filters or {}, gifts=what != "returns"))
    for name, lookup in (
        ("platform", "order__platform"),
        ("channel", "order__channel"),
        ("content", "order__content_id"),
        ("reason", "reason"),
    ):
        value = (filters or {}).get(name)
        if value not in (None, ""):
            qs = qs.filter(**{lookup: value})
    province = (filters or {}).get("province")
    if province not in (None, ""):
        short = normalise_province(province)
        qs = qs.filter(order__province__startswith=short) if short else qs.filter(order__province="")
    return qs.distinct().order_by("-created_at", "-pk")


def _line_filters(filters: dict, *, gifts: bool) -> Q:
    q = Q()
    lines = {}
    if filters.get("sku") not in (None, ""):
        lines["lines__order_line__sku_id"] = int(filters["sku"])
    if filters.get("category") not in (None, ""):
        category = int(filters["category"])
        q &= Q(lines__order_line__product__category_id=category) | Q(
            lines__order_line__product__isnull=True, lines__order_line__sku__product__category_id=category
        )
    if filters.get("product") not in (None, ""):
        product = int(filters["product"])
        q &= Q(lines__order_line__product_id=product) | Q(
            lines__order_line__product__isnull=True, lines__order_line__sku__product_id=product
        )
    if (lines or q) and not gifts:
        lines["lines__order_line__is_gift"] = False
    return q & Q(**lines)
