"""One row per import of a platform export file: what was read, what it changed, what was refused."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from aftersales.accounts.models import Shop


class ImportRun(models.Model):
    """An import of one file (订单导出 or 售后导出) into one shop.

    `report` holds the rows that were refused or warned about, each as
    {row, column, value, code, level, message_zh, message_en}; the merchant downloads it as CSV/XLSX.
    """

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(s, s) for s in (QUEUED, RUNNING, DONE, FAILED)]
    KINDS = [("orders", "orders"), ("cases", "cases")]

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="import_runs")
    platform = models.CharField(max_length=16)
    kind = models.CharField(max_length=8, choices=KINDS)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(default=0)
    # How the reader understood the file: "csv" / "xlsx", the text encoding, the sheet, the header row.
    format = models.CharField(max_length=8, blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    sheet = models.CharField(max_length=64, blank=True)
    header_row = models.PositiveIntegerField(default=0)
    # Where a queued file waits for the worker (a path in the default storage); emptied when done.
    upload = models.CharField(max_length=255, blank=True)

    status = models.CharField(max_length=8, choices=STATUSES, default=QUEUED)
    error_code = models.CharField(max_length=64, blank=True)
    error_zh = models.TextField(blank=True)
    error_en = models.TextField(blank=True)

    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    # Rows written by kind of object: {"orders": {"created": n, "updated": n}, "lines": …, "buyers": …}.
    details = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=list, blank=True)
    # Report entries beyond the stored limit (counted, not kept).
    report_dropped = models.PositiveIntegerField(default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: A running import holds the run until then and pushes it on as it writes rows (its heartbeat); a
    #: run still "running" after its lease has run out lost its process (`platforms.import_leases`).
    lease_until = models.DateTimeField(null=True, blank=True)
    #: How many times a process started on it (a run resumed after an interruption is started again).
    attempts = models.PositiveSmallIntegerField(default=0)
    #: When the run was found with its process gone (then resumed, or failed with `import.interrupted`).
    interrupted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["shop", "queued_at"]), models.Index(fields=["status", "lease_until"])]

    def __str__(self) -> str:
        return f"import#{self.pk} {self.platform}/{self.kind} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)

    @property
    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or self.started_at
        return (end - self.started_at).total_seconds()


# The open-API connections live in their own module; imported here so that Django registers them.
from aftersales.platforms.sync.models import (  # noqa: E402, F401
    PlatformCommand,
    PushedCase,
    StoreConnection,
    SyncedCase,
)
