"""`aftersales auto-approve [--shop SLUG]`: apply the owners' auto-approve rules now (what the worker does
every minute), printing each case agreed to and the rule that did it."""

from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import Shop
from aftersales.autoapprove.services import apply_rules
from aftersales.core.money import format_fen


class Command(BaseCommand):
    help = "Apply the shops' auto-approve rules to the requests awaiting review (what the worker does every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--shop", help="only this shop (its slug)")

    def handle(self, *args, **options):
        shop = None
        if options["shop"]:
            shop = Shop.objects.filter(slug=options["shop"]).first()
            if shop is None:
                raise CommandError(f"no shop with slug {options['shop']!r}")
        report = apply_rules(shop=shop)
        self.stdout.write(f"auto-approve: {report.summary()}")
        for done in report.applied:
            refunded = f"  refunded {format_fen(done.refunded_fen)}" if done.refunded_fen else ""
            self.stdout.write(f"  {done.number}  {done.rule}{refunded}")
        for line in report.errors:
            self.stderr.write(f"  left alone {line}")
