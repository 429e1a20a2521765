"""The worker applies the owners' auto-approve rules every minute (see services.apply_rules)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from aftersales.autoapprove.services import apply_rules

logger = logging.getLogger("aftersales.worker")


@db_periodic_task(crontab(minute="*"), name="aftersales.auto_approve")
def auto_approve() -> str:
    report = apply_rules()
    if report.applied or report.errors:
        logger.info("auto-approve: %s", report.summary())
    return report.summary()
