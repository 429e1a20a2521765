"""The buyer's order page says one thing: one no-reason deadline (the shop's, when it promises more than
the law), and no new request offered for items that already have one."""

from __future__ import annotations

import re

import pytest

from aftersales.catalog.services import save_return_rule
from tests.integration.console_support import open_case, recent_order, text

pytestmark = pytest.mark.django_db


def found(client, number: str) -> None:
    assert client.post("/portal/", {"order_no": number, "last4": "5678"}).status_code == 302


def policy_dates(page: str) -> set[str]:
    policies = page[page.index('class="policy"'):]
    return set(re.findall(r"20\d\d-\d\d-\d\d", policies))


def test_a_longer_shop_window_is_the_only_deadline_the_buyer_reads(client, shop):
    recent_order(shop, "DYO0001")
    found(client, "DYO0001")
    law_dates = policy_dates(text(client.get("/portal/order/")))
    assert len(law_dates) == 1
    save_return_rule(shop, no_reason_days=30, free_return_shipping=False, exchange_days=15, warranty_days=90,
                     allow_partial_refund=True)
    page = text(client.get("/portal/order/"))
    shop_dates = policy_dates(page)
    assert len(shop_dates) == 1 and shop_dates != law_dates
    assert "店铺承诺的 30 天无理由退货期内" in page


def test_an_item_already_returned_is_not_offered_again(client, shop):
    order = recent_order(shop, "DYO0002")
    found(client, "DYO0002")
    page = text(client.get("/portal/order/"))
    assert 'href="/portal/order/request/"' in page
    # One item, one unit: the request form starts at one, not zero.
    assert re.search(r'class="qty"[^>]*value="1"', text(client.get("/portal/order/request/")))
    open_case(shop, order)
    page = text(client.get("/portal/order/"))
    assert 'href="/portal/order/request/"' not in page and "该订单的所有商品都已申请售后" in page
    assert "已申请售后" in page
    response = client.get("/portal/order/request/")
    assert response.status_code == 302 and response["Location"] == "/portal/order/"


def test_lists_are_joined_as_each_language_writes_them(client, shop):
    from tests.integration.console_support import english

    recent_order(shop, "DYO0003")
    found(client, "DYO0003")
    assert "仅退款、退货退款" in text(client.get("/portal/order/"))
    english(client)
    page = text(client.get("/portal/order/"))
    faulty = page[page.index("Faulty or not as described"):]
    faulty = faulty[:faulty.index("</div>")]
    assert "、" not in faulty and ", " in faulty


def test_the_case_page_says_whose_step_the_deadline_is(client, shop):
    """"下一步截止" stood under a request waiting on the shop: the buyer read it as something to do."""
    from aftersales.cases import services
    from tests.integration.console_support import MERCHANT, english

    order = recent_order(shop, "DYO0004")
    found(client, "DYO0004")
    case = open_case(shop, order)

    def next_step() -> str:
        page = text(client.get(f"/portal/cases/{case.pk}/"))
        return re.search(r"<dt>([^<]*)</dt><dd id=\"next-step\"", page).group(1)

    assert next_step() == "商家处理截止"
    services.approve_case(shop, case.pk, MERCHANT)  # now the buyer sends it back
    assert next_step() == "请您在此前处理"
    english(client)
    assert next_step() == "Your step, by"
