"""The buyer's words in a real browser: the inbox sorted most urgent first, the case page's reading of the
words beside the picked reason, and "what buyers say" in analytics. Screenshots in tests/e2e/screenshots/."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_return_flow import DESKTOP, shot, sign_in

pytestmark = pytest.mark.e2e

PLANT = """
import django
django.setup()
from datetime import timedelta
from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.core import clock
from aftersales.orders.services import create_order
shop = Shop.objects.get(slug="demo")
notes = (("size_fit", "偏小，想换大一码"), ("quality_defect", "发错货了！垃圾店铺，骗子！！！"),
         ("not_received", "一直没收到货，再不处理我就投诉到12315"))
for n, (reason, note) in enumerate(notes):
    number = f"WORDS2026120400{n}"
    order = create_order(shop, {
        "platform": "douyin", "platform_order_id": number, "paid_at": clock.now() - timedelta(days=3),
        "shipped_at": clock.now() - timedelta(days=2), "signed_at": clock.now() - timedelta(days=1),
        "buyer": {"nick": f"原话买家{n}", "name": "钱多多", "phone": "13900001111", "province": "浙江省", "city": "杭州市"},
        "freight_fen": 0, "free_shipping": True,
        "lines": [{"platform_line_id": number + "-1", "title": "纯棉T恤", "sku_code": "TX-1", "spec": "M",
                    "quantity": 1, "unit_price_fen": 9900, "paid_fen": 9900}],
        "payments": [{"route": "alipay", "amount_fen": 9900}],
    })
    services.open_case(shop, order_id=order.pk, lines=[(order.lines.first().pk, 1)], kind="return_refund",
                       reason=reason, by=services.By(Actor.BUYER), buyer_note=note, enforce_policy=False)
"""


@pytest.fixture(scope="module")
def planted(server_env):
    subprocess.run([sys.executable, "-c", PLANT], env=server_env, cwd=ROOT, check=True)


def test_the_inbox_puts_the_most_urgent_first_and_the_case_shows_the_words(
        browser, live_server_url, screenshots, planted):
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(live_server_url + "/console/?q=WORDS20261204")
    page.select_option("#id_sort", "urgency")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("投诉风险")
    expect(rows.nth(1).locator(".badge.angry")).to_be_visible()
    expect(rows.nth(1)).to_contain_text("原话")
    shot(page, screenshots, "console-inbox-most-urgent-first")
    rows.nth(1).locator("a").first.click()
    words = page.locator("#buyer-words")
    expect(words).to_contain_text("原话判断")
    expect(words).to_contain_text("所选原因与原话不符")
    expect(words.locator("mark").first).to_have_text("发错")
    shot(page, screenshots, "case-buyer-words")
    page.goto(live_server_url + "/analytics/words/")
    expect(page.locator("h1")).to_contain_text("买家怎么说")
    expect(page.locator("#themes")).to_contain_text("尺码偏小")
    shot(page, screenshots, "analytics-what-buyers-say")
