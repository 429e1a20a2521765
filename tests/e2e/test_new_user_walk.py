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


def _shell(env, script: str) -> list[str]:
    """Run Python in the server's Django (its database) and return what it printed, word by word."""
    import subprocess

    from tests.e2e.conftest import BIN, ROOT

    return subprocess.run([BIN / "aftersales", "shell", "-c", script], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.split()


def _look_up_order(page, order_no: str, last4: str) -> None:
    """The buyer's way into the portal: the order number and the phone's last four digits, sent with Enter."""
    page.fill("#id_order_no", order_no)
    page.fill("#id_last4", last4)
    with page.expect_navigation():
        page.keyboard.press("Enter")


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


def test_the_inspect_button_is_in_reach_on_a_phone(live_server_url, browser, server_env, screenshots):
    _new_return(server_env, "E2EDESK00000001", received=True)  # one return on the desk, at least
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


def _new_return(env, number: str, *, received: bool = False) -> tuple[str, str, int]:
    """A fresh order of the demo shop with a return the shop agreed to (and, with `received`, the parcel on
    the desk), whatever the demo's clock left in each status: (order number, last 4 digits, case id)."""
    script = f"""
from datetime import timedelta
from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.core import clock
from aftersales.orders.services import create_order
from aftersales.warehouse import services as desk
shop = Shop.objects.get(slug="demo")
paid = clock.now() - timedelta(days=3)
order = create_order(shop, {{
    "platform": "douyin", "platform_order_id": "{number}",
    "buyer": {{"nick": "新买家", "name": "新买家", "phone": "13900008888", "province": "江苏省", "city": "南京市"}},
    "paid_at": paid, "shipped_at": paid + timedelta(hours=6), "signed_at": paid + timedelta(days=1),
    "freight_fen": 0, "free_shipping": True,
    "lines": [{{"platform_line_id": "{number}-1", "title": "纯棉短袖T恤", "sku_code": "TX-{number}", "spec": "L 白色",
               "quantity": 1, "unit_price_fen": 5900, "paid_fen": 5900}}],
    "payments": [{{"route": "wechat", "amount_fen": 5900}}],
}})
line = order.lines.get()
case = services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="return_refund",
                          reason="quality_defect", by=services.By(services.Actor.BUYER))
services.approve_case(shop, case.pk, services.By(services.Actor.MERCHANT))
if {received}:
    services.record_return_shipment(shop, case.pk, services.By(services.Actor.BUYER), carrier="中通",
                                    tracking_no="ZT77{number[-8:]}")
    desk.receive_parcel(shop, services.By(services.Actor.WAREHOUSE), case_id=case.pk)
print(order.platform_order_id, "8888", case.pk)
"""
    out = _shell(env, script)
    return out[-3], out[-2], int(out[-1])


def _finished_unrated_order(env) -> tuple[str, str, int]:
    """An order of the demo shop whose case is completed and not yet rated: (order number, last 4, case id)."""
    return _demo_case(env, "status='completed', satisfaction__isnull=True")


def _demo_case(env, where: str) -> tuple[str, str, int]:
    """The first case of the demo shop matching `where` (Django filter keywords), with its buyer's way in:
    (order number, last 4 digits of the phone, case id)."""
    script = ("from aftersales.cases.models import Case\n"
              f"c = Case.objects.filter({where}).exclude(order__buyer__phone='')"
              ".select_related('order__buyer').order_by('pk').first()\n"
              "print(c.order.platform_order_id, c.order.buyer.phone[-4:], c.pk)")
    out = _shell(env, script)
    return out[-3], out[-2], int(out[-1])


def test_the_stars_follow_the_arrow_keys(live_server_url, browser, server_env, screenshots):
    """Laid out in reverse, → on ★1 jumped to ★5 and ← walked from ★5 to ★1 then ★2."""
    order_no, last4, case_id = _finished_unrated_order(server_env)
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server_url + "/portal/")
    _look_up_order(page, order_no, last4)
    page.goto(f"{live_server_url}/portal/cases/{case_id}/")
    page.click("#rate h2")  # start from the card's heading, as a reader does
    page.keyboard.press("Tab")  # into the stars: the first one
    page.keyboard.press("Space")
    checked = "document.querySelector('.stars input:checked').value"
    assert page.evaluate(checked) == "1"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate(checked) == "4"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(checked) == "3"
    gold = [page.locator(f"label[for=star{i}]").evaluate("e => getComputedStyle(e).color") for i in range(1, 6)]
    assert gold[:3] == ["rgb(245, 166, 35)"] * 3 and gold[3:] == ["rgb(208, 211, 217)"] * 2
    stars = [page.locator(f"label[for=star{i}]").bounding_box()["x"] for i in range(1, 6)]
    assert stars == sorted(stars)  # ★1 on the left
    shot(page, screenshots, "phone-stars-by-keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in the group sends the rating
    assert "感谢您的反馈" in page.inner_text("body") and page.locator("#rate").count() == 0
    context.close()


def test_the_connected_stores_read_on_a_phone(live_server_url, browser, server_env, screenshots):
    """Nine columns left a store's name two characters wide and 立即同步 off the right edge of a phone."""
    script = ("from aftersales.accounts.models import Shop\n"
              "from aftersales.platforms.sync.connections import connect_store\n"
              "from aftersales.platforms.sync.models import StoreConnection\n"
              "shop = Shop.objects.get(slug='demo')\n"
              "StoreConnection.objects.filter(shop=shop, name='抖店旗舰店').exists() or connect_store(shop, "
              "platform='douyin', name='抖店旗舰店', base_url='https://openapi-fxg.jinritemai.com', app_key='7012345', "
              "app_secret='s3cret', access_token='tok', check=False)")
    _shell(server_env, script)
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "owner")
    page.goto(live_server_url + "/stores/")
    shot(page, screenshots, "phone-stores")
    row = page.locator("#stores tbody tr").first
    name = row.locator("td").first.bounding_box()
    assert name["width"] > PHONE_SCREEN["width"] * 0.6
    sync = row.locator("button", has_text="立即同步")
    box = sync.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_SCREEN["width"]
    assert "下次同步" in row.locator("td").nth(3).evaluate("e => getComputedStyle(e, '::before').content")
    assert "{#" not in page.inner_text("body") and "{%" not in page.inner_text("body")
    context.close()
    # The store points at the real platform: it must not stay for the other tests' worker cycles to pull.
    forget = ("from aftersales.platforms.sync.models import StoreConnection\n"
              "StoreConnection.objects.filter(shop__slug='demo', name='抖店旗舰店').delete()")
    _shell(server_env, forget)


def test_the_buyer_copies_the_return_address_for_the_courier(live_server_url, browser, server_env, screenshots):
    """On a phone the address had to be typed into the courier's app by hand; the platforms copy it in one tap."""
    order_no, last4, case_id = _new_return(server_env, "E2ECOPY00000001")
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN", is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server_url)
    page = context.new_page()
    page.goto(f"{live_server_url}/portal/cases/{case_id}/")  # from a bookmark: the order is asked for first
    _look_up_order(page, order_no, last4)
    assert page.url.endswith(f"/portal/cases/{case_id}/")
    address = page.locator("#return-address")
    place = address.locator(".return-address-place strong").inner_text()
    button = address.get_by_role("button", name="复制地址")
    button.scroll_into_view_if_needed()
    shot(page, screenshots, "phone-copy-return-address")
    button.tap()
    expect_copied = page.evaluate("navigator.clipboard.readText()")
    assert place.replace(" ", "") in expect_copied.replace(" ", "")
    assert re.search(r"1[3-9]\d{9}|\d{3,4}-?\d{7,8}", expect_copied)  # the contact's phone, to write on the parcel
    assert address.get_by_role("button").inner_text() == "已复制"
    context.close()


def test_the_focus_ring_shows_on_the_portals_blue_bar(live_server_url, browser, server_env):
    """The ring was the bar's own blue: Tab reached 退出 and nothing seemed to happen."""
    order_no, last4, _case = _finished_unrated_order(server_env)
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server_url + "/portal/")
    _look_up_order(page, order_no, last4)
    page.click("main h1")
    page.keyboard.press("Shift+Tab")  # back up into the bar: 退出
    focused = page.evaluate("document.activeElement.innerText.trim()")
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert focused == "退出" and ring == "rgb(255, 255, 255)"
    context.close()


def test_the_request_forms_first_question_stands_clear_of_the_items(live_server_url, browser, server_env):
    """「您希望怎么处理？」 sat on the last item's rule."""
    script = ("from aftersales.orders.models import Order\n"
              "o = Order.objects.filter(cases__isnull=True, signed_at__isnull=False).exclude(buyer__phone='')"
              ".select_related('buyer').order_by('-signed_at').first()\n"
              "print(o.platform_order_id, o.buyer.phone[-4:])")
    out = _shell(server_env, script)
    order_no, last4 = out[-2], out[-1]
    context = browser.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server_url + "/portal/")
    _look_up_order(page, order_no, last4)
    page.goto(live_server_url + "/portal/order/request/")
    item = page.locator(".item").last.bounding_box()
    label = page.locator("label[for=id_kind]").bounding_box()
    assert label["y"] - (item["y"] + item["height"]) >= 12
    context.close()


def test_the_english_figures_fit_their_cards_on_a_laptop(live_server_url, browser, screenshots):
    """At 1366 px the English headings kept seven figures wider than their cards, "Cases ›" cut off (the
    Chinese page fit). Only the SKU table, with its thirteen columns, still scrolls inside its card."""
    context, page = english_page(browser, live_server_url, "owner", viewport={"width": 1366, "height": 900})
    page.goto(live_server_url + "/analytics/")
    shot(page, screenshots, "analytics-english-1366")
    overflowing = page.evaluate("""[...document.querySelectorAll('.table-wrap')]
        .filter(w => w.querySelectorAll('thead th').length < 13 && w.scrollWidth > w.clientWidth + 1)
        .map(w => w.closest('section').querySelector('h2').innerText.split('\\n')[0])""")
    assert overflowing == []
    context.close()
