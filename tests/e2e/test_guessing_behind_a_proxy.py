"""Behind the reverse proxy every buyer arrives from the proxy's address: a buyer guessing an order's
phone digits is stopped, while another buyer — through the same proxy — finds that very order."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.seed import ORDER_NO, PHONE
from tests.e2e.test_return_flow import DESKTOP, shot

pytestmark = pytest.mark.e2e


def _look_up(page, base: str, last4: str) -> None:
    page.goto(base + "/portal/")
    page.fill("#id_order_no", ORDER_NO)
    page.fill("#id_last4", last4)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_one_guesser_behind_the_proxy_does_not_lock_out_the_buyer(browser, live_server_url, screenshots):
    guesser = browser.new_context(viewport=DESKTOP, extra_http_headers={"X-Forwarded-For": "203.0.113.50"})
    page = guesser.new_page()
    for digits in ("0001", "0002", "0003", "0004", "0005"):
        _look_up(page, live_server_url, digits)
        expect(page.locator("main")).to_contain_text("没有找到")
    _look_up(page, live_server_url, PHONE[-4:])  # this client must wait, even with the right digits
    expect(page.locator("main")).to_contain_text("尝试次数过多")
    shot(page, screenshots, "portal-guesser-stopped")

    buyer = browser.new_context(viewport=DESKTOP, extra_http_headers={"X-Forwarded-For": "198.51.100.60"}).new_page()
    _look_up(buyer, live_server_url, PHONE[-4:])
    expect(buyer).to_have_url(re.compile(r"/portal/order/$"))
    expect(buyer.locator("body")).to_contain_text("法式碎花连衣裙")
    guesser.close()
