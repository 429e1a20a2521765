"""Pulling from a platform: how many after-sale cases per minute reach the database.

    .venv/bin/python bench/sync.py [--platform douyin] [--cases 2000] [--database URL]

A contract simulator (in process, no sockets) holds `--cases` new cases changed over the last day;
one store is connected to it and pulled once from scratch, through the whole path: signed calls,
keyset paging within the platform's windows, the import mappings, the order writer and the case
writer, each page in one transaction (its new cases opened together through the cases app,
`cases.platform_pages`: policy decided, buyer's words read, events recorded, the outbox and the
analytics kept current). Printed:

- fetch: the calls alone (signing, the simulator, JSON, mapping into records) — what the platform side costs;
- pull: the full pull into the database, cases per minute;
- again: the same window pulled again (every case already written: skipped by its update time).

Without --database it uses a fresh SQLite file; pass an empty postgres:// database for PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--platform", default="douyin", choices=["douyin", "taobao", "jd", "pdd"])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--database")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{Path(tmp.name) / 'sync.sqlite3'}"
    os.environ.setdefault("AFTERSALES_VAR_DIR", tmp.name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection

    from aftersales.accounts.models import Shop
    from aftersales.cases.models import Case
    from aftersales.core import clock
    from aftersales.platforms.connectors.base import BaseConnector
    from aftersales.platforms.report import Report
    from aftersales.platforms.simulator import simulator_for
    from aftersales.platforms.sync.clients import SIMULATORS, session
    from aftersales.platforms.sync.connections import connect_store
    from aftersales.platforms.sync.pull import pull_store
    from aftersales.platforms.sync.records import case_records, order_records

    logging.getLogger("aftersales").setLevel(logging.WARNING)
    BaseConnector.calls_per_second = 0.0  # the simulator answers at once; measure our side
    call_command("migrate", verbosity=0)
    Shop.objects.filter(slug="bench-sync").delete()
    shop = Shop.objects.create(slug="bench-sync", name="bench sync")
    simulator = simulator_for(args.platform)
    start = clock.now().replace(microsecond=0) - timedelta(hours=23)
    step = timedelta(hours=22).total_seconds() / max(args.cases, 1)
    for i in range(args.cases):
        moment = start + timedelta(seconds=int(i * step))
        simulator.add_case(kind="refund_only" if i % 2 else "return_refund", amount_fen=1000 + i % 5000,
                           paid_fen=9900, applied_at=moment, updated_at=moment, title=f"商品{i % 200}",
                           sku_code=f"SKU-{i % 200}")
    SIMULATORS["bench"] = simulator
    access, refresh = simulator.token
    store = connect_store(shop, platform=args.platform, name="bench", base_url="sim://bench",
                          app_key=simulator.app_key, app_secret=simulator.app_secret, access_token=access,
                          refresh_token=refresh, return_address_id="1001")

    since = start - timedelta(minutes=1)
    started = time.perf_counter()
    connector, fetched = session(store).connector, 0
    cursor = since
    end = clock.now() + timedelta(seconds=1)
    while cursor < end:  # the calls and the mapping alone, window by window
        window_end = min(cursor + connector.max_window, end)
        page = connector.first_page
        while True:
            found = connector.list_changed(cursor, window_end, page, 100)
            order_records(args.platform, found.items, Report())
            case_records(args.platform, found.items, Report())
            fetched += len(found.items)
            if not found.has_more:
                break
            page += 1
        cursor = window_end
    fetch_seconds = time.perf_counter() - started
    print(json.dumps({"database": connection.vendor, "platform": args.platform, "step": "fetch",
                      "cases": fetched, "seconds": round(fetch_seconds, 2),
                      "cases_per_minute": round(60 * fetched / fetch_seconds)}))

    started = time.perf_counter()
    result = pull_store(store, since=since)
    seconds = time.perf_counter() - started
    assert result.error == "", result.error
    written = Case.objects.filter(shop=shop).count()
    print(json.dumps({"step": "pull", "cases": written, "created": result.created, "refused": result.skipped,
                      "pages": result.pages, "seconds": round(seconds, 2),
                      "cases_per_minute": round(60 * written / seconds)}))
    started = time.perf_counter()
    again = pull_store(store, since=since)
    seconds = time.perf_counter() - started
    print(json.dumps({"step": "again", "cases": again.seen, "unchanged": again.unchanged,
                      "seconds": round(seconds, 2), "cases_per_minute": round(60 * max(again.seen, 1) / seconds)}))
    tmp.cleanup()


if __name__ == "__main__":
    main()
