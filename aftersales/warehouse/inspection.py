"""An inspection with its photos, all or nothing: the photos are checked before anything is written."""

from __future__ import annotations

from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.cases.evidence import add_evidence, inspect_image
from aftersales.cases.services import By
from aftersales.warehouse.models import Inspection
from aftersales.warehouse.services import inspect_return


def inspect_with_photos(shop: Shop, case_id: int, by: By, *, photos: list[bytes], **result) -> Inspection:
    """`warehouse.services.inspect_return` plus each photo kept as evidence of the inspection."""
    for data in photos:
        inspect_image(data)  # refuse a bad photo before the case moves
    with transaction.atomic():
        inspection = inspect_return(shop, case_id, by, **result)
        for data in photos:
            add_evidence(shop, case_id, by, data=data, inspection=inspection)
    return inspection
