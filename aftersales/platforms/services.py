"""Importing a platform export file into a shop: `import_file` (the verb), `queue_import` (for big files).

    run = import_file(shop, "douyin", "orders", "订单.csv", data, progress=print)
    run.status, run.created, run.updated, run.unchanged, run.skipped, run.report

The file is read by `platforms.importing` (pure) and written by the order and case writers. Every
good row is kept; a bad row is reported (row, column, value, what is wrong, in Chinese and English)
and skipped. A file that cannot be read as a whole (empty, another platform's or kind's export, a
damaged workbook, an unknown encoding) fails the run with its message, and nothing is written: the
whole file is checked for damage before the first row is stored.
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import time
import zipfile
import zlib
from collections.abc import Callable
from tempfile import SpooledTemporaryFile
from typing import IO
from xml.parsers import expat

from django.core.files.storage import default_storage
from django.db import connection, transaction

from aftersales.accounts.models import Shop
from aftersales.analytics import rollups
from aftersales.core import clock
from aftersales.platforms import import_leases as leases
from aftersales.platforms.case_writer import CaseWriter
from aftersales.platforms.importing import (
    CaseRecord,
    ImportFileError,
    OrderLineRecord,
    RowError,
    RowWarning,
    load_mapping,
    open_export,
    parse_export,
    resolve_platform,
)
from aftersales.platforms.models import ImportRun
from aftersales.platforms.order_writer import BATCH_ORDERS, OrderWriter
from aftersales.platforms.report import Report, entry_of, skipped_sheet_entry
from aftersales.platforms.writing import SKIPPED, Columns, Tally, cut

logger = logging.getLogger("aftersales.imports")

KINDS = ("orders", "cases")
ROLLUP_MODES = ("auto", "incremental", "rebuild", "defer")
Progress = Callable[[int], None]
#: How often (seconds) the run's row counter is written for the progress display.
PROGRESS_EVERY = 0.5
#: Above this size the analytics are rebuilt once at the end instead of kept current batch by batch.
REBUILD_ROLLUPS_BYTES = 16 * 1024 * 1024
SPOOL_BYTES = 8 * 1024 * 1024
SQLITE_CACHE_KIB = 64 * 1024
#: While a file is checked for damage, its run's lease is pushed on every so many rows.
CHECK_BEAT_ROWS = 50_000
#: A workbook's members are checked in chunks of this size, and the lease pushed on every so many bytes.
XML_CHUNK = 1024 * 1024
CHECK_BEAT_BYTES = 64 * 1024 * 1024

Source = bytes | bytearray | memoryview | IO[bytes]


def start_run(shop: Shop, platform: str, kind: str, file_name: str, *, user=None) -> ImportRun:
    return ImportRun.objects.create(
        shop=shop, platform=cut(platform, 16), kind=cut(kind, 8), file_name=cut(file_name, 255),
        status=ImportRun.QUEUED, queued_at=clock.now(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def import_file(
    shop: Shop,
    platform: str,
    kind: str,
    file_name: str,
    data: Source,
    *,
    progress: Progress | None = None,
    run: ImportRun | None = None,
    user=None,
    rollups_mode: str = "auto",
    batch_orders: int = BATCH_ORDERS,
) -> ImportRun:
    """Import one export file (kind "orders" or "cases") into `shop`; returns the finished ImportRun.

    Never raises for a bad file: a file-level problem is the run's `error_*` with status "failed".
    `rollups_mode`: "incremental" (analytics kept current per batch), "rebuild" (once at the end),
    "auto" (rebuild for files above REBUILD_ROLLUPS_BYTES), or "defer" (not at all: the caller runs
    `aftersales rebuild-rollups` later — for loading history in bulk).
    """
    if rollups_mode not in ROLLUP_MODES:
        raise ValueError(f"rollups_mode must be one of {ROLLUP_MODES}")
    run = run or start_run(shop, platform, kind, file_name, user=user)
    if kind not in KINDS:
        _fail(run, "import.unknown_export_kind", f"不支持的导入类型「{kind}」：只能导入订单（orders）或售后单（cases）。",
              f"Unknown import kind {kind!r}: orders or cases.")
        return run
    stream = _binary(data)
    run.sha256, run.size = _digest(stream)
    run.status, run.started_at = ImportRun.RUNNING, clock.now()
    leases.take(run, run.started_at)
    run.save()
    try:
        _run(run, shop, platform, kind, file_name, stream, progress, rollups_mode, batch_orders)
    except leases.LeaseLost:
        # Taken for dead while it was only slow: the run was resumed or failed by then; write nothing more.
        logger.warning("import %s lost its lease and stopped", run.pk)
        run.refresh_from_db()
    except ImportFileError as exc:
        _fail(run, exc.code, exc.message_zh, exc.message_en)
    except Exception:
        logger.exception("import %s failed", run.pk)
        _fail(run, "import.internal_error", "导入时发生内部错误，请联系管理员。", "Internal error during the import.")
        raise
    return run


def _run(run: ImportRun, shop: Shop, platform: str, kind: str, file_name: str, stream: IO[bytes],
         progress: Progress | None, rollups_mode: str, batch_orders: int) -> None:
    recorded, _ = resolve_platform(platform)
    _roomy_sqlite_cache()
    check_whole_file(platform, kind, file_name, stream, beat=lambda: leases.renew(run))
    leases.renew(run)
    stream.seek(0)
    export = parse_export(platform, kind, file_name, stream)
    first = export.files[0]
    run.format, run.encoding = first.format, first.encoding or ""
    run.sheet = cut("、".join(parsed.sheet for parsed in export.files if parsed.sheet), 64)
    run.header_row = first.header_row
    run.save(update_fields=["format", "encoding", "sheet", "header_row"])
    mapping = load_mapping(platform, kind)
    report = Report()
    for skipped in export.skipped:
        report.add(skipped_sheet_entry(skipped))
    rebuild = kind == "orders" and (rollups_mode == "rebuild" or (
        rollups_mode == "auto" and run.size > REBUILD_ROLLUPS_BYTES))
    col = Columns(first, mapping)
    if kind == "orders":
        writer = OrderWriter(shop, recorded, report, col, batch_orders=batch_orders,
                             refresh_rollups=rollups_mode in ("incremental", "auto") and not rebuild)
    else:
        writer = CaseWriter(shop, recorded, report, col, file_name=file_name, run_id=run.pk)
    ticker = _Ticker(run, writer.tally, report, progress)
    several = len(export.files) > 1
    try:
        for parsed in export.files:
            # Sheet by sheet, each written to its end before the next is read: a 千牛 订单报表 sheet's
            # orders are stored before the item rows that replace their summary lines come.
            writer.col = Columns(parsed, mapping)
            report.sheet = parsed.sheet if several else None
            _consume(parsed, writer, report, ticker)
    except ImportFileError:
        # Damage the whole-file check could not see (say, a workbook's XML cut short): what the batches
        # before it wrote stays (each is whole), and the counts say so.
        _record(run, writer.tally, report, ticker.rows)
        raise
    report.sheet = None
    if rebuild:
        ticker.tick()
        rollups.rebuild(shop.pk)
    ticker.tick()  # the last heartbeat: a run taken over meanwhile is not marked done here
    _record(run, writer.tally, report, ticker.rows)
    run.status, run.finished_at, run.lease_until = ImportRun.DONE, clock.now(), None
    run.save()
    if progress is not None:
        progress(ticker.rows)


def check_whole_file(platform: str, kind: str, file_name: str, stream: IO[bytes],
                     beat: Callable[[], None] | None = None) -> None:
    """Find damage anywhere in the file before anything is written (ImportFileError if any).

    A workbook has every member of its zip read to its end, checked against its CRC, and every XML
    member (each sheet among them) parsed to its end: a sheet cut short or garbled fails the import
    before its first row is stored, whichever sheet it is. A CSV is decoded and split to its last row
    (fast: no cell is interpreted). The header itself is checked by the parse that follows.
    """
    head = stream.read(4)
    stream.seek(0)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if not _sound_zip(stream, beat):
            raise ImportFileError("import.corrupt_xlsx", file_name=file_name)
        stream.seek(0)
        return
    for number, _row in enumerate(open_export(platform, kind, file_name, stream).rows(), 1):
        if beat is not None and number % CHECK_BEAT_ROWS == 0:
            beat()  # a long file keeps its lease while it is checked


def _sound_zip(stream: IO[bytes], beat: Callable[[], None] | None) -> bool:
    """Every member reads whole with its CRC right, and every XML member is well-formed (expat: no
    tree is built, so a sheet of a million rows costs a fraction of reading it with openpyxl)."""
    try:
        read = 0
        with zipfile.ZipFile(stream) as archive:
            for info in archive.infolist():
                parser = expat.ParserCreate() if info.filename.endswith((".xml", ".rels")) else None
                with archive.open(info) as member:  # raises BadZipFile on a wrong CRC at its end
                    while chunk := member.read(XML_CHUNK):
                        if parser is not None:
                            parser.Parse(chunk, False)
                        read += len(chunk)
                        if beat is not None and read % CHECK_BEAT_BYTES < len(chunk):
                            beat()  # a big workbook keeps its lease while it is checked
                    if parser is not None:
                        parser.Parse(b"", True)
    # What zipfile and expat raise on a damaged member: besides their own errors, a bad header or length
    # (ValueError, EOFError), a compression method it cannot read (NotImplementedError) or an encrypted
    # member (RuntimeError). Each means the workbook cannot be read whole.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, expat.ExpatError, OSError, EOFError,
            ValueError, NotImplementedError, RuntimeError):
        return False
    return True


class _Ticker:
    """Counts rows read; now and then writes the count on the run (the page polls it) and reports."""

    def __init__(self, run: ImportRun, tally: Tally, report: Report, progress: Progress | None) -> None:
        self.run, self.tally, self.report, self.progress = run, tally, report, progress
        self.rows = 0
        self._next_at = 0.0

    def row(self) -> None:
        self.rows += 1
        if self.rows % 1000 == 0:
            moment = time.monotonic()
            if moment >= self._next_at:
                self._next_at = moment + PROGRESS_EVERY
                self.tick()

    def tick(self) -> None:
        """Write the counts and push the run's lease on (its heartbeat; LeaseLost if it was taken over)."""
        counts = self.tally.rows
        leases.renew(
            self.run, rows_read=self.rows, created=counts["created"], updated=counts["updated"],
            unchanged=counts["unchanged"], skipped=counts["skipped"], warnings=self.report.warnings,
        )
        if self.progress is not None:
            self.progress(self.rows)


def _consume(parsed, writer: OrderWriter | CaseWriter, report: Report, ticker: _Ticker) -> None:
    for item in parsed:
        if isinstance(item, OrderLineRecord | CaseRecord):
            writer.add(item)
            ticker.row()
        elif isinstance(item, RowError):
            report.add(entry_of(item))
            writer.tally.row(SKIPPED)
            ticker.row()
        elif isinstance(item, RowWarning):
            report.add(entry_of(item))
            if item.code == "import.duplicate_row":
                writer.superseded(item.row_number, item.value)
    writer.flush()


def _record(run: ImportRun, tally: Tally, report: Report, rows: int) -> None:
    counts = tally.rows
    run.rows_read = rows
    run.created, run.updated = counts["created"], counts["updated"]
    run.unchanged, run.skipped = counts["unchanged"], counts["skipped"]
    run.warnings = report.warnings
    run.details = tally.details()
    run.report, run.report_dropped = report.entries, report.dropped


def _fail(run: ImportRun, code: str, zh: str, en: str) -> None:
    run.status, run.finished_at, run.lease_until = ImportRun.FAILED, clock.now(), None
    run.error_code, run.error_zh, run.error_en = code, zh, en
    run.save()


def _roomy_sqlite_cache() -> None:
    """SQLite keeps 2 MB of pages by default: a big import's indexes outgrow that and every insert
    then reads pages back. 64 MB for this connection (a web process drops it with the connection)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def _binary(data: Source) -> IO[bytes]:
    """A seekable binary stream over the data (the file is read twice: checked, then imported)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(data))
    if hasattr(data, "seekable") and data.seekable():
        data.seek(0)
        return data
    spooled = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - lives as long as the import
    shutil.copyfileobj(data, spooled)
    spooled.seek(0)
    return spooled


def _digest(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


# ---- big files: through the worker ----------------------------------------------------------------


def queue_import(shop: Shop, platform: str, kind: str, file_name: str, upload: IO[bytes], *, user=None) -> ImportRun:
    """Keep the upload in the file storage and let a worker import it (see tasks.run_import)."""
    run = start_run(shop, platform, kind, file_name, user=user)
    suffix = file_name.rsplit(".", 1)[-1][:8] if "." in file_name else "bin"
    run.upload = default_storage.save(f"imports/{shop.pk}/{run.pk}.{suffix}", upload)
    run.save(update_fields=["upload"])
    from aftersales.platforms.tasks import run_import  # the task module imports this one

    transaction.on_commit(lambda: run_import(run.pk))
    return run


def import_queued(run_id: int) -> ImportRun | None:
    """The worker's side of queue_import: import the stored upload, then delete it."""
    run = ImportRun.objects.select_related("shop").filter(pk=run_id, status=ImportRun.QUEUED).first()
    if run is None or not run.upload:
        return None
    try:
        with default_storage.open(run.upload, "rb") as upload:
            import_file(run.shop, run.platform, run.kind, run.file_name, upload, run=run)
    except FileNotFoundError:
        _fail(run, "import.upload_missing", "上传的文件已不在服务器上，请重新上传。",
              "The uploaded file is no longer on the server; upload it again.")
    finally:
        # The upload goes once the run has ended, however it ended; a run resumed after losing its
        # lease keeps it for the next attempt.
        run.refresh_from_db()
        if run.is_finished:
            leases.discard_upload(run)
    return run
