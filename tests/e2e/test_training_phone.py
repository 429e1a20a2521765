"""On a phone (390 px wide) the training pages fit the screen: the scenario list, a training case, the
score page and the owner's progress page never push the page sideways; wide tables scroll inside their
card. Screenshots land in tests/e2e/screenshots/ (training-phone-*.png)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_return_flow import PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_training_pages_fit_a_phone(live_server_url, browser, screenshots):
    base = live_server_url
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, "agent")  # an agent trains too; the trainee's own record is test_training's
    page.goto(base + "/training/")
    shot(page, screenshots, "training-phone-centre")
    assert page_width(page) == PHONE_SCREEN["width"]
    # Each scenario's title and brief take the card's width, not a column one or two characters wide.
    assert page.locator("tr[data-scenario] td:first-child").first.bounding_box()["width"] > 300

    page.locator("tr[data-scenario='no-reason-tags-intact'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/cases/\d+/$"))
    expect(page.locator("#training-case")).to_be_visible()
    shot(page, screenshots, "training-phone-case")
    assert page_width(page) == PHONE_SCREEN["width"]

    page.locator("#finish-training").click()
    page.wait_for_url(re.compile(r"/training/attempts/\d+/$"))
    expect(page.locator("#verdict")).to_be_visible()
    shot(page, screenshots, "training-phone-score")
    assert page_width(page) == PHONE_SCREEN["width"]
    context.close()

    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    owner = context.new_page()
    sign_in(owner, base, "owner")
    owner.goto(base + "/training/progress/")
    expect(owner.locator("section.trainee[data-user='agent']")).to_be_visible()
    shot(owner, screenshots, "training-phone-progress")
    assert page_width(owner) == PHONE_SCREEN["width"]
    context.close()
