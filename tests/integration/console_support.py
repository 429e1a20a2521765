"""Helpers for the page tests (console, warehouse desk, portal): staff with roles, recent orders, cases."""

from __future__ import annotations

import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from PIL import Image

from aftersales.accounts.models import Membership
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.core import clock
from aftersales.orders.services import create_order

BUYER = services.By(Actor.BUYER)
MERCHANT = services.By(Actor.MERCHANT)
WAREHOUSE = services.By(Actor.WAREHOUSE)


def member(shop, username: str, role: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(username=username, password="pw-" + username,
                                                    first_name=username)
    Membership.objects.create(user=user, shop=shop, role=role)
    return user


def recent_order(shop, number: str, *, phone: str = "13812345678", shipped: bool = True, days_ago: int = 3,
                 quantity: int = 1):
    """A Douyin order paid `days_ago` days ago, signed for a day later (or not shipped at all)."""
    paid = clock.now() - timedelta(days=days_ago)
    return create_order(shop, {
        "platform": "douyin", "platform_order_id": number,
        "buyer": {"nick": f"买家{number[-3:]}", "name": "王晓明", "phone": phone, "province": "广东省", "city": "广州市"},
        "paid_at": paid,
        "shipped_at": paid + timedelta(hours=6) if shipped else None,
        "signed_at": paid + timedelta(days=1) if shipped else None,
        "freight_fen": 0, "free_shipping": True,
        "lines": [{"platform_line_id": f"{number}-1", "title": "法式碎花连衣裙", "sku_code": "QZ-1001-M", "spec": "M",
                   "quantity": quantity, "unit_price_fen": 15900, "paid_fen": 15900 * quantity}],
        "payments": [{"route": "alipay", "amount_fen": 15900 * quantity}],
    })


def open_case(shop, order, *, kind: str = "return_refund", reason: str = "size_fit", note: str = "尺码偏小"):
    line = order.lines.first()
    return services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind=kind, reason=reason,
                              by=BUYER, buyer_note=note, enforce_policy=False)


def png_bytes(color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str = "photo.png", data: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = png_bytes() if data is None else data
    return SimpleUploadedFile(name, data, content_type="image/png")


def english(client) -> None:
    """Switch the client's pages to English the way a person does: Django's set_language."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


def text(response) -> str:
    return response.content.decode()
