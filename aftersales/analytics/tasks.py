"""Periodic work of analytics for the huey consumer: evaluate the return-rate alerts every hour.

The rollups themselves need no task: they change in the same transaction as the orders and cases.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from aftersales.accounts.models import Shop
from aftersales.analytics.services import evaluate_alerts

logger = logging.getLogger("aftersales.worker")


@db_periodic_task(crontab(minute="7"), name="aftersales.evaluate_alerts")
def evaluate_all_alerts() -> str:
    opened = 0
    for shop in Shop.objects.order_by("pk"):
        try:
            opened += evaluate_alerts(shop).opened
        except Exception:  # one shop's trouble must not stop the others
            logger.exception("alerts of shop %s", shop.pk)
    if opened:
        logger.info("analytics: %d new alerts", opened)
    return f"{opened} new alerts"
