"""Imports whose process died: found by their lease, then resumed or failed, their upload removed.

A running import holds its run with a lease (`ImportRun.lease_until`) that it pushes on as it writes
rows. When the worker (or the web process of a small import) is killed, the lease runs out and the run
would stay "running" forever. `reap_stale_imports` — run by the worker every minute and whenever the
imports page is opened — finds such runs and:

- resumes one the worker was importing from its stored upload, once (`MAX_ATTEMPTS`): importing is
  idempotent by the platforms' own order and case ids (the same file again creates and doubles
  nothing; the rows written before the interruption count as unchanged the second time);
- fails any other with `import.interrupted` ("导入进程中断"), which the page shows, and deletes its upload.

A process that finds its lease taken over (it was only slow, not dead) stops writing at its next
heartbeat (`LeaseLost`), so two processes never import one run at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from aftersales.core import clock
from aftersales.platforms.models import ImportRun

logger = logging.getLogger("aftersales.imports")

#: How long a running import may go without a sign of life before it is taken for dead. Its heartbeat
#: comes at least every few seconds while rows are read and written.
LEASE = timedelta(minutes=int(getattr(settings, "AFTERSALES_IMPORT_LEASE_MINUTES", 5)))
#: Starts of one run in all: the first, and one resume after an interruption (a file that kills its
#: worker every time is not tried for ever).
MAX_ATTEMPTS = 2

INTERRUPTED = "import.interrupted"
INTERRUPTED_ZH = ("导入进程中断：超过 {minutes} 分钟没有进展（服务器或后台任务进程停止）。已写入的行都已保留，"
                  "请重新上传文件：已导入的订单和售后单不会重复。")
INTERRUPTED_EN = ("The import process stopped: no progress for over {minutes} minutes (the server or the worker "
                  "stopped). The rows written so far are kept; upload the file again — orders and cases already "
                  "imported are not doubled.")


class LeaseLost(Exception):
    """The run was taken for dead and resumed or failed meanwhile: this process must stop writing."""


def take(run: ImportRun, now: datetime) -> None:
    """A process starts on `run` (the caller saves it): one more attempt, a fresh lease."""
    run.attempts += 1
    run.lease_until = now + LEASE


def renew(run: ImportRun, now: datetime | None = None, **counts: int) -> None:
    """The heartbeat: push the lease on (and write `counts` with it); LeaseLost if the run is no longer
    this process's."""
    now = now or clock.now()
    held = ImportRun.objects.filter(pk=run.pk, status=ImportRun.RUNNING, attempts=run.attempts)
    if not held.update(lease_until=now + LEASE, **counts):
        raise LeaseLost(run.pk)
    run.lease_until = now + LEASE


def discard_upload(run: ImportRun) -> None:
    """Delete the run's stored upload, if it has one; the run no longer points at it."""
    if run.upload:
        try:
            default_storage.delete(run.upload)
        except OSError:  # already gone, or the storage refuses: the run must not keep pointing at it
            logger.warning("could not delete the upload %s of import %s", run.upload, run.pk, exc_info=True)
        ImportRun.objects.filter(pk=run.pk).update(upload="")
        run.upload = ""


@dataclass
class Reaped:
    resumed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.resumed)} interrupted imports resumed, {len(self.failed)} failed"


def reap_stale_imports(*, shop_id: int | None = None, now: datetime | None = None) -> Reaped:
    """Resume or fail every running import whose lease has run out (of one shop, or of all)."""
    now = now or clock.now()
    stale = ImportRun.objects.filter(status=ImportRun.RUNNING).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, started_at__lt=now - LEASE))
    if shop_id is not None:
        stale = stale.filter(shop_id=shop_id)
    reaped = Reaped()
    for run_id in list(stale.values_list("pk", flat=True)[:100]):
        outcome = _reap_one(run_id, now)
        if outcome == "resumed":
            reaped.resumed.append(run_id)
        elif outcome == "failed":
            reaped.failed.append(run_id)
    if reaped.resumed or reaped.failed:
        logger.warning("imports: %s", reaped.summary())
    return reaped


def _reap_one(run_id: int, now: datetime) -> str | None:
    with transaction.atomic():
        # Looked at again under the row lock: a process that renewed meanwhile keeps its run.
        run = (ImportRun.objects.select_for_update(skip_locked=True).filter(pk=run_id, status=ImportRun.RUNNING)
               .filter(Q(lease_until__lt=now) | Q(lease_until__isnull=True, started_at__lt=now - LEASE)).first())
        if run is None:
            return None
        run.interrupted_at = now
        if _resumable(run):
            run.status, run.lease_until = ImportRun.QUEUED, None
            run.save(update_fields=["status", "lease_until", "interrupted_at"])
            transaction.on_commit(lambda: _queue(run.pk))
            return "resumed"
        minutes = int(LEASE.total_seconds() // 60)
        run.status, run.finished_at, run.lease_until = ImportRun.FAILED, now, None
        run.error_code = INTERRUPTED
        run.error_zh, run.error_en = INTERRUPTED_ZH.format(minutes=minutes), INTERRUPTED_EN.format(minutes=minutes)
        run.save(update_fields=["status", "finished_at", "lease_until", "interrupted_at", "error_code", "error_zh",
                                "error_en"])
        upload = run.upload
    if upload:
        discard_upload(run)
    return "failed"


def _resumable(run: ImportRun) -> bool:
    """The worker's import of a stored upload that is still there, not yet tried again."""
    if not run.upload or run.attempts >= MAX_ATTEMPTS:
        return False
    try:
        return default_storage.exists(run.upload)
    except OSError:
        return False


def _queue(run_id: int) -> None:
    from aftersales.platforms.tasks import run_import  # the task module imports the services

    run_import(run_id)
