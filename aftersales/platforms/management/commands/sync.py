"""`aftersales sync [--store ID] [--since TIME] [--order ID] [--cycle]`: pull connected stores now.

Without --since a store is pulled from where its last pull ended; with it (ISO time, Beijing time if
no offset is given) the window is pulled again — safe: what is already written stays unchanged. A
case for an order the shop does not have brings its order from the order call; `--order ID` fetches
one order again (its lines, buyer and freight) from the store(s), written like an imported order.
`--cycle` runs one whole worker cycle instead (pushed cases, the outbox of actions, due pulls).
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from aftersales.core.clock import SHANGHAI
from aftersales.platforms.sync.models import StoreConnection
from aftersales.platforms.sync.pull import fetch_order, pull_store
from aftersales.platforms.sync.tasks import run_cycle


class Command(BaseCommand):
    help = "Pull new and changed after-sale cases from the connected stores now."

    def add_arguments(self, parser):
        parser.add_argument("--store", type=int, help="one store (its id on the 平台授权 page)")
        parser.add_argument("--since", help="pull again from this time, e.g. 2026-12-04T08:00")
        parser.add_argument("--order", help="fetch this order (the platform's order number) again")
        parser.add_argument("--cycle", action="store_true", help="run one worker cycle (push, outbox, due pulls)")

    def handle(self, *args, **options):
        if options["cycle"]:
            self.stdout.write(run_cycle())
            return
        since = None
        if options["since"]:
            try:
                since = datetime.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(f"--since: not a time: {options['since']!r}") from None
            if since.tzinfo is None:
                since = since.replace(tzinfo=SHANGHAI)
        stores = StoreConnection.objects.select_related("shop").exclude(state=StoreConnection.PAUSED)
        if options["store"]:
            stores = stores.filter(pk=options["store"])
            if not stores:
                raise CommandError(f"no active store with id {options['store']}")
        failed = False
        if options["order"]:
            for connection in stores.order_by("pk"):
                outcome = fetch_order(connection, options["order"].strip())
                self.stdout.write(f"{connection.platform}:{connection.name} — order {options['order']}: {outcome}")
                failed = failed or outcome not in ("written", "missing")
            if failed:
                raise CommandError("some stores could not give or write the order (see above)")
            return
        for connection in stores.order_by("pk"):
            result = pull_store(connection, since=since)
            self.stdout.write(f"{connection.platform}:{connection.name} — {result.summary()}")
            failed = failed or bool(result.error)
        if failed:
            raise CommandError("some stores stopped with an error (see above)")
