"""A table's figures and their headings line up: a numeric column's heading is right-aligned over its
right-aligned figures (the case page's items, the trainees' averages), not left over the figures' right edge."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_return_flow import DESKTOP, sign_in

pytestmark = pytest.mark.e2e


def test_a_figures_heading_stands_over_its_figures(browser, live_server_url):
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server_url, "owner")
    page.goto(live_server_url + "/console/")
    page.locator("#inbox-table a[href*='/console/cases/']").first.click()
    heading = page.locator("table.list thead th.num").first
    expect(heading).to_be_visible()
    figure = page.locator("table.list tbody td.num").first
    assert heading.evaluate("e => getComputedStyle(e).textAlign") == "right"
    assert figure.evaluate("e => getComputedStyle(e).textAlign") == "right"
