"""The workbench in a real browser, at desktop and phone width: status tabs with counts, whose move it is
(no red overdue for the buyer's deadline), search by phone digits, an over-long search refused, and a
bulk refund that shows its total first and reports each case. Screenshots land in tests/e2e/screenshots/."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_return_flow import DESKTOP, PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e

NICK = "批量退款测试买家"

PLANT = f"""
import django
django.setup()
from datetime import timedelta
from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.core import clock
from aftersales.orders.services import create_order
shop = Shop.objects.get(slug="demo")
for n, (price, phone) in enumerate(((12900, "13700005566"), (5900, "13700007788"))):
    number = f"BULK2026120400{{n}}"
    order = create_order(shop, {{
        "platform": "douyin", "platform_order_id": number, "paid_at": clock.now() - timedelta(hours=3),
        "buyer": {{"nick": "{NICK}" + "AB"[n], "name": "赵敏", "phone": phone, "province": "江苏省", "city": "南京市"}},
        "freight_fen": 0, "free_shipping": True,
        "lines": [{{"platform_line_id": number + "-1", "title": "加厚珊瑚绒睡衣套装", "sku_code": "SY-1", "spec": "L",
                    "quantity": 1, "unit_price_fen": price, "paid_fen": price}}],
        "payments": [{{"route": "alipay", "amount_fen": price}}],
    }})
    services.open_case(shop, order_id=order.pk, lines=[(order.lines.first().pk, 1)], kind="refund_only",
                       reason="no_reason", by=services.By(Actor.BUYER), buyer_note="拍错了，不要了")
"""


@pytest.fixture(scope="module")
def planted(server_env):
    subprocess.run([sys.executable, "-c", PLANT], env=server_env, cwd=ROOT, check=True)


def test_tabs_whose_move_and_search(browser, live_server_url, screenshots, planted):
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server_url, "agent")
    tabs = page.locator("nav.tabs")
    expect(tabs).to_contain_text("待处理")
    expect(tabs).to_contain_text("待买家退货")
    expect(tabs.locator("[data-tab=review] .count")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator(".quick")).to_contain_text("今日跟进")
    shot(page, screenshots, "console-inbox-tabs")
    page.click("nav.tabs [data-tab=review]")
    expect(page).to_have_url(re.compile(r"tab=review"))
    expect(page.locator("table.inbox tbody .badge.status-requested")).to_have_count(
        int(tabs.locator("[data-tab=review] .count").inner_text()))
    page.click(".quick [data-quick=buyer]")
    rows = page.locator("table.inbox tbody tr")
    expect(rows.first.locator(".whose")).to_have_text("等买家处理")
    expect(page.locator("table.inbox .due-overdue")).to_have_count(0)
    expect(rows.first.locator("[data-waiting=buyer]")).to_contain_text(re.compile("买家(剩余|已逾期)"))
    shot(page, screenshots, "console-inbox-waiting-on-buyer")
    page.goto(live_server_url + "/console/")
    page.fill("#id_q", "5566")
    page.keyboard.press("Enter")
    # The buyer whose phone ends in 5566 is found; the other buyer of the same name is not.
    expect(page.locator("table.inbox tbody")).to_contain_text("BULK20261204000")
    expect(page.locator("table.inbox tbody")).not_to_contain_text("BULK20261204001")
    page.goto(live_server_url + "/console/?q=" + "查" * 80)
    expect(page.locator(".flash")).to_contain_text("搜索内容最多 64 个字符")

    phone = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, live_server_url, "agent")
    expect(phone.locator("nav.tabs")).to_be_visible()
    shot(phone, screenshots, "console-inbox-phone")


def test_bulk_refund_shows_the_total_then_each_result(browser, live_server_url, screenshots, planted):
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(f"{live_server_url}/console/?q={NICK}")
    expect(page.locator("table.inbox tbody tr")).to_have_count(2)
    page.check("[data-select-all=case]")
    expect(page.locator("input[name=case]:checked")).to_have_count(2)
    page.click("text=批量同意退款…")
    expect(page.locator("h1")).to_have_text("批量同意退款")
    expect(page.locator("strong.total")).to_have_text("¥188.00")
    expect(page.locator("table.bulk-plan tbody tr")).to_have_count(2)
    shot(page, screenshots, "console-bulk-refund-plan")
    page.click("button:has-text('确认退款 ¥188.00')")
    expect(page.locator(".flash").first).to_contain_text("已退款 2 个售后单，共 ¥188.00")
    expect(page.locator("body")).to_contain_text("¥129.00 已退款")
    expect(page.locator("body")).to_contain_text("¥59.00 已退款")
    shot(page, screenshots, "console-bulk-refund-done")
