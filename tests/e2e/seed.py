"""Data for the browser tests: the demo shop (staff logins included) and one known order whose buyer
walks through a whole return. Run with the server's environment: `python -m tests.e2e.seed`."""

from __future__ import annotations

from datetime import timedelta

import django

ORDER_NO = "E2E20261122001"
PHONE = "13800001234"
TRACKING_NO = "SF1234567890"


def main() -> None:
    django.setup()
    from aftersales.core import clock
    from aftersales.demo.builder import build_demo
    from aftersales.orders.services import create_order

    result = build_demo(orders=40)
    now = clock.now()
    paid = now - timedelta(days=3)
    create_order(result.shop, {
        "platform": "douyin", "platform_order_id": ORDER_NO,
        "buyer": {"nick": "林晓雨", "name": "林晓雨", "phone": PHONE, "province": "浙江省", "city": "杭州市"},
        "channel": "live_stream", "paid_at": paid, "shipped_at": paid + timedelta(hours=6),
        "signed_at": paid + timedelta(days=1), "freight_fen": 0, "free_shipping": True,
        "lines": [{"platform_line_id": f"{ORDER_NO}-1", "title": "法式碎花连衣裙 夏季收腰显瘦", "sku_code": "QZ-1001-M",
                   "spec": "M 碎花蓝", "quantity": 1, "unit_price_fen": 15900, "paid_fen": 15900}],
        "payments": [{"route": "wechat", "amount_fen": 15900}],
    })


if __name__ == "__main__":
    main()
