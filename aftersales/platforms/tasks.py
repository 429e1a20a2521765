"""The worker's part of imports: big files are imported by the huey consumer, not the web request."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from aftersales.platforms.import_leases import reap_stale_imports
from aftersales.platforms.services import import_queued


@db_task(name="aftersales.import_file")
def run_import(run_id: int) -> str:
    run = import_queued(run_id)
    if run is None:
        return f"import {run_id}: nothing to do"
    return f"import {run_id}: {run.status}"


@db_periodic_task(crontab(minute="*"), name="aftersales.reap_stale_imports")
def reap_imports() -> str:
    """Imports whose process died (their lease ran out): resumed from their upload, or failed."""
    return reap_stale_imports().summary()


# The live sync's periodic and queued tasks (huey finds tasks in each app's `tasks` module).
from aftersales.platforms.sync.tasks import fetch_pushed_now, platform_sync, send_platform_commands  # noqa: E402, F401
