"""An inspection with its photos, all or nothing: the photos are checked before anything is written."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.cases.evidence import add_evidence, inspect_image
from aftersales.cases.models import Evidence
from aftersales.cases.services import By
from aftersales.core.errors import NotFoundError
from aftersales.warehouse.models import Inspection
from aftersales.warehouse.services import inspect_return


def inspect_with_photos(shop: Shop, case_id: int, by: By, *, photos: Sequence[bytes] = (),
                        evidence_ids: Sequence[int] = (), **result) -> Inspection:
    """`warehouse.services.inspect_return` plus its photos kept as evidence of the inspection: new ones
    (`photos`), or ones already uploaded to the case and not yet part of an inspection (`evidence_ids`,
    as the API uploads them first)."""
    for data in photos:
        inspect_image(data)  # refuse a bad photo before the case moves
    with transaction.atomic():
        uploaded = list(Evidence.objects.select_for_update()
                        .filter(shop=shop, case_id=case_id, inspection__isnull=True, pk__in=set(evidence_ids)))
        if len(uploaded) != len(set(evidence_ids)):
            missing = sorted(set(evidence_ids) - {e.pk for e in uploaded})
            raise NotFoundError("evidence.not_found", evidence_id=missing[0])
        inspection = inspect_return(shop, case_id, by, photos=len(photos) + len(uploaded), **result)
        for data in photos:
            add_evidence(shop, case_id, by, data=data, inspection=inspection)
        Evidence.objects.filter(pk__in=[e.pk for e in uploaded]).update(inspection=inspection)
    return inspection
