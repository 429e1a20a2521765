"""The auto-approve rules page in a real browser: the owner adds a rule (a bad cap is refused in
Chinese), the worker applies it, and the case page says which rule agreed. Screenshots (desktop and
phone) land in tests/e2e/screenshots/."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_return_flow import DESKTOP, PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e

ORDER = "AUTO20261204001"

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
order = create_order(shop, {{
    "platform": "douyin", "platform_order_id": "{ORDER}", "paid_at": clock.now() - timedelta(hours=2),
    "buyer": {{"nick": "自动同意测试买家", "name": "孙小美", "phone": "13700004321", "province": "浙江省", "city": "宁波市"}},
    "freight_fen": 0, "free_shipping": True,
    "lines": [{{"platform_line_id": "{ORDER}-1", "title": "棉麻收纳筐", "sku_code": "SN-1", "spec": "大号",
                "quantity": 1, "unit_price_fen": 3900, "paid_fen": 3900}}],
    "payments": [{{"route": "alipay", "amount_fen": 3900}}],
}})
case = services.open_case(shop, order_id=order.pk, lines=[(order.lines.first().pk, 1)], kind="refund_only",
                          reason="no_reason", by=services.By(Actor.BUYER), buyer_note="拍错颜色了")
print(case.pk)
"""


def test_the_owner_sets_a_rule_and_the_worker_applies_it(browser, live_server_url, screenshots, server_env):
    base = live_server_url
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, base, "owner")
    page.goto(base + "/console/settings/")
    page.click("a:has-text('自动同意规则')")
    expect(page.locator("h1")).to_contain_text("自动同意规则")
    new = page.locator("#new-rule")
    if not new.evaluate("el => el.open"):
        new.locator("summary").click()
    new.locator("[name=rule-name]").fill("未发货仅退款 ¥50 以下")
    new.locator("[name=rule-remedy]").select_option("refund_only")
    new.locator("[name=rule-goods_status]").select_option("not_shipped")
    new.locator("[name=rule-max_amount]").fill("五十")
    new.locator("button:has-text('保存规则')").click()
    expect(page.locator("body")).to_contain_text("请输入以元为单位的金额")
    new = page.locator("#new-rule")
    new.locator("[name=rule-max_amount]").fill("50")
    new.locator("button:has-text('保存规则')").click()
    expect(page.locator("body")).to_contain_text("规则已保存")
    rule = page.locator("details.rule", has_text="未发货仅退款 ¥50 以下")
    expect(rule).to_contain_text("不超过 ¥50.00")
    expect(rule).to_contain_text("未发货")
    shot(page, screenshots, "auto-approve-rules")
    phone = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, base, "owner")
    phone.goto(base + "/console/auto-approve/")
    expect(phone.locator("details.rule", has_text="未发货仅退款 ¥50 以下")).to_be_visible()  # among any others
    shot(phone, screenshots, "auto-approve-rules-phone")

    planted = subprocess.run([sys.executable, "-c", PLANT], env=server_env, cwd=ROOT, check=True,
                             capture_output=True, text=True)
    case_id = int(planted.stdout.strip().splitlines()[-1])
    ran = subprocess.run([str(ROOT / ".venv/bin/aftersales"), "auto-approve", "--shop", "demo"], env=server_env,
                         cwd=ROOT, check=True, capture_output=True, text=True)
    assert "未发货仅退款 ¥50 以下  refunded ¥39.00" in ran.stdout
    page.goto(f"{base}/console/cases/{case_id}/")
    expect(page.locator("body")).to_contain_text("自动同意：规则「未发货仅退款 ¥50 以下」")
    shot(page, screenshots, "auto-approve-case")
