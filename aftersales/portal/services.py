"""The buyer's request from the portal: the case and its photos, all or nothing."""

from __future__ import annotations

from django.db import transaction

from aftersales.cases.domain.states import Actor
from aftersales.cases.evidence import add_evidence, inspect_image
from aftersales.cases.models import Case
from aftersales.cases.services import By, open_case
from aftersales.core.choices import MERCHANT_FAULT_REASONS
from aftersales.core.errors import DomainError
from aftersales.orders.models import Order

BUYER = By(Actor.BUYER)


def submit_request(order: Order, *, lines: list[tuple[int, int]], kind: str, reason: str, note: str,
                   photos: list[bytes], email: str = "", exchange_sku_id: int | None = None) -> Case:
    """Open the buyer's case on their order with the photos as evidence. Every photo is checked before
    anything is written; if one is refused, or the policy refuses the request, nothing is kept.

    An e-mail address given with the request is kept on the buyer first, so that the message about this
    very request can already go to it (when the shop sends e-mail)."""
    if reason in MERCHANT_FAULT_REASONS and not photos:
        raise DomainError("portal.photo_required")
    for data in photos:
        inspect_image(data)
    with transaction.atomic():
        if email and email != order.buyer.email:
            order.buyer.email = email
            order.buyer.save(update_fields=["email"])
        case = open_case(order.shop, order_id=order.pk, lines=lines, kind=kind, reason=reason, by=BUYER,
                         buyer_note=note, exchange_sku_id=exchange_sku_id)
        for data in photos:
            add_evidence(order.shop, case.pk, BUYER, data=data)
    return case


def add_photos_to_case(order: Order, case_id: int, *, photos: list[bytes]) -> None:
    """More photos from the buyer (e.g. when the shop asked for evidence): all of them or none."""
    for data in photos:
        inspect_image(data)
    with transaction.atomic():
        for data in photos:
            add_evidence(order.shop, case_id, BUYER, data=data)
