"""`aftersales import PLATFORM FILE [--kind orders|cases] [--shop SLUG]`: import a platform export."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from aftersales.accounts.models import Shop
from aftersales.platforms.models import ImportRun
from aftersales.platforms.report import report_csv
from aftersales.platforms.services import KINDS, ROLLUP_MODES, import_file

FIRST_PROBLEMS = 5


class Command(BaseCommand):
    help = (
        "Import a platform export file (抖店/千牛/京东/拼多多 订单导出 or 售后导出, CSV or XLSX) into a shop. "
        "Re-importing the same or a newer file updates what changed and duplicates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("platform", help="douyin, taobao, tmall, jd or pdd (抖店/淘宝/天猫/京东/拼多多 work too)")
        parser.add_argument("file", help="the exported .csv or .xlsx")
        parser.add_argument("--kind", choices=KINDS, default="orders", help="orders (订单) or cases (售后); "
                            "default: orders")
        parser.add_argument("--shop", default="demo", help="shop slug (default: demo)")
        parser.add_argument("--rollups", choices=ROLLUP_MODES, default="auto",
                            help="when the analytics catch up: auto (default), incremental, rebuild, defer")

    def handle(self, *args, platform, file, kind, shop, rollups, **options):
        found = Shop.objects.filter(slug=shop).first()
        if found is None:
            raise CommandError(f"no shop with slug {shop!r}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        # No markup: messages name mapping tables in brackets ("add it to [case_status]"), and file names
        # may hold brackets too; rich would take them for style tags and drop them.
        console = Console(file=self.stdout, highlight=False, soft_wrap=True, markup=False)
        # Rows are unknown until read; lines in a CSV are a close guess, a workbook gets a spinner only.
        total = _guess_rows(path)
        with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task(f"{path.name} · {platform}/{kind}", total=total)
            with path.open("rb") as data:
                run = import_file(found, platform, kind, path.name, data, rollups_mode=rollups,
                                  progress=lambda rows: bar.update(task, completed=rows))
        if run.status == ImportRun.FAILED:
            raise CommandError(f"{run.error_zh}\n{run.error_en}")
        self._summary(console, run)

    def _summary(self, console: Console, run: ImportRun) -> None:
        console.print(
            f"import #{run.pk} {run.file_name} ({run.format}{', ' + run.encoding if run.encoding else ''}): "
            f"{run.rows_read} rows read in {run.seconds or 0:.1f} s"
        )
        console.print(
            f"  created {run.created} · updated {run.updated} · unchanged {run.unchanged} · "
            f"skipped {run.skipped} · warnings {run.warnings}"
        )
        if not run.report:
            console.print("  no problems found (没有发现问题)")
            return
        folder = Path(settings.VAR_DIR) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        report = folder / f"{run.pk}-report.csv"
        report.write_bytes(report_csv(run.report))
        more = f" (+{run.report_dropped} not kept)" if run.report_dropped else ""
        console.print(f"  report: {report} — {len(run.report)} rows{more}")
        console.print(f"  first problems (前 {FIRST_PROBLEMS} 个问题):")
        for entry in run.report[:FIRST_PROBLEMS]:
            console.print(f"    {entry['message_zh']}")


def _guess_rows(path: Path) -> int | None:
    if path.suffix.lower() != ".csv":
        return None
    lines = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)
