"""Integration fixtures: a shop with a delivered order, built through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aftersales.accounts.models import ApiToken, Shop
from aftersales.catalog.models import Category, Product, Sku
from aftersales.core.clock import SHANGHAI
from aftersales.intelligence import shop_stats
from aftersales.orders.services import create_order
from tests.integration.console_support import member

PAID_AT = datetime(2026, 11, 10, 20, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_shop_stats():
    """Each test's rows are rolled back after it: what this process kept of a shop's figures goes too."""
    shop_stats.forget()
    yield
    shop_stats.forget()


def make_shop(slug: str = "alpha") -> Shop:
    shop = Shop.objects.create(slug=slug, name=f"{slug} 旗舰店")
    cat = Category.objects.create(
        shop=shop, name="女装", law_category="apparel", inspection_checklist=["tags_intact", "not_washed"]
    )
    product = Product.objects.create(shop=shop, category=cat, title="法式碎花连衣裙")
    Sku.objects.create(shop=shop, product=product, code="QZ-1001-M", spec="M", price_fen=15900)
    Sku.objects.create(shop=shop, product=product, code="QZ-1001-L", spec="L", price_fen=15900)
    return shop


def order_payload(number: str = "DY0001", *, shipped: bool = True, signed: bool = True, **over) -> dict:
    data = {
        "platform": "douyin",
        "platform_order_id": number,
        "buyer": {
            "nick": "王晓明88",
            "name": "王晓明",
            "phone": "13812345678",
            "province": "广东省",
            "city": "广州市",
        },
        "channel": "live_stream",
        "paid_at": PAID_AT,
        "shipped_at": PAID_AT + timedelta(hours=10) if shipped else None,
        "signed_at": PAID_AT + timedelta(days=2) if signed else None,
        "freight_fen": 0,
        "free_shipping": True,
        "lines": [
            {
                "platform_line_id": f"{number}-1",
                "title": "法式碎花连衣裙",
                "sku_code": "QZ-1001-M",
                "spec": "M",
                "quantity": 2,
                "unit_price_fen": 15900,
                "paid_fen": 29800,
            },
            {
                "platform_line_id": f"{number}-2",
                "title": "法式碎花连衣裙",
                "sku_code": "QZ-1001-L",
                "spec": "L",
                "quantity": 1,
                "unit_price_fen": 15900,
                "paid_fen": 14900,
            },
        ],
        "payments": [{"route": "alipay", "amount_fen": 30000}, {"route": "wechat", "amount_fen": 14700}],
    }
    data.update(over)
    return data


@pytest.fixture
def shop(db) -> Shop:
    return make_shop("alpha")


@pytest.fixture
def other_shop(db) -> Shop:
    return make_shop("beta")


@pytest.fixture
def order(shop):
    return create_order(shop, order_payload())


@pytest.fixture
def token(shop) -> str:
    return ApiToken.issue(shop, name="test")[1]


@pytest.fixture
def api(client, token):
    """A test client that sends the bearer token and JSON."""

    class Api:
        def __init__(self, raw: str):
            self.headers = {"Authorization": f"Bearer {raw}"}

        def get(self, path, **kw):
            return client.get(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

        def post(self, path, data=None, **kw):
            return client.post(
                path,
                data=data if data is not None else {},
                content_type="application/json",
                headers={**self.headers, **kw.pop("headers", {})},
                **kw,
            )

        def raw(self, path, body: str, **kw):
            return client.post(
                path,
                data=body,
                content_type="application/json",
                headers={**self.headers, **kw.pop("headers", {})},
                **kw,
            )

    return Api(token)


@pytest.fixture
def agent(client, shop):
    """An agent of `shop`, signed in on `client`."""
    user = member(shop, "agent_a", "agent")
    client.force_login(user)
    return user


@pytest.fixture
def owner(client, shop):
    """The owner of `shop`, signed in on `client`."""
    user = member(shop, "owner_a", "owner")
    client.force_login(user)
    return user
