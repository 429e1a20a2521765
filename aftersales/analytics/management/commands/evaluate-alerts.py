from django.core.management.base import BaseCommand

from aftersales.accounts.models import Shop
from aftersales.analytics.services import evaluate_alerts


class Command(BaseCommand):
    help = "Evaluate the return-rate alerts of every shop now (they are also evaluated every hour)."

    def add_arguments(self, parser):
        parser.add_argument("--shop", action="append", help="shop slug (repeatable); default: every shop")

    def handle(self, *args, shop=None, **options):
        shops = Shop.objects.order_by("pk")
        if shop:
            shops = shops.filter(slug__in=shop)
        for s in shops:
            r = evaluate_alerts(s)
            self.stdout.write(f"{s.slug}: {r.opened} new, {r.updated} still true, {r.resolved} resolved")
