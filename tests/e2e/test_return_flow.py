"""A whole return in a real browser, in Chinese: the buyer asks with a photo, the agent approves, the
buyer sends the parcel, the warehouse grades it A, the agent refunds, the buyer sees it done and rates.

Screenshots of every main page land in tests/e2e/screenshots/ (desktop, and a phone for the portal).
"""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.seed import ORDER_NO, PHONE, TRACKING_NO

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1440, "height": 900}
PHONE_SCREEN = {"width": 390, "height": 844}
PASSWORD = "aftersales-demo"


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def shot(page: Page, folder, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "problem.png"
    image = Image.new("RGB", (640, 480), (231, 76, 60))
    for x in range(100, 540):
        for y in range(200, 220):
            image.putpixel((x, y), (255, 255, 255))
    image.save(path)
    return path


def test_a_return_from_request_to_rating(browser, live_server_url, screenshots, photo):
    base = live_server_url
    buyer = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    staff = browser.new_context(viewport=DESKTOP)
    agent = staff.new_page()
    keeper = browser.new_context(viewport=DESKTOP).new_page()

    # 1. The buyer finds the order (no account) and reads the policy that applies, in Chinese.
    buyer.goto(base + "/portal/")
    expect(buyer.locator("h1")).to_contain_text("退货")
    shot(buyer, screenshots, "portal-find-phone")
    buyer.fill("#id_order_no", ORDER_NO)
    buyer.fill("#id_last4", PHONE[-4:])
    buyer.click("main button[type=submit]")
    expect(buyer).to_have_url(re.compile(r"/portal/order/$"))
    expect(buyer.locator("body")).to_contain_text("法式碎花连衣裙")
    expect(buyer.locator(".policy").first).to_contain_text("可以无理由退货")
    shot(buyer, screenshots, "portal-order-phone")

    # 2. ...and asks to return it, with a photo.
    buyer.click("text=申请售后")
    buyer.locator("input.qty").first.fill("1")
    buyer.select_option("#id_kind", "return_refund")
    buyer.select_option("#id_reason", "size_fit")
    buyer.fill("#id_note", "尺码偏小，穿不上，想退货")
    buyer.set_input_files("#id_photos", str(photo))
    shot(buyer, screenshots, "portal-request-phone")
    buyer.click("main button[type=submit]")
    expect(buyer).to_have_url(re.compile(r"/portal/cases/\d+/$"))
    expect(buyer.locator("h1 .badge")).to_have_text("待商家处理")
    case_url = buyer.url
    case_id = re.search(r"/cases/(\d+)/", case_url).group(1)

    # 3. The agent finds it in the inbox and approves it.
    sign_in(agent, base, "agent")
    expect(agent).to_have_url(re.compile(r"/console/$"))
    expect(agent.locator("h1")).to_have_text("售后工作台")
    expect(agent.locator("[data-deadline]").first).to_contain_text(re.compile("(天|小时|分)"))
    shot(agent, screenshots, "console-inbox")
    agent.fill("#id_q", ORDER_NO)
    agent.keyboard.press("Enter")
    # Enter and the typing delay may each fetch the table: let both land before clicking a row.
    agent.wait_for_load_state("networkidle")
    expect(agent.locator("table.inbox tbody tr")).to_have_count(1)
    agent.locator("table.inbox tbody tr a").first.click()
    expect(agent).to_have_url(re.compile(rf"/console/cases/{case_id}/$"))
    expect(agent.locator("body")).to_contain_text("138****1234")
    expect(agent.locator(".photos img")).to_have_count(1)
    expect(agent.locator(".rules").first).to_be_visible()
    shot(agent, screenshots, "console-case-requested")
    # Actions happen in place (htmx): the page is not reloaded, and a refused form is shown with its reason.
    agent.evaluate("window.stayed = true")
    agent.locator("summary", has_text="拒绝申请").click()
    reject = "form[action$='/act/reject/']"
    # A size complaint within seven days is a lawful no-reason return: the agent is warned and may not refuse.
    expect(agent.locator(".lawful-warning")).to_contain_text("该申请符合七天无理由退货，拒绝可能被平台判责")
    expect(agent.locator(f"{reject} button[type=submit]")).to_be_disabled()
    shot(agent, screenshots, "console-case-reject-guarded")
    # A tampered page that enables the button anyway: the server refuses, in place, and nothing changes.
    agent.select_option(f"{reject} select[name$='reason_code']", "not_intact")
    agent.fill(f"{reject} textarea[name$='note']", "吊牌已剪")
    agent.check(f"{reject} input[name$='confirm']")
    agent.evaluate(f"document.querySelector(\"{reject} button[type=submit]\").disabled = false")
    agent.once("dialog", lambda dialog: dialog.accept())
    agent.locator(f"{reject} button[type=submit]").click()
    expect(agent.locator(".form-error:not(.lawful-warning)").first).to_contain_text("只有店长可以拒绝")
    expect(agent.locator("h1 .badge").first).to_have_text("待商家处理")
    agent.click("text=同意申请")
    expect(agent.locator(".flash")).to_contain_text("已同意申请")
    expect(agent.locator("h1 .badge").first).to_have_text("待买家退货")
    assert agent.evaluate("window.stayed === true")
    expect(agent).to_have_url(re.compile(rf"/console/cases/{case_id}/$"))

    # 4. The buyer sends the parcel back and enters the tracking number.
    buyer.goto(case_url)
    expect(buyer.locator("#ship")).to_be_visible()
    buyer.fill("#id_carrier", "顺丰速运")
    buyer.fill("#id_tracking_no", TRACKING_NO)
    shot(buyer, screenshots, "portal-case-ship-phone")
    buyer.click("#ship button[type=submit]")
    expect(buyer.locator("h1 .badge")).to_have_text("退货运输中")

    # 5. The warehouse scans it, receives it and grades it A.
    sign_in(keeper, base, "warehouse")
    expect(keeper).to_have_url(re.compile(r"/warehouse/$"))
    keeper.fill("#id_tracking_no", TRACKING_NO.lower())
    keeper.keyboard.press("Enter")
    expect(keeper.locator("body")).to_contain_text("该包裹属于售后单")
    shot(keeper, screenshots, "warehouse-scan")
    keeper.click("text=签收并质检")
    expect(keeper).to_have_url(re.compile(rf"/warehouse/cases/{case_id}/inspect/$"))
    checks = keeper.locator("input[type=checkbox][name^=check_]")
    assert checks.count() > 0
    for i in range(checks.count()):  # every box starts unticked: the keeper ticks what they checked
        expect(checks.nth(i)).not_to_be_checked()
        checks.nth(i).check()
    keeper.check("input[name=grade][value=A]")
    keeper.check("input[name=restock]")
    keeper.set_input_files("input[name=photos]", str(photo))
    shot(keeper, screenshots, "warehouse-inspect")
    keeper.click("text=保存质检结果")
    expect(keeper.locator(".flash")).to_contain_text("质检结果已保存")
    # The warehouse never sees refunds.
    assert keeper.goto(f"{base}/console/cases/{case_id}/").status == 403

    # 6. The agent grants and sends the refund.
    agent.goto(f"{base}/console/cases/{case_id}/")
    expect(agent.locator("h1 .badge").first).to_have_text("退款中")
    expect(agent.locator("#id_grant_refund-amount")).to_have_value("159.00")
    agent.select_option("#id_grant_refund-reason_code", "inspection_passed")
    agent.locator("#actions button.primary", has_text="同意退款").click()
    expect(agent.locator(".flash")).to_contain_text("已同意退款")
    agent.once("dialog", lambda dialog: dialog.accept())
    agent.locator("#actions button.primary", has_text="给买家").click()
    expect(agent.locator("h1 .badge").first).to_have_text("售后成功")
    shot(agent, screenshots, "console-case-completed")

    # 7. The buyer sees the money back and rates the service.
    buyer.goto(case_url)
    expect(buyer.locator("h1 .badge")).to_have_text("售后成功")
    expect(buyer.locator("body")).to_contain_text("¥159.00")
    buyer.click("label[for=star5]")
    buyer.fill("#id_comment", "处理很快，客服态度好")
    shot(buyer, screenshots, "portal-case-rate-phone")
    buyer.click("#rate button[type=submit]")
    expect(buyer.locator(".flash")).to_contain_text("感谢您的评价")
    shot(buyer, screenshots, "portal-case-done-phone")

    # The agent sees the rating on the timeline.
    agent.goto(f"{base}/console/cases/{case_id}/")
    expect(agent.locator(".timeline")).to_contain_text("买家评价了服务")


def test_the_language_switch_turns_the_console_to_english(browser, live_server_url, screenshots):
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server_url, "owner")
    expect(page.locator("nav.nav")).to_contain_text("店铺设置")
    page.click("footer button:has-text('English')")
    expect(page.locator("nav.nav")).to_contain_text("Shop settings")
    page.goto(live_server_url + "/console/settings/")
    expect(page.locator("h1")).to_contain_text("Shop settings")
    shot(page, screenshots, "console-settings-en")
    page.click("footer button:has-text('简体中文')")
    expect(page.locator("h1")).to_contain_text("店铺设置")
    shot(page, screenshots, "console-settings")
