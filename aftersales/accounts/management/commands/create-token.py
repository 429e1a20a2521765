from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import ApiToken, Shop
from aftersales.core.choices import Role


class Command(BaseCommand):
    help = (
        "Create an API token for a shop. The token is printed once, as the last word; only its hash is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shop", required=True, help="shop slug, e.g. demo")
        parser.add_argument("--name", default="api")
        parser.add_argument("--role", default=Role.OWNER.value, choices=[r.value for r in Role if r != Role.TRAINEE])

    def handle(self, *args, shop, name, role, **options):
        found = Shop.objects.filter(slug=shop).first()
        if found is None:
            raise CommandError(f"没有这个店铺 / no such shop: {shop}")
        _, raw = ApiToken.issue(found, name=name, role=role)
        self.stdout.write(f"API token for {found.slug} ({role}): {raw}")
