"""Data for the return-freight browser test. Run with the server's environment:
`python -m tests.e2e.seed_return_freight` — a delivered order shipped in two parcels (the dress signed
for, the scarf not yet shipped) and a quality-defect return of the dress, approved: the shop pays the
return freight. Prints the case id."""

from __future__ import annotations

from datetime import timedelta

import django

ORDER_NO = "E2EFREIGHT001"
PHONE = "13800004321"


def seed() -> int:
    from aftersales.accounts.models import Shop
    from aftersales.cases import services
    from aftersales.cases.domain.states import Actor
    from aftersales.core import clock
    from aftersales.orders.services import create_order

    shop = Shop.objects.get(slug="demo")
    paid = clock.now() - timedelta(days=3)
    order = create_order(shop, {
        "platform": "taobao", "platform_order_id": ORDER_NO,
        "buyer": {"nick": "林小满", "name": "林小满", "phone": PHONE, "province": "浙江省", "city": "杭州市"},
        "paid_at": paid, "freight_fen": 0, "free_shipping": True,
        "lines": [
            {"platform_line_id": f"{ORDER_NO}-1", "title": "法式碎花连衣裙 夏季收腰显瘦", "sku_code": "QZ-1001-M",
             "spec": "M 碎花蓝", "quantity": 1, "unit_price_fen": 15900, "paid_fen": 15900,
             "shipped_at": paid + timedelta(hours=6), "signed_at": paid + timedelta(days=1)},
            {"platform_line_id": f"{ORDER_NO}-2", "title": "真丝小方巾", "quantity": 1, "unit_price_fen": 5900,
             "paid_fen": 5900},
        ],
        "payments": [{"route": "alipay", "amount_fen": 21800}],
    })
    lines = list(order.lines.order_by("pk"))
    case = services.open_case(shop, order_id=order.pk, lines=[(lines[0].pk, 1), (lines[1].pk, 1)],
                              kind="return_refund", reason="quality_defect", by=services.By(Actor.MERCHANT),
                              buyer_note="裙子开线了")
    services.approve_case(shop, case.pk, services.By(Actor.MERCHANT))
    return case.pk


if __name__ == "__main__":
    django.setup()
    print(seed())
