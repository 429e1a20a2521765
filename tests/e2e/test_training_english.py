"""The training centre read in English: the simulated buyer and platform speak the reader's language on
the case page (their lines are kept by code, their words in the scenario library), and the training shop
is named in the reader's language — no "培训 Training" on either page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_return_flow import DESKTOP, shot, sign_in
from tests.e2e.test_training import _act, _expect_status, _start

pytestmark = pytest.mark.e2e


def test_the_simulated_buyer_speaks_the_readers_language(live_server_url, browser, screenshots):
    base = live_server_url
    context = browser.new_context(viewport=DESKTOP)
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, "agent")
    _start(page, base, "no-reason-tags-intact")
    switch = page.locator("#shop-switch option:checked")
    expect(switch).to_have_text("小鹿优选旗舰店 · Training")
    words = page.locator("#case-page .timeline-text").first
    expect(words).to_have_text("It does not suit me; I would like to return it, the tags are still on.")
    expect(page.locator("#words-as-written")).to_contain_text("穿上不太合适，想退货，吊牌都在。")

    _act(page, "reject", reason_code="other", note="not wanted", confirm="on")
    _expect_status(page, "arbitration")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("That is not fair, I am asking the platform to step in.")
    expect(timeline).to_contain_text("It does not suit me; I would like to return it, the tags are still on.")
    expect(timeline).not_to_contain_text("这样不合理")
    shot(page, screenshots, "training-case-english")

    # The same case read in Chinese: the same lines, in Chinese; the original words are not repeated.
    page.locator(".lang-switch button").click()
    page.wait_for_load_state()
    expect(timeline).to_contain_text("这样不合理，我申请平台介入。")
    expect(timeline).not_to_contain_text("That is not fair")
    expect(page.locator("#words-as-written")).to_have_count(0)
    expect(page.locator("#shop-switch option:checked")).to_have_text("小鹿优选旗舰店 · 培训")
    context.close()
