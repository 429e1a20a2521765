"""What a new owner and a new warehouse keeper trip over on their first walk through the pages, in English
and on a phone: Chinese words left in the English pages' help texts, a parcel registered twice because
its label was scanned twice, the desk's 质检 button off the right edge of a phone."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_return_flow import DESKTOP, PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e

CJK = re.compile(r"[\u4e00-\u9fff]")


def english_page(browser, base, username, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    sign_in(page, base, username)
    return context, page


def test_the_owners_connect_and_import_help_reads_in_english(live_server_url, browser, screenshots):
    context, page = english_page(browser, live_server_url, "owner")
    page.goto(live_server_url + "/stores/")
    help_text = page.locator("#connect p.muted").inner_text()
    assert "self-developed app" in help_text and not CJK.search(help_text)  # it said (自用型/自研应用)
    page.goto(live_server_url + "/imports/")
    shot(page, screenshots, "imports-english")
    options = page.locator("#id_kind option").all_inner_texts()
    assert options == ["Orders (the order export)", "After-sale cases (the after-sale export)"]
    where = page.locator("dl.kv").inner_text()
    # The platforms' back ends are in Chinese only: the menu's own words stay beside their English.
    assert "Order management (订单管理)" in where and "Refund management (退款管理)" in where
    context.close()


def test_a_parcel_scanned_twice_is_registered_once_and_the_desk_says_so(live_server_url, browser, screenshots):
    context, page = english_page(browser, live_server_url, "warehouse")
    page.goto(live_server_url + "/warehouse/")
    page.fill("#id_tracking_no", "YT5550001112")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # as a scanner does
    offer = page.locator(".action").first.inner_text()
    assert "No case waits for this tracking number." in offer and not CJK.search(offer)  # it said (无信息件)
    page.fill("#scan-note", "one black T-shirt, no slip")
    with page.expect_navigation():
        page.click("text=Register the parcel")
    assert not CJK.search(page.locator("#flash").inner_text())
    page.fill("#id_tracking_no", "YT5550001112")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    shot(page, screenshots, "desk-scanned-twice")
    assert "was registered at" in page.locator("#already-registered").inner_text()
    assert page.locator("#scan-note").count() == 0
    assert page.get_by_text("YT5550001112", exact=True).count() == 1  # one parcel with no information
    context.close()


def test_the_inspect_button_is_in_reach_on_a_phone(live_server_url, browser, screenshots):
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "warehouse")
    page.goto(live_server_url + "/warehouse/")
    shot(page, screenshots, "phone-desk-to-inspect")
    button = page.locator("#to-inspect a.button").first
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] + box["width"] <= PHONE_SCREEN["width"] - 12
    assert page.locator("#to-inspect").evaluate("e => e.parentElement.scrollWidth <= e.parentElement.clientWidth")
    context.close()
