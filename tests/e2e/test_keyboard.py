"""The console and the training pages by keyboard alone: every control Tab reaches shows a ring one can see,
Enter submits a field's form, Ctrl+Enter sends what is written in a text area, and the shop switcher lets
the arrow keys walk the shops without switching until Enter."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_return_flow import DESKTOP, sign_in
from tests.e2e.test_training import _start

pytestmark = pytest.mark.e2e

BLUE = "rgb(22, 96, 216)"


def _tab_to(page: Page, selector: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _ring(page: Page) -> tuple[str, str, str]:
    return tuple(page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"))


def test_the_inbox_and_a_case_by_keyboard(live_server_url, browser):
    base = live_server_url
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, base, "agent")
    page.goto(base + "/console/")
    # A checkbox, a select and a button each show the same blue ring (a checkbox showed a pale one).
    for selector in ("input[name=overdue]", "#id_status", "form.filters button[type=submit]"):
        page.goto(base + "/console/")
        _tab_to(page, selector)
        assert _ring(page) == ("solid", "2px", BLUE), selector

    # Enter in the search box filters.
    page.goto(base + "/console/")
    _tab_to(page, "#id_q")
    page.keyboard.type("AS")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=AS"))

    # A case page: the internal note is written and sent without the mouse.
    page.goto(base + "/console/")
    page.locator("table a[href*='/console/cases/']").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/console/cases/\d+/$"))
    _tab_to(page, "textarea[name=note-note]", limit=200)
    assert _ring(page) == ("solid", "2px", BLUE)
    page.keyboard.type("键盘备注 Ctrl+Enter")
    page.keyboard.press("Control+Enter")
    expect(page.locator("ol.timeline")).to_contain_text("键盘备注 Ctrl+Enter")
    # A button pressed: the page is drawn anew and the focus stays in the card acted in, not back at the top.
    _tab_to(page, "#handling form[action$='/act/follow_up/'] button[type=submit]", limit=200)
    events = page.locator("ol.timeline > li").count()
    page.keyboard.press("Enter")
    expect(page.locator("ol.timeline > li")).to_have_count(events + 1)
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('#handling')")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#handling')")

    # A refused form leaves the focus on the first field to correct.
    _tab_to(page, "textarea[name=note-note]", limit=200)
    page.keyboard.type("   ")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'note-note'"
                           " && document.activeElement.getAttribute('aria-invalid') === 'true'")


def test_the_shop_switcher_switches_on_enter_not_on_each_arrow(live_server_url, browser):
    base = live_server_url
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, base, "agent")
    _start(page, base, "not-shipped-refund")  # the agent now has a training shop beside the real one
    page.goto(base + "/console/")
    switch = page.locator("#shop-switch")
    before = switch.input_value()
    page.evaluate("window.stillHere = true")
    switch.focus()
    page.keyboard.press("ArrowDown")
    if switch.input_value() == before:
        page.keyboard.press("ArrowUp")
    picked = switch.input_value()
    assert picked != before
    page.wait_for_timeout(500)
    assert page.evaluate("window.stillHere === true")  # no page was loaded by the arrow key
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#shop-switch")).to_have_value(picked)
    assert page.evaluate("window.stillHere === undefined")
