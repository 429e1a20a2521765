"""Server time of the pages at scale: the inbox, a case page and the buyer portal over 10,000 cases.

    .venv/bin/python bench/pages.py [--cases 10000] [--requests 60] [--database URL]

Builds the demo shop through the real services (so every kind of case, its events, its policy decision
and its deadline are real), then multiplies those cases with bulk inserts up to --cases — each copy its
own buyer, order, lines, payment and events, most of them open with deadlines spread around now — in a
fresh SQLite file (or the database given). Then it times requests through Django's test Client (server
time: middleware, view, queries, template; no network) and prints median / p95 in milliseconds and the
ratio of each median to that of the bare /healthz endpoint measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure(database: str | None) -> None:
    var = Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    os.environ["AFTERSALES_VAR_DIR"] = str(var)
    os.environ["DATABASE_URL"] = database or f"sqlite:///{var / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def multiply(shop, wanted: int, seed: int = 7) -> int:
    """Copy the demo's cases (with their events) onto new buyers and orders until there are `wanted`."""
    from django.db import transaction

    from aftersales.cases.domain.states import TERMINAL
    from aftersales.cases.models import Case, CaseEvent, CaseLine
    from aftersales.core import clock
    from aftersales.orders.models import Buyer, Order, OrderLine, Payment

    rng = random.Random(seed)
    templates = list(Case.objects.filter(shop=shop).prefetch_related("events", "lines__order_line"))
    open_templates = [c for c in templates if c.status not in {s.value for s in TERMINAL}]
    have = len(templates)
    now = clock.now()
    batch = 1000
    made = 0
    while have + made < wanted:
        n = min(batch, wanted - have - made)
        picks = [rng.choice(open_templates if rng.random() < 0.85 else templates) for _ in range(n)]
        with transaction.atomic():
            buyers = Buyer.objects.bulk_create([
                Buyer(shop=shop, platform=t.platform, nick=f"{t.buyer.nick[:1]}买家{made + i:05d}",
                      name=t.buyer.name, phone=f"139{rng.randrange(10**7, 10**8)}", province=t.buyer.province,
                      city=t.buyer.city)
                for i, t in enumerate(picks)
            ])
            for b in buyers:
                b.phone_last4 = b.phone[-4:]
            Buyer.objects.bulk_update(buyers, ["phone_last4"])
            orders = Order.objects.bulk_create([
                Order(shop=shop, platform=t.platform, platform_order_id=f"BX{made + i:08d}", buyer=b,
                      channel=t.order.channel, province=t.order.province, city=t.order.city, paid_at=t.order.paid_at,
                      shipped_at=t.order.shipped_at, signed_at=t.order.signed_at, goods_fen=t.order.goods_fen,
                      freight_fen=t.order.freight_fen, free_shipping=t.order.free_shipping,
                      refund_granted_fen=t.order.refund_granted_fen)
                for i, (t, b) in enumerate(zip(picks, buyers, strict=True))
            ])
            lines = []
            for t, o in zip(picks, orders, strict=True):
                for j, ol in enumerate(t.order.lines.all()):
                    lines.append(OrderLine(order=o, shop=shop, platform_line_id=f"{o.platform_order_id}-{j}",
                                           sku_id=ol.sku_id, product_id=ol.product_id, title=ol.title,
                                           sku_code=ol.sku_code, spec=ol.spec, quantity=ol.quantity,
                                           unit_price_fen=ol.unit_price_fen, paid_fen=ol.paid_fen))
            OrderLine.objects.bulk_create(lines)
            Payment.objects.bulk_create([Payment(order=o, route="alipay", amount_fen=o.goods_fen + o.freight_fen)
                                         for o in orders if o.goods_fen + o.freight_fen > 0])
            by_title = {(ln.order_id, ln.title, ln.spec): ln for ln in lines}
            cases = []
            for i, (t, o, b) in enumerate(zip(picks, orders, buyers, strict=True)):
                open_case = t.status not in {s.value for s in TERMINAL}
                deadline = now + timedelta(hours=rng.uniform(-48, 96)) if open_case and t.deadline_at else None
                cases.append(Case(
                    shop=shop, number=f"AS{clock.shanghai_date(now):%y%m%d}{900000 + made + i:07d}", order=o, buyer=b,
                    platform=t.platform, kind=t.kind, status=t.status, goods_status=t.goods_status,
                    money_status=t.money_status, return_logistics=t.return_logistics,
                    arbitration_status=t.arbitration_status, inspection_result=t.inspection_result, reason=t.reason,
                    buyer_note=t.buyer_note, wanted_remedy=t.wanted_remedy, requested_fen=t.requested_fen,
                    refund_cap_fen=t.refund_cap_fen, refund_granted_fen=t.refund_granted_fen,
                    refunded_fen=t.refunded_fen, return_carrier=t.return_carrier,
                    return_tracking_no=f"{t.return_tracking_no[:2]}{rng.randrange(10**11, 10**12)}"
                    if t.return_tracking_no else "",
                    deadline_at=deadline, deadline_stage=t.deadline_stage if deadline else "",
                    deadline_source=t.deadline_source if deadline else "", policy_decision=t.policy_decision,
                    policy_version=t.policy_version, tags=t.tags, urgency=t.urgency, follow_up=rng.random() < 0.05,
                    created_at=t.created_at, closed_at=t.closed_at,
                ))
            cases = Case.objects.bulk_create(cases)
            case_lines, events = [], []
            for t, c in zip(picks, cases, strict=True):
                for cl in t.lines.all():
                    ol = by_title[(c.order_id, cl.order_line.title, cl.order_line.spec)]
                    case_lines.append(CaseLine(case=c, order_line=ol, quantity=cl.quantity,
                                               received_quantity=cl.received_quantity,
                                               accepted_quantity=cl.accepted_quantity))
                for e in t.events.all():
                    events.append(CaseEvent(case=c, shop=shop, action=e.action, actor=e.actor, from_status=e.from_status,
                                            to_status=e.to_status, reason_code=e.reason_code, note=e.note,
                                            payload=e.payload, created_at=e.created_at))
            CaseLine.objects.bulk_create(case_lines)
            CaseEvent.objects.bulk_create(events)
        made += n
    return have + made


def timed(client, path: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    configure(args.database)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from aftersales.cases.models import Case
    from aftersales.demo.builder import build_demo

    demo = build_demo(orders=400)
    total = multiply(demo.shop, args.cases)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    open_count = Case.objects.filter(shop=demo.shop).exclude(status__in=["completed", "closed"]).count()
    print(f"data: {total} cases ({open_count} open) built in {time.perf_counter() - started:.1f}s "
          f"on {connection.vendor}")

    agent = Client()
    agent.force_login(get_user_model().objects.get(username="agent"))
    rng = random.Random(3)
    open_ids = list(Case.objects.filter(shop=demo.shop, status="awaiting_return").values_list("pk", flat=True))
    some_case = Case.objects.get(pk=rng.choice(open_ids))
    buyer = Client()
    found = buyer.post("/portal/", {"order_no": some_case.order.platform_order_id,
                                    "last4": some_case.buyer.phone_last4})
    assert found.status_code == 302, found.status_code

    pages = [
        ("healthz (bare endpoint)", Client(), "/healthz"),
        ("inbox, first page", agent, "/console/"),
        ("inbox, page 100", agent, "/console/?page=100"),
        ("inbox, overdue + kind filter", agent, "/console/?overdue=on&kind=return_refund"),
        ("inbox, search by order no.", agent, f"/console/?q={some_case.order.platform_order_id}"),
        ("case page", agent, f"/console/cases/{some_case.pk}/"),
        ("portal: order + policy", buyer, "/portal/order/"),
        ("portal: case timeline", buyer, f"/portal/cases/{some_case.pk}/"),
    ]
    for _label, client, path in pages:  # warm up caches, templates, the session
        timed(client, path, 3)
    results = [(label, timed(client, path, args.requests)) for label, client, path in pages]
    base = statistics.median(results[0][1])
    print(f"{args.requests} requests each, server time through the test Client:")
    print(f"{'page':<32}{'median ms':>11}{'p95 ms':>9}{'× healthz':>11}")
    for label, values in results:
        median = statistics.median(values)
        print(f"{label:<32}{median:>11.1f}{p95(values):>9.1f}{median / base:>11.1f}")


if __name__ == "__main__":
    main()
