"""Data for the exchange browser test. Run with the server's environment:
`python -m tests.e2e.seed_exchange order` — a delivered order of the dress in M, with sizes L in stock and
S sold out; `python -m tests.e2e.seed_exchange fulfil CASE_ID` — the case approved, its parcel sent back,
received and passed at the warehouse (the replacement is next)."""

from __future__ import annotations

import sys
from datetime import timedelta

import django

ORDER_NO = "E2EEXCHANGE001"
PHONE = "13800005678"


def order() -> None:
    from aftersales.accounts.models import Shop
    from aftersales.catalog.models import Sku
    from aftersales.core import clock
    from aftersales.orders.services import create_order

    shop = Shop.objects.get(slug="demo")
    Sku.objects.filter(shop=shop, code="QZ-1001-L").update(stock=3)
    Sku.objects.filter(shop=shop, code="QZ-1001-S").update(stock=0)
    paid = clock.now() - timedelta(days=3)
    create_order(shop, {
        "platform": "douyin", "platform_order_id": ORDER_NO,
        "buyer": {"nick": "陈小雨", "name": "陈小雨", "phone": PHONE, "province": "四川省", "city": "成都市"},
        "channel": "live_stream", "paid_at": paid, "shipped_at": paid + timedelta(hours=6),
        "signed_at": paid + timedelta(days=1), "freight_fen": 0, "free_shipping": True,
        "lines": [{"platform_line_id": f"{ORDER_NO}-1", "title": "法式碎花连衣裙 夏季收腰显瘦", "sku_code": "QZ-1001-M",
                   "spec": "M 碎花蓝", "quantity": 1, "unit_price_fen": 15900, "paid_fen": 15900}],
        "payments": [{"route": "wechat", "amount_fen": 15900}],
    })


def fulfil(case_id: int) -> None:
    from aftersales.accounts.models import Shop
    from aftersales.cases import services
    from aftersales.cases.domain.states import Actor
    from aftersales.warehouse import services as warehouse

    shop = Shop.objects.get(slug="demo")
    services.approve_case(shop, case_id, services.By(Actor.MERCHANT))
    services.record_return_shipment(shop, case_id, services.By(Actor.BUYER), carrier="中通快递",
                                    tracking_no="ZT7788990011")
    keeper = services.By(Actor.WAREHOUSE)
    warehouse.receive_parcel(shop, keeper, case_id=case_id)
    warehouse.inspect_return(shop, case_id, keeper, grade="A", restock=True,
                             checklist={"tags_intact": True, "not_washed": True, "not_used": True})


if __name__ == "__main__":
    django.setup()
    order() if sys.argv[1] == "order" else fulfil(int(sys.argv[2]))
