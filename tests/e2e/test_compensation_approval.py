"""The compensation guard in a real browser: an agent asks ¥50 in cash above their limit, is asked for the
reason, and the request waits on the owner's list; the owner approves it and the case shows it given,
with the approver. Screenshots (desktop and phone) land in tests/e2e/screenshots/."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_return_flow import DESKTOP, PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e

ORDER = "COMP20261204001"

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
paid = clock.now() - timedelta(days=4)
order = create_order(shop, {{
    "platform": "douyin", "platform_order_id": "{ORDER}", "paid_at": paid,
    "shipped_at": paid + timedelta(hours=5), "signed_at": paid + timedelta(days=1),
    "buyer": {{"nick": "补偿测试买家", "name": "钱多多", "phone": "13700009911", "province": "江苏省", "city": "苏州市"}},
    "freight_fen": 0, "free_shipping": True,
    "lines": [{{"platform_line_id": "{ORDER}-1", "title": "真丝睡衣", "sku_code": "SS-1", "spec": "M",
                "quantity": 1, "unit_price_fen": 39900, "paid_fen": 39900}}],
    "payments": [{{"route": "alipay", "amount_fen": 39900}}],
}})
case = services.open_case(shop, order_id=order.pk, lines=[(order.lines.first().pk, 1)], kind="return_refund",
                          reason="quality_defect", by=services.By(Actor.BUYER), buyer_note="有一处脱线")
print(case.pk)
"""


@pytest.fixture(scope="module")
def case_id(server_env) -> int:
    done = subprocess.run([sys.executable, "-c", PLANT], env=server_env, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return int(done.stdout.strip().splitlines()[-1])


def test_an_agents_cash_above_the_limit_waits_for_the_owner(browser, live_server_url, screenshots, case_id):
    agent = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(agent, live_server_url, "agent")
    agent.goto(f"{live_server_url}/console/cases/{case_id}/")
    section = agent.locator("#compensation")
    expect(section).to_contain_text("客服单笔可发放 ¥20.00")
    section.locator("summary:has-text('发放补偿')").click()
    section.locator("#id_compensate-rung").select_option("red_envelope")
    section.locator("#id_compensate-amount").fill("50")
    section.locator("button:has-text('发放补偿')").click()
    expect(agent.locator("[role=alert]").first).to_contain_text("须填写原因")
    section = agent.locator("#compensation")
    section.locator("#id_compensate-reason").fill("买家收到的睡衣脱线，情绪激动")
    section.locator("button:has-text('发放补偿')").click()
    expect(agent.locator("body")).to_contain_text("已提交店长审批")
    expect(agent.locator("#compensation")).to_contain_text("待审批")
    shot(agent, screenshots, "compensation-pending-agent")

    owner = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    sign_in(owner, live_server_url, "owner")
    owner.goto(f"{live_server_url}/console/approvals/")
    row = owner.locator("#pending .approval-item", has_text="¥50.00")
    expect(row).to_contain_text("买家收到的睡衣脱线，情绪激动")
    expect(row).to_contain_text("超过客服单笔补偿限额")
    shot(owner, screenshots, "compensation-approvals-phone")
    row.locator("button:has-text('批准并发放')").click()
    expect(owner.locator("body")).to_contain_text("已批准：补偿已发放")
    expect(owner.locator("#decided")).to_contain_text("已批准")

    agent.goto(f"{live_server_url}/console/cases/{case_id}/")
    given = agent.locator("#compensation")
    expect(given).to_contain_text("¥50.00")
    expect(given).to_contain_text("批准人")
    expect(given).to_contain_text("原因：买家收到的睡衣脱线")
    shot(agent, screenshots, "compensation-given-after-approval")
