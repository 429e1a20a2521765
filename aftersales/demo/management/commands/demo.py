from django.core.management.base import BaseCommand

from aftersales.demo.builder import DEMO_PASSWORD, LOGINS, build_demo, portal_example
from aftersales.platforms.sync.demo import connect_demo_stores


class Command(BaseCommand):
    help = "Load the demo shop (slug 'demo'): platforms, products, buyers, orders and cases of every kind."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=400)
        parser.add_argument("--seed", type=int, default=20261122)

    def handle(self, *args, orders, seed, **options):
        result = build_demo(orders=orders, seed=seed)
        stores = connect_demo_stores(result.shop)
        if result.created:
            self.stdout.write(
                f"Demo shop '{result.shop.slug}' built: {result.orders} orders, {result.cases} cases"
            )
            for status, count in sorted(result.by_status.items()):
                self.stdout.write(f"  {status:<24} {count}")
        else:
            self.stdout.write(f"Demo shop '{result.shop.slug}' already exists; logins ensured.")
        self.stdout.write(
            f"\nSign in at http://127.0.0.1:8000/accounts/login/  (password for all: {DEMO_PASSWORD})"
        )
        for username, full_name, role in LOGINS:
            self.stdout.write(f"  {username:<10} {role:<10} {full_name}")
        order = portal_example(result.shop)
        if order is not None:  # the buyer has no login: the portal finds an order by its number and phone
            self.stdout.write(
                f"\nBuyer portal: http://127.0.0.1:8000/portal/  order {order.platform_order_id}, "
                f"last 4 digits of the phone {order.buyer.phone_last4}"
            )
        self.stdout.write(
            "\nAPI token:  .venv/bin/aftersales create-token --shop demo\n"
            "API docs:   http://127.0.0.1:8000/api/v1/docs"
        )
        self.stdout.write("\nSimulated stores (店铺设置 → 平台授权), served by `make run`:")
        for store in stores:
            self.stdout.write(f"  {store.platform:<8} {store.base_url}/_sim/")
