from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import Shop
from aftersales.analytics import rollups


class Command(BaseCommand):
    help = (
        "Recompute the analytics rollups from the orders and cases (after a bulk import that bypassed the "
        "services). One transaction per shop; the figures stay readable meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shop", action="append", help="shop slug (repeatable); default: every shop")
        parser.add_argument("--batch", type=int, default=2000, help="orders read per query batch")

    def handle(self, *args, shop=None, batch=2000, **options):
        shops = Shop.objects.order_by("pk")
        if shop:
            shops = shops.filter(slug__in=shop)
            missing = set(shop) - set(shops.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"unknown shop: {', '.join(sorted(missing))}")
        for s in shops:
            result = rollups.rebuild(s.pk, batch=batch)
            self.stdout.write(f"{s.slug}: {result['orders']} orders, {result['rows']} rollup rows")
