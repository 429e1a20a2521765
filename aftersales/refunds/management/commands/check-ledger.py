"""`aftersales check-ledger [--shop SLUG]`: does every case's and order's refund total match its ledger rows?"""

from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import Shop
from aftersales.refunds.selectors import ledger_differences


class Command(BaseCommand):
    help = ("Reconcile the refund ledger: every case's granted and refunded totals against its refund "
            "decisions and settled payments, its reimbursed return freight likewise, every order's granted "
            "total against its cases. Exits 1 on a difference.")

    def add_arguments(self, parser):
        parser.add_argument("--shop", help="shop slug; default: every shop")

    def handle(self, *args, **options):
        shop_id = None
        if options["shop"]:
            shop = Shop.objects.filter(slug=options["shop"]).first()
            if shop is None:
                raise CommandError(f"no shop with slug {options['shop']!r}")
            shop_id = shop.pk
        found = ledger_differences(shop_id)
        for difference in found:
            self.stdout.write(str(difference))
        if found:
            raise CommandError(f"{len(found)} difference(s) between case totals and the refund ledger")
        self.stdout.write("ledger reconciles: every case and order matches its refund rows")
