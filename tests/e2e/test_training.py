"""The training centre in a real browser: a trainee signs in, works three scenarios in the real case
page — a lawful approval, a wrong refusal that the buyer takes to the platform, an angry buyer calmed
with the compensation ladder — and reads the scores and reasons; the owner sees them on the progress
page, and none of the training cases appears in the shop's real inbox.

Screenshots land in tests/e2e/screenshots/ (training-*.png).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_return_flow import DESKTOP, shot, sign_in

pytestmark = pytest.mark.e2e


def _start(page: Page, base: str, key: str) -> str:
    page.goto(base + "/training/")
    page.locator(f"tr[data-scenario='{key}'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/cases/\d+/$"))
    expect(page.locator("#training-case")).to_be_visible()
    expect(page.locator("header.topbar.training")).to_be_visible()
    return page.locator("h1").first.inner_text().split()[0]  # the training case number


def _act(page: Page, action: str, **fields) -> None:
    form = page.locator(f"form[action$='/act/{action}/']")
    details = form.locator("xpath=ancestor::details")
    if details.count() and not details.first.get_attribute("open") is not None:
        details.first.locator("summary").click()
    for name, value in fields.items():
        field = form.locator(f"[name='{action}-{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        elif field.get_attribute("type") == "checkbox":
            field.check()
        else:
            field.fill(value)
    with page.expect_response(lambda r: "/console/cases/" in r.url and r.request.method == "GET"):
        form.locator("button[type=submit]").click()
    _settled(page)


def _settled(page: Page) -> None:
    """The response is in; wait until htmx has swapped it into the page."""
    page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def _reply(page: Page, template_name: str) -> None:
    page.locator("#reply .template-picks button", has_text=template_name).click()
    with page.expect_response(lambda r: "/console/cases/" in r.url and r.request.method == "GET"):
        page.locator("#reply button[type=submit]").click()
    _settled(page)


def _expect_status(page: Page, status: str) -> None:
    # Waits for htmx to swap the page in: the response arrives before the swap.
    expect(page.locator("h1 .badge").first).to_have_class(re.compile(rf"status-{status}\b"))


def _score(page: Page, criterion: str) -> int:
    return int(page.locator(f"tr[data-criterion='{criterion}'] .score").inner_text())


def test_a_trainee_trains_and_the_owner_sees_it(browser, live_server_url, screenshots):
    base = live_server_url
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, "trainee")
    expect(page).to_have_url(re.compile(r"/training/$"))
    expect(page.locator("h1")).to_contain_text("培训中心")
    shot(page, screenshots, "training-centre")

    # 1. A lawful request, approved and refunded at once (the order never shipped).
    first = _start(page, base, "not-shipped-refund")
    shot(page, screenshots, "training-case")
    _act(page, "approve")
    _act(page, "grant_refund", reason_code="approved_request")  # the amount offered is what may be refunded
    _act(page, "execute_refund")
    expect(page.locator("#see-score")).to_be_visible()
    page.locator("#see-score").click()
    expect(page.locator("#verdict")).to_have_text("通过")
    for criterion in ("lawful", "cost", "time", "care", "evidence"):
        assert _score(page, criterion) == 100, criterion
    expect(page.locator("tr[data-criterion='lawful'] .sentence")).to_contain_text("依法处理了买家的合法申请")

    # 2. A lawful return refused: the buyer asks the platform to step in; the evidence cannot save it.
    second = _start(page, base, "no-reason-tags-intact")
    _act(page, "reject", reason_code="other", note="不想退", confirm="on")
    _expect_status(page, "arbitration")
    expect(page.locator("#case-page")).to_contain_text("这样不合理，我申请平台介入。")
    _act(page, "note", note="举证：商品页已写明尺码表")
    _expect_status(page, "refunding")  # the platform ruled for the buyer
    expect(page.locator("#case-page")).to_contain_text("支持买家诉求")
    page.locator("#finish-training").click()
    page.wait_for_url(re.compile(r"/training/attempts/\d+/$"))
    expect(page.locator("#verdict")).to_have_text("未通过")
    assert _score(page, "lawful") == 0
    expect(page.locator("tr[data-criterion='lawful'] .sentence")).to_contain_text("拒绝了一个依法应当支持的退货退款申请")
    expect(page.locator("ol.ideal")).to_contain_text("同意申请")
    shot(page, screenshots, "training-score-failed")

    # 3. The angry buyer: apologise first, then the ladder from the member discount, then refund.
    third = _start(page, base, "angry-ladder")
    _reply(page, "致歉安抚")
    expect(page.locator("#case-page")).to_contain_text("光说抱歉不够，我要补偿！")
    _act(page, "compensate", rung="member_discount", amount="10")
    expect(page.locator("#case-page")).to_contain_text("嗯，这还差不多，谢谢。")
    _act(page, "approve")
    _act(page, "grant_refund", reason_code="approved_request")  # the amount offered is what may be refunded
    _act(page, "execute_refund")
    page.locator("#see-score").click()
    expect(page.locator("#verdict")).to_have_text("通过")
    assert _score(page, "care") == 100
    expect(page.locator("tr[data-criterion='care'] .sentence")).to_contain_text("沟通到位")
    shot(page, screenshots, "training-score-passed")

    # The owner sees the three attempts on the progress page; the shop's real inbox has none of them.
    owner = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(owner, base, "owner")
    owner.goto(base + "/training/progress/")
    trainee = owner.locator("section.trainee[data-user='trainee']")
    expect(trainee).to_contain_text("已完成 3 个场景，通过 2 个。")
    expect(trainee).to_contain_text("未发货，买家不想要了")
    expect(owner.locator("section.card", has_text="最常不通过的场景")).to_contain_text("七天无理由退货（吊牌完好）")
    shot(owner, screenshots, "training-progress")
    for number in (first, second, third):
        owner.goto(base + "/console/?scope=all&q=" + number)
        expect(owner.locator("#inbox-table")).not_to_contain_text(number)
