"""The worker's part of the live sync (`aftersales worker`): every minute, pull the stores that are
due, fetch the cases push messages named, send the merchant's actions, warn about stalled stores.

Nothing is kept in memory: the store rows say what is due and who holds them (a lease), so several
consumers or a restarted one carry on where the database says.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from aftersales.platforms.sync.health import warn_stalled
from aftersales.platforms.sync.pull import consume_tmc, fetch_pushed, pull_due
from aftersales.platforms.sync.push import deliver_commands

logger = logging.getLogger("aftersales.worker")


@db_periodic_task(crontab(minute="*"), name="aftersales.platform_sync")
def platform_sync() -> str:
    return run_cycle()


def run_cycle() -> str:
    """One worker cycle: pushed cases first (they are what someone is waiting for), then the outbox,
    then the periodic pulls, then the stall warnings."""
    consume_tmc()
    fetched = fetch_pushed()
    delivered = deliver_commands()
    pulls = pull_due()
    warned = warn_stalled()
    text = (f"{fetched} pushed cases fetched; commands: {delivered.summary()}; "
            + "; ".join(r.summary() for r in pulls) + f"; {warned} stall warnings")
    if fetched or delivered.attempted or pulls or warned:
        logger.info("platform sync: %s", text)
    return text


@db_task(name="aftersales.platform_commands")
def send_platform_commands() -> str:
    return deliver_commands().summary()


@db_task(name="aftersales.platform_pushed")
def fetch_pushed_now() -> int:
    return fetch_pushed()
