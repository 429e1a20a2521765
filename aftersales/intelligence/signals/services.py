"""The owner's word on a buyer: trusted, watched, or neither again."""

from __future__ import annotations

from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.cases.services import By
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFoundError
from aftersales.intelligence.signals.models import BuyerStanding
from aftersales.orders.models import Buyer

STANDINGS = ("trusted", "watched", "")


@transaction.atomic
def set_standing(shop: Shop, buyer_id: int, by: By, *, standing: str, note: str = "") -> BuyerStanding | None:
    """Mark a buyer of the shop trusted or watched; an empty standing clears the mark."""
    if standing not in STANDINGS:
        raise DomainError("input.invalid_choice", field="standing", value=str(standing))
    note = note.strip()
    if len(note) > 200:
        raise DomainError("input.too_long", field="note", limit=200)
    buyer = Buyer.objects.select_for_update().filter(shop=shop, pk=buyer_id).first()
    if buyer is None:
        raise NotFoundError("buyer.not_found", buyer_id=buyer_id)
    if not standing:
        BuyerStanding.objects.filter(shop=shop, buyer=buyer).delete()
        return None
    user = by.user if getattr(by.user, "is_authenticated", False) else None
    row, _created = BuyerStanding.objects.update_or_create(
        shop=shop, buyer=buyer,
        defaults={"standing": standing, "note": note, "set_by": user, "updated_at": clock.now()},
    )
    return row
