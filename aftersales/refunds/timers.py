"""What the platform does by itself when its deadline passes, on the money side (the deadline sweeper,
`cases.timers`, calls it by its path after moving a case into `refunding`)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case
from aftersales.cases.services import SYSTEM
from aftersales.core.errors import DomainError
from aftersales.refunds.services import grant_refund

logger = logging.getLogger(__name__)


def grant_platform_refund(shop: Shop, case: Case, *, now: datetime, note: str) -> None:
    """The platform pays out by itself: record the grant so that the money owed shows on the case.
    Nothing left to grant (a zero-amount request, say) leaves the move as it is."""
    reason = "inspection_passed" if case.kind == "return_refund" else "approved_request"
    try:
        with transaction.atomic():
            grant_refund(shop, case.pk, SYSTEM, reason_code=reason, note=note, now=now)
    except DomainError as exc:
        logger.info("no refund granted by timer on case %s: %s", case.pk, exc.code)
