"""On a phone (390 px wide) the workbench pages fit the screen: long tracking lists and wide tables scroll
inside their card instead of pushing the whole page sideways."""

from __future__ import annotations

import pytest

from tests.e2e.test_return_flow import PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_warehouse_desk_and_case_page_fit_a_phone(live_server_url, browser, screenshots):
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "warehouse")
    page.goto(live_server_url + "/warehouse/")
    shot(page, screenshots, "phone-width-warehouse-desk")
    assert page_width(page) == PHONE_SCREEN["width"]
    context.close()

    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(live_server_url + "/console/")
    page.locator("table a[href*='/console/cases/']").first.click()
    page.wait_for_load_state()
    shot(page, screenshots, "phone-width-case-page")
    assert page_width(page) == PHONE_SCREEN["width"]
    context.close()


def test_url_and_date_fields_look_like_the_other_fields(live_server_url, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "owner")
    radius = "e => getComputedStyle(e).borderRadius"
    page.goto(live_server_url + "/console/settings/")
    assert page.locator("input[type=url]").first.evaluate(radius) == "6px"  # the webhook address
    page.goto(live_server_url + "/analytics/")
    assert page.locator("input[type=date]").first.evaluate(radius) == "6px"  # the period's first day
    context.close()


def test_the_chosen_status_tab_is_in_view_on_a_phone(live_server_url, browser):
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(live_server_url + "/console/?tab=finished")
    box = page.locator("nav.tabs a.active").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_SCREEN["width"]
    context.close()


def test_a_cases_items_read_whole_on_a_phone(live_server_url, browser, screenshots):
    """Six columns left the product's name two characters wide and its amount off the right edge."""
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(live_server_url + "/console/")
    page.locator("table a[href*='/console/cases/']").first.click()
    page.wait_for_load_state()
    row = page.locator("table.stack-narrow tbody tr").first
    row.scroll_into_view_if_needed()
    shot(page, screenshots, "phone-case-items")
    title, paid = row.locator("td").first.bounding_box(), row.locator("td").last.bounding_box()
    assert title["width"] > PHONE_SCREEN["width"] * 0.6
    assert paid["x"] + paid["width"] <= PHONE_SCREEN["width"]
    assert "该商品实付" in row.locator("td").last.evaluate("e => getComputedStyle(e, '::before').content")
    context.close()


def test_every_menu_entry_and_every_address_column_is_in_view_on_a_phone(live_server_url, browser, screenshots):
    """The owner's menu scrolled sideways with 补偿审批 and 店铺设置 off the right edge; the return addresses'
    contact and defaults sat off it too."""
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "owner")
    page.goto(live_server_url + "/console/settings/addresses/")
    shot(page, screenshots, "phone-owner-menu-and-addresses")
    for entry in page.locator("nav.nav a").all():
        box = entry.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_SCREEN["width"], entry.inner_text()
    assert page.locator("nav.nav a:has-text('店铺设置')").is_visible()
    row = page.locator("tr.return-address").first
    for cell in row.locator("td").all():
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= PHONE_SCREEN["width"], cell.inner_text()
    assert page_width(page) == PHONE_SCREEN["width"]
    context.close()


def test_the_inbox_is_a_list_of_cards_and_a_case_leads_to_its_actions_on_a_phone(live_server_url, browser, screenshots):
    """The inbox table showed a phone only each case's deadline and number: status, buyer and amount sat
    off the right edge of a table scrolled sideways. And a case's actions came screens below the case."""
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(live_server_url + "/console/")
    row = page.locator("table.inbox tr.case-row").first
    row.scroll_into_view_if_needed()
    shot(page, screenshots, "phone-inbox-cards")
    for cell in ("a[href*='/console/cases/']", ".badge", "td.num"):
        box = row.locator(cell).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_SCREEN["width"], cell
    assert page.locator("table.inbox thead").is_hidden()
    assert page_width(page) == PHONE_SCREEN["width"]

    row.locator("a[href*='/console/cases/']").first.click()
    page.wait_for_load_state()
    page.locator("#to-actions").click()
    actions = page.locator("#actions").bounding_box()
    assert -2 <= actions["y"] < PHONE_SCREEN["height"] / 2  # the actions card is now at the top of the screen
    context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(live_server_url + "/console/")
    assert page.locator("table.inbox thead").is_visible()  # a desktop keeps the table
    page.locator("table a[href*='/console/cases/']").first.click()
    page.wait_for_load_state()
    assert page.locator("#to-actions").is_hidden()  # and its actions beside the case
    context.close()


def test_the_inbox_filters_fold_on_a_phone_unless_one_is_in_use(live_server_url, browser):
    """Fifteen filter fields filled two phone screens before the first case."""
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(live_server_url + "/console/")
    assert page.locator("#id_q").is_visible() and page.locator("#id_status").is_hidden()
    first_case = page.locator("table.inbox tr.case-row").first.bounding_box()
    assert first_case["y"] < PHONE_SCREEN["height"]  # the first case is on the first screen
    toggle = page.locator("[data-toggle-filters]")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert page.locator("#id_status").is_visible() and toggle.get_attribute("aria-expanded") == "true"
    page.goto(live_server_url + "/console/?platform=douyin")
    assert page.locator("#id_platform").is_visible()  # a filter in use stays in view
    context.close()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "agent")
    page.goto(live_server_url + "/console/")
    assert page.locator("#id_status").is_visible() and page.locator("[data-toggle-filters]").is_hidden()
    context.close()
