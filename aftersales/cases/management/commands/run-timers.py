"""`aftersales run-timers --once`: one sweep of the case deadlines, printing what it did."""

import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from aftersales.cases.timers import sweep
from aftersales.core import clock


class Command(BaseCommand):
    help = "Remind, escalate and act on due case deadlines (what the worker does every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one sweep, then exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between sweeps (default 60)")
        parser.add_argument("--limit", type=int, default=None, help="most cases per sweep")
        parser.add_argument("--at", help="sweep as if it were this ISO time (with offset), to check a plan")

    def handle(self, *args, **options):
        at = None
        if options["at"]:
            try:
                at = clock.require_aware(datetime.fromisoformat(options["at"]))
            except Exception as exc:
                raise CommandError(
                    "--at needs an ISO time with an offset, e.g. 2025-06-01T10:00+08:00"
                ) from exc
        verbose = options["verbosity"] >= 2
        while True:
            report = sweep(at, limit=options["limit"])
            self.stdout.write(f"timers: {report.summary()}")
            shown = report.done if verbose else report.done[:50]
            for done in shown:
                self.stdout.write(f"  {done.number}  {done.step.value:<8} {done.stage:<28} {done.outcome}")
            if len(report.done) > len(shown):
                self.stdout.write(f"  … and {len(report.done) - len(shown)} more (-v 2 lists all)")
            for line in report.errors:
                self.stderr.write(f"  error {line}")
            if options["once"] or at is not None:
                return
            time.sleep(options["interval"])
