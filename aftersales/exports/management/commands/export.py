"""`aftersales export cases|refunds|inspections --shop SLUG --format csv|xlsx [--since DATE] -o FILE`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import Shop
from aftersales.core.errors import DomainError
from aftersales.exports import sheets


class Command(BaseCommand):
    help = "Export a shop's cases, refunds or inspections to CSV (UTF-8 with BOM) or XLSX for Excel."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=sheets.KINDS)
        parser.add_argument("--shop", required=True, help="shop slug")
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=sheets.FORMATS,
            default=None,
            help="csv or xlsx (default: from the file name, else csv)",
        )
        parser.add_argument("--since", help="only rows from this day on (YYYY-MM-DD, Beijing time)")
        parser.add_argument("--lang", choices=("zh-hans", "en"), default="zh-hans", help="column headings")
        parser.add_argument("-o", "--output", required=True, help="file to write")

    def handle(self, *args, what, shop, fmt, since, lang, output, **options):
        found = Shop.objects.filter(slug=shop).first()
        if found is None:
            raise CommandError(f"no shop with slug {shop!r}")
        if fmt is None:
            fmt = "xlsx" if output.lower().endswith(".xlsx") else "csv"
        try:
            since_day = date.fromisoformat(since) if since else None
        except ValueError as exc:
            raise CommandError("--since needs a date like 2025-06-01") from exc
        try:
            with open(output, "wb") as out:
                sheets.export(found, what, fmt, out, lang=lang, since=since_day)
        except DomainError as exc:
            raise CommandError(exc.code) from exc
        rows = sheets.count_rows(found, what, since_day)
        self.stdout.write(f"{what}: {rows} rows → {output} ({fmt})")
