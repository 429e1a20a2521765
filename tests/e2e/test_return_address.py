"""The return address in a real browser (Chinese): the agent approves a return and picks the warehouse
the goods go back to; the buyer sees that whole address on the buyer portal, at phone width."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.seed_return_address import ORDER_NO, PHONE
from tests.e2e.test_return_flow import DESKTOP, PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e


def test_the_agent_picks_the_return_address_and_the_buyer_sees_it(browser, live_server_url, server_env,
                                                                   screenshots):
    seeded = subprocess.run([sys.executable, "-m", "tests.e2e.seed_return_address"], env=server_env, cwd=ROOT,
                            check=True, capture_output=True, text=True)
    case_id = int(seeded.stdout.strip().splitlines()[-1])
    base = live_server_url
    agent = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(agent, base, "agent")
    agent.goto(f"{base}/console/cases/{case_id}/")

    # The approval form offers the shop's warehouses, the default for a 女装 return on 抖店 preselected,
    # each with its contact's phone masked.
    pick = agent.locator("form[action$='/act/approve/'] select[name='approve-return_address']")
    expect(pick.locator("option:checked")).to_contain_text("杭州主仓")
    guangzhou = "广州数码仓 · 广东省 广州市 白云区 太和镇大源北路 88 号 B 栋 510540，售后 阿强 139****3333"
    expect(pick).to_contain_text(guangzhou)
    pick.select_option(label=guangzhou)
    # The buyer's history in this shop sits beside the request: a new buyer here.
    expect(agent.locator("#buyer-history")).to_contain_text("新买家")
    shot(agent, screenshots, "console-case-approve-address")
    agent.click("text=同意申请")
    expect(agent.locator(".flash")).to_contain_text("已同意申请")
    expect(agent.locator("h1 .badge").first).to_have_text("待买家退货")
    kept = agent.locator("#case-return-address")
    expect(kept).to_contain_text("广州数码仓 · 广东省 广州市 白云区 太和镇大源北路 88 号 B 栋 510540")
    expect(kept).to_contain_text("售后 阿强 139****3333")

    # The buyer finds the order and reads where to send the goods, whole, with the phone to call.
    buyer = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    buyer.goto(base + "/portal/")
    buyer.fill("#id_order_no", ORDER_NO)
    buyer.fill("#id_last4", PHONE[-4:])
    buyer.click("main button[type=submit]")
    expect(buyer).to_have_url(re.compile(r"/portal/order/$"))
    buyer.goto(f"{base}/portal/cases/{case_id}/")
    address = buyer.locator("#ship #return-address")
    expect(address).to_contain_text("广东省 广州市 白云区 太和镇大源北路 88 号 B 栋")
    expect(address).to_contain_text("售后 阿强 · 13922223333")
    shot(buyer, screenshots, "portal-case-return-address-phone")
    narrow = browser.new_context(viewport=PHONE_SCREEN).new_page()
    sign_in(narrow, base, "agent")
    narrow.goto(f"{base}/console/cases/{case_id}/")
    expect(narrow.locator("#case-return-address")).to_be_visible()
    shot(narrow, screenshots, "console-case-return-address-phone")
