"""A size-complaint return waiting for review on a 女装 order of the demo shop, whose default return
address is the Hangzhou warehouse. Run with the server's environment; prints the case id."""

from __future__ import annotations

from datetime import timedelta

import django

ORDER_NO = "E2EADDR0001"
PHONE = "13900005566"


def main() -> None:
    django.setup()
    from aftersales.accounts.models import Shop
    from aftersales.cases import services
    from aftersales.cases.domain.states import Actor
    from aftersales.core import clock
    from aftersales.orders.services import create_order

    shop = Shop.objects.get(slug="demo")
    paid = clock.now() - timedelta(days=3)
    order = create_order(shop, {
        "platform": "douyin", "platform_order_id": ORDER_NO,
        "buyer": {"nick": "陈一诺", "name": "陈一诺", "phone": PHONE, "province": "上海市", "city": "上海市"},
        "channel": "live_stream", "paid_at": paid, "shipped_at": paid + timedelta(hours=6),
        "signed_at": paid + timedelta(days=1), "freight_fen": 0, "free_shipping": True,
        "lines": [{"platform_line_id": f"{ORDER_NO}-1", "title": "法式碎花连衣裙 夏季收腰显瘦", "sku_code": "QZ-1001-L",
                   "spec": "L 碎花蓝", "quantity": 1, "unit_price_fen": 15900, "paid_fen": 15900}],
        "payments": [{"route": "alipay", "amount_fen": 15900}],
    })
    case = services.open_case(shop, order_id=order.pk, lines=[(order.lines.get().pk, 1)], kind="return_refund",
                              reason="size_fit", by=services.By(Actor.BUYER), buyer_note="尺码偏大，想退")
    print(case.pk)


if __name__ == "__main__":
    main()
