"""Reads of the catalogue."""

from __future__ import annotations

from collections.abc import Iterable

from aftersales.catalog.models import Sku
from aftersales.core.errors import DomainError


def exchange_skus(shop, product_ids: Iterable[int | None]) -> list[Sku]:
    """The SKUs an exchange may ask for: those of these products with units in stock, by product then
    code (a SKU without a stock figure is not offered: nobody could say it will ship)."""
    ids = {pk for pk in product_ids if pk is not None}
    return list(Sku.objects.filter(shop=shop, product_id__in=ids, stock__gt=0)
                .select_related("product").order_by("product_id", "code"))


def sku_id_of(shop, code: str | None) -> int | None:
    """The id of the shop's SKU with this code (as platforms and exports name SKUs); None for none."""
    if not code:
        return None
    found = Sku.objects.filter(shop=shop, code=code).values_list("pk", flat=True).first()
    if found is None:
        raise DomainError("input.invalid_choice", field="exchange_sku", value=code)
    return found
