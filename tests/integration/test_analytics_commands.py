"""`aftersales rebuild-rollups` after a bulk import, `evaluate-alerts`, and concurrent changes to one order."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections

from aftersales.accounts.models import Shop
from aftersales.analytics import selectors
from aftersales.analytics.models import Rollup
from aftersales.cases import services as cs
from aftersales.cases.domain.states import Actor
from aftersales.orders.models import Order, OrderLine
from aftersales.orders.services import create_order
from tests.integration.conftest import PAID_AT, make_shop, order_payload

MERCHANT, BUYER = cs.By(Actor.MERCHANT), cs.By(Actor.BUYER)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def sold(shop) -> int:
    return sum(r.sold_qty for r in selectors.return_rates(shop.pk, "sku", *NOVEMBER))


@pytest.mark.django_db
def test_rebuild_picks_up_orders_that_bypassed_the_services(shop, order):
    assert sold(shop) == 3
    bulk = Order.objects.create(shop=shop, platform="jd", platform_order_id="BULK-1", buyer=order.buyer,
                                paid_at=PAID_AT, goods_fen=1000)
    OrderLine.objects.create(order=bulk, shop=shop, platform_line_id="1", title="x", quantity=5,
                             unit_price_fen=200, paid_fen=1000)
    assert sold(shop) == 3  # nobody told the rollups
    out = StringIO()
    call_command("rebuild-rollups", "--shop", shop.slug, stdout=out)
    assert "alpha: 2 orders" in out.getvalue()
    assert sold(shop) == 8
    call_command("evaluate-alerts", stdout=out)
    assert "alpha:" in out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under concurrency need PostgreSQL")
def test_concurrent_changes_to_one_order_are_all_counted_once():
    shop = make_shop("conc")
    payload = order_payload("CONC-1")
    payload["lines"] = [{**payload["lines"][0], "platform_line_id": f"CONC-1-{i}", "quantity": 1,
                         "paid_fen": 14900} for i in range(8)]
    payload["payments"] = []
    order = create_order(shop, payload)
    cases = [cs.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="return_refund",
                          reason="size_fit", by=MERCHANT, now=PAID_AT + timedelta(days=2))
             for line in order.lines.order_by("pk")]
    barrier = threading.Barrier(6)
    errors = []

    def withdraw(case_id: int) -> None:
        try:
            barrier.wait()
            cs.withdraw_case(Shop.objects.get(pk=shop.pk), case_id, BUYER)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=withdraw, args=(c.pk,)) for c in cases[:6]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    (row,) = selectors.return_rates(shop.pk, "category", *NOVEMBER)
    assert (row.sold_qty, row.returned_qty) == (8, 2)
    before = sorted(Rollup.objects.filter(shop=shop).exclude(sold_qty=0, returned_qty_o=0, returned_qty_c=0,
                                                             return_cases_o=0, return_cases_c=0, orders=0,
                                                             sold_fen=0).values_list(
        "cube", "grain", "start", "sku_id", "dim", "sold_qty", "returned_qty_o", "returned_qty_c"))
    call_command("rebuild-rollups", "--shop", "conc", stdout=StringIO())
    after = sorted(Rollup.objects.filter(shop=shop).values_list(
        "cube", "grain", "start", "sku_id", "dim", "sold_qty", "returned_qty_o", "returned_qty_c"))
    assert before == after
