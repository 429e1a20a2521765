"""Periodic work for the huey consumer (`aftersales worker`): every minute, sweep the deadlines, queue
the daily follow-ups, and deliver the outbox.

Nothing here keeps state in memory: the database says what is due, so several consumers (on Redis)
or a restarted one simply carry on.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from aftersales.cases.timers import sweep
from aftersales.notifications.delivery import deliver_due
from aftersales.notifications.outbox import enqueue_follow_ups

logger = logging.getLogger("aftersales.worker")


@db_periodic_task(crontab(minute="*"), name="aftersales.sweep_deadlines")
def sweep_deadlines() -> str:
    report = sweep()
    if report.handled or report.errors:
        logger.info("deadlines: %s", report.summary())
    return report.summary()


@db_periodic_task(crontab(minute="*"), name="aftersales.deliver_outbox")
def deliver_outbox() -> str:
    queued = enqueue_follow_ups()
    report = deliver_due()
    if queued or report.attempted:
        logger.info("outbox: %d follow-ups queued; %s", queued, report.summary())
    return report.summary()
