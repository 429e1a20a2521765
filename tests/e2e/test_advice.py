"""The cheapest legal remedy on the case page, applied in one click in a real browser (Chinese)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_return_flow import DESKTOP, shot, sign_in

pytestmark = pytest.mark.e2e


def test_the_advice_is_applied_in_one_click(browser, live_server_url, server_env, screenshots):
    seeded = subprocess.run([sys.executable, "-m", "tests.e2e.seed_advice"], env=server_env, cwd=ROOT,
                            check=True, capture_output=True, text=True)
    case_id = int(seeded.stdout.strip().splitlines()[-1])
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(f"{live_server_url}/console/cases/{case_id}/")

    advice = page.get_by_test_id("advice")
    expect(advice).to_contain_text("最省钱的合法方案")
    # ¥9.90 socks (no catalogue category: the default grades, worth 69.7% back), the buyer pays the
    # freight: receiving ¥5 + resale loss ¥1.50 > the goods' cost ¥4.95.
    expect(advice).to_contain_text("收货质检 ¥5.00 + 二次销售损失 ¥1.50 = ¥6.50 > 商品成本 ¥4.95：建议仅退款不退货")
    expect(advice.locator("tr.advice-recommended")).to_contain_text("仅退款（不退货）")
    expect(page.get_by_test_id("signals")).to_contain_text("没有异常信号")
    shot(page, screenshots, "case-advice")

    page.get_by_test_id("apply-advice").click()
    page.wait_for_load_state()
    expect(page.locator(".flash")).to_contain_text("已按建议处理")
    expect(page.locator(".page-head .badge").first).to_contain_text("退款中")
    expect(page.locator("#case-page")).to_contain_text("售后方案已更改")
    expect(page.locator("#case-page")).to_contain_text("¥9.90")
    expect(page.get_by_test_id("advice")).to_contain_text("方案已在执行中")
    shot(page, screenshots, "case-advice-applied")
