"""The deadline sweeper over many open cases: how long one sweep takes.

    .venv/bin/python bench/sweep.py [--cases 100000] [--actions 0.02] [--database URL]

Makes a shop with `--cases` open cases (one order each) whose deadlines are spread evenly over the
next 7 days, a share `--actions` of them on a step where the platform acts by itself when the timer
passes (Douyin's first review: auto-approve through the services); the rest wait on the merchant
(reminder 4h ahead, escalation 1h ahead, overdue notice after). Then it times:

- catch-up: the first sweep, as after a restart — every reminder and escalation of the next 4 hours
  and every deadline already passed (the first 30 minutes) at once;
- minute: the sweep one minute later (what the worker does every minute in steady state);
- idle: a sweep with nothing due (the cost of asking).

Without --database it uses a fresh SQLite file; pass an empty postgres:// database to measure
PostgreSQL (it is migrated, and the bench shop is replaced).
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


def build(cases: int, actions: float) -> tuple[object, int]:
    from django.contrib.auth import get_user_model

    from aftersales.accounts.models import Membership, Shop
    from aftersales.cases.models import Case
    from aftersales.core import clock
    from aftersales.orders.models import Buyer, Order

    Shop.objects.filter(slug="bench-sweep").delete()
    shop = Shop.objects.create(slug="bench-sweep", name="bench", reminder_hours=4)
    user_model = get_user_model()
    for name, role in (("bench-owner", "owner"), ("bench-agent", "agent")):
        user, _ = user_model.objects.get_or_create(username=name, defaults={"email": f"{name}@example.com"})
        Membership.objects.create(user=user, shop=shop, role=role)
    agent = user_model.objects.get(username="bench-agent")
    now = clock.now()
    buyer = Buyer.objects.create(shop=shop, platform="douyin", nick="bench", phone="13800001111")
    every = max(1, round(1 / actions)) if actions > 0 else 0
    span = timedelta(days=7).total_seconds()
    made = 0
    for start in range(0, cases, 5000):
        chunk = range(start, min(cases, start + 5000))
        orders = Order.objects.bulk_create([
            Order(shop=shop, platform="douyin", platform_order_id=f"SW{i:08d}", buyer=buyer,
                  paid_at=now - timedelta(days=3), goods_fen=0) for i in chunk])
        rows = []
        for i, order in zip(chunk, orders, strict=True):
            acts = every and i % every == 0
            platform = "douyin" if acts else "own"
            rows.append(Case(
                shop=shop, number=f"SW{i:08d}", order=order, buyer=buyer, platform=platform,
                kind="refund_only", status="requested", goods_status="received", reason="no_reason",
                wanted_remedy="refund_only", deadline_stage="merchant_review", deadline_source="fallback",
                # Deadlines from 30 minutes ago to 7 days ahead, evenly.
                deadline_at=now - timedelta(minutes=30) + timedelta(seconds=span * i / cases),
                assignee=agent if i % 2 else None, created_at=now - timedelta(days=1)))
        Case.objects.bulk_create(rows)
        made += len(rows)
    return now, made


def timed(at) -> dict:
    from aftersales.cases.timers import sweep

    started = time.perf_counter()
    report = sweep(at)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "handled": report.handled, "counts": dict(report.counts),
            "ms_per_case": round(1000 * seconds / report.handled, 3) if report.handled else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--actions", type=float, default=0.02,
                        help="share of cases where the platform acts when the timer passes")
    parser.add_argument("--database")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{Path(tmp.name) / 'sweep.sqlite3'}"
    os.environ.setdefault("AFTERSALES_VAR_DIR", tmp.name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from aftersales.cases.models import Case

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    now, made = build(args.cases, args.actions)
    print(json.dumps({"database": connection.vendor, "open_cases": made, "actions_share": args.actions,
                      "build_seconds": round(time.perf_counter() - started, 1)}))
    print(json.dumps({"sweep": "catch-up", **timed(now)}))
    print(json.dumps({"sweep": "minute", **timed(now + timedelta(minutes=1))}))
    print(json.dumps({"sweep": "idle", **timed(now + timedelta(minutes=1))}))
    still_open = Case.objects.filter(shop__slug="bench-sweep", status="requested").count()
    print(json.dumps({"open_after": still_open}))
    tmp.cleanup()


if __name__ == "__main__":
    main()
