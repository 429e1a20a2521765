"""The return freight the shop owes, in a real browser: the buyer (phone) sends the dress back and says
what the parcel cost; the agent (desktop) sees who pays it and each line's goods state, reimburses it in
one step, and the buyer sees the reimbursement."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.seed_return_freight import ORDER_NO, PHONE
from tests.e2e.test_exchange import DESKTOP, PHONE_SCREEN, sign_in

pytestmark = pytest.mark.e2e


def test_the_buyer_states_the_return_freight_and_the_agent_reimburses_it(browser, live_server_url, server_env,
                                                                        screenshots):
    base = live_server_url
    seeded = subprocess.run([sys.executable, "-m", "tests.e2e.seed_return_freight"], env=server_env, cwd=ROOT,
                            check=True, capture_output=True, text=True)
    case_id = seeded.stdout.strip().splitlines()[-1]
    buyer = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    buyer.goto(base + "/portal/")
    buyer.fill("#id_order_no", ORDER_NO)
    buyer.fill("#id_last4", PHONE[-4:])
    buyer.click("main button[type=submit]")
    buyer.goto(f"{base}/portal/cases/{case_id}/")
    expect(buyer.locator(".line-goods")).to_have_text(["买家已签收", "未发货"])
    buyer.fill("#id_carrier", "中通快递")
    buyer.fill("#id_tracking_no", "ZT1122334455")
    buyer.fill("#id_freight", "12")
    buyer.screenshot(path=str(screenshots / "portal-return-freight-phone.png"), full_page=True)
    buyer.locator("#ship button[type=submit]").click()
    buyer.wait_for_load_state()

    agent = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(agent, base, "agent")
    agent.goto(f"{base}/console/cases/{case_id}/")
    card = agent.locator("#return-freight")
    expect(card).to_contain_text("商家")
    expect(card).to_contain_text("买家称寄回运费 ¥12.00")
    expect(agent.locator(".line-goods")).to_have_text(["买家已签收", "未发货"])
    card.locator("summary").click()
    expect(card.locator("input[name$='-amount']")).to_have_value("12.00")
    agent.screenshot(path=str(screenshots / "console-return-freight.png"), full_page=True)
    card.locator("button[type=submit]").click()
    expect(agent.locator(".flash")).to_contain_text("已报销买家的寄回运费")
    expect(agent.locator("#return-freight")).to_contain_text("已报销寄回运费 ¥12.00")

    buyer.goto(f"{base}/portal/cases/{case_id}/")
    expect(buyer.locator("#return-freight")).to_have_text("已报销寄回运费 ¥12.00")
    buyer.screenshot(path=str(screenshots / "portal-return-freight-reimbursed-phone.png"), full_page=True)
