"""A ¥9.90 return whose goods are worth less back than receiving them costs: the advice is to refund
without taking them back. Run with the server's environment; prints the case id."""

from __future__ import annotations

from datetime import timedelta

import django

ORDER_NO = "E2EADVICE0001"


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
        "buyer": {"nick": "周小舟", "name": "周小舟", "phone": "13900007788", "province": "江苏省", "city": "南京市"},
        "channel": "short_video", "paid_at": paid, "shipped_at": paid + timedelta(hours=6),
        "signed_at": paid + timedelta(days=1), "freight_fen": 0, "free_shipping": True,
        "lines": [{"platform_line_id": f"{ORDER_NO}-1", "title": "纯棉短袜 三双装", "sku_code": "", "spec": "白色",
                   "quantity": 1, "unit_price_fen": 990, "paid_fen": 990}],
        "payments": [{"route": "wechat", "amount_fen": 990}],
    })
    case = services.open_case(shop, order_id=order.pk, lines=[(order.lines.get().pk, 1)], kind="return_refund",
                              reason="no_reason", by=services.By(Actor.BUYER), buyer_note="不想要了")
    print(case.pk)


if __name__ == "__main__":
    main()
