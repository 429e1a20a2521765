"""Whose move it is, in a real browser: a case the platform arbitrates and a decision the platform has not
yet confirmed read 等平台处理 — in the quick chips with their count, on each row and on the case page —
and neither shows as the shop's red overdue. Screenshots (desktop and phone) in tests/e2e/screenshots/."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_return_flow import DESKTOP, PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e

PLANT = """
import django
django.setup()
from datetime import timedelta
from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case
from aftersales.core import clock
from aftersales.orders.services import create_order
shop = Shop.objects.get(slug="demo")
for n in range(2):
    number = f"PLAT2026120400{n}"
    order = create_order(shop, {
        "platform": "douyin", "platform_order_id": number, "paid_at": clock.now() - timedelta(days=3),
        "buyer": {"nick": "平台测试买家" + "AB"[n], "name": "孙丽", "phone": "1360000770" + str(n),
                  "province": "四川省", "city": "成都市"},
        "freight_fen": 0, "free_shipping": True,
        "lines": [{"platform_line_id": number + "-1", "title": "纯棉四件套", "sku_code": "SJT-1", "spec": "1.8m",
                   "quantity": 1, "unit_price_fen": 19900, "paid_fen": 19900}],
        "payments": [{"route": "alipay", "amount_fen": 19900}],
    })
    case = services.open_case(shop, order_id=order.pk, lines=[(order.lines.first().pk, 1)], kind="refund_only",
                              reason="not_received", by=services.By(Actor.BUYER), buyer_note="一直没收到")
    if n == 0:  # 平台介入, its evidence clock passed yesterday
        services.escalate_case(shop, case.pk, services.By(Actor.BUYER), note="商家不处理，申请平台介入")
        Case.objects.filter(pk=case.pk).update(deadline_at=clock.now() - timedelta(days=1))
    else:  # approved, and the platform has not confirmed it yet
        Case.objects.filter(pk=case.pk).update(awaiting_platform="approve",
                                               deadline_at=clock.now() - timedelta(hours=2))
"""


@pytest.fixture(scope="module")
def planted(server_env):
    subprocess.run([sys.executable, "-c", PLANT], env=server_env, cwd=ROOT, check=True)


def test_the_platform_s_move_is_shown_and_never_our_overdue(browser, live_server_url, screenshots, planted):
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server_url, "agent")
    chip = page.locator(".quick [data-quick=platform]")
    expect(chip).to_contain_text("等平台处理")
    count = int(chip.locator("strong").inner_text())
    assert count >= 2
    chip.click()
    expect(page).to_have_url(re.compile(r"waiting=platform"))
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(count)
    expect(page.locator("table.inbox .due-overdue")).to_have_count(0)
    expect(page.locator("table.inbox tbody .whose")).to_have_text(["等平台处理"] * count)
    expect(page.locator("table.inbox tbody")).to_contain_text("PLAT20261204000")
    expect(page.locator("table.inbox tbody")).to_contain_text("PLAT20261204001")
    # The countdown reads as the platform's clock, not as the shop's lateness.
    expect(page.locator("table.inbox [data-waiting=platform]").first).to_contain_text(re.compile("平台(剩余|已超出)"))
    expect(page.locator("table.inbox tr.row-overdue")).to_have_count(0)
    shot(page, screenshots, "console-inbox-waiting-on-platform")
    # Not in "waiting on us", nor in "overdue only".
    page.goto(live_server_url + "/console/?waiting=us")
    expect(page.locator("table.inbox tbody")).not_to_contain_text("PLAT2026120400")
    page.goto(live_server_url + "/console/?overdue=on")
    expect(page.locator("table.inbox tbody")).not_to_contain_text("PLAT2026120400")

    phone = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, live_server_url, "agent")
    phone.goto(live_server_url + "/console/?q=PLAT20261204000")
    phone.locator("table.inbox tbody tr a").first.click()
    expect(phone.locator("h1 .badge").first).to_have_text("平台介入中")
    expect(phone.locator(".whose").first).to_have_text("等平台处理")
    expect(phone.locator("[data-waiting=platform]").first).to_contain_text(re.compile("平台(剩余|已超出)"))
    expect(phone.locator(".due-overdue")).to_have_count(0)
    shot(phone, screenshots, "console-case-arbitration-phone")
