"""极速退款 in a real browser: the owner adds a fast-refund rule (a bad cap is refused in Chinese), the worker
refunds two trusted buyers' returns as soon as their tracking numbers are in, the case page says which rule
refunded them, and the warehouse still receives both: one passes and completes without a second refund,
the other fails (an empty box) and is marked for the owner's follow-up. Screenshots (desktop and phone)
land in tests/e2e/screenshots/."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_inspection import receive
from tests.e2e.test_return_flow import DESKTOP, PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e

RULE = "信任买家极速退款 ¥300 以下"
PASSES, FAILS = "YT8800000001", "YT8800000002"

PLANT = """
import django
django.setup()
from datetime import timedelta
from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.core import clock
from aftersales.intelligence.signals.models import BuyerStanding
from aftersales.orders.services import create_order
shop = Shop.objects.get(slug="demo")
paid = clock.now() - timedelta(days=3)
for n, tracking in ((1, "YT8800000001"), (2, "YT8800000002")):
    number = f"FAST2026120500{n}"
    order = create_order(shop, {
        "platform": "douyin", "platform_order_id": number, "paid_at": paid,
        "shipped_at": paid + timedelta(hours=6), "signed_at": paid + timedelta(days=1),
        "buyer": {"nick": f"极速退款买家{n}", "name": "周小雅", "phone": f"1370000880{n}", "province": "江苏省",
                  "city": "苏州市"},
        "freight_fen": 0, "free_shipping": True,
        "lines": [{"platform_line_id": f"{number}-1", "title": "真丝印花方巾", "sku_code": "SJ-88", "spec": "蓝",
                   "quantity": 1, "unit_price_fen": 12900, "paid_fen": 12900}],
        "payments": [{"route": "alipay", "amount_fen": 12900}],
    })
    case = services.open_case(shop, order_id=order.pk, lines=[(order.lines.first().pk, 1)],
                              kind="return_refund", reason="no_reason", by=services.By(Actor.BUYER),
                              buyer_note="颜色和图片不一样，不想要了")
    services.approve_case(shop, case.pk, services.By(Actor.MERCHANT))
    BuyerStanding.objects.create(shop=shop, buyer=case.buyer, standing="trusted", updated_at=clock.now())
    services.record_return_shipment(shop, case.pk, services.By(Actor.BUYER), carrier="圆通速递",
                                    tracking_no=tracking)
    print(case.pk)
"""
assert PASSES in PLANT and FAILS in PLANT


def test_the_owner_sets_a_fast_refund_rule_and_the_warehouse_still_receives(
        browser, live_server_url, screenshots, server_env, tmp_path):
    base = live_server_url
    owner = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(owner, base, "owner")
    owner.goto(base + "/console/auto-approve/")
    fast = owner.locator("#new-fast-rule")
    fast.locator("summary").click()
    expect(fast).to_contain_text("被关注的买家不会被先行退款")
    expect(fast.locator("[name=rule-trust]")).to_have_value("trusted")  # trusted buyers only, to start with
    fast.locator("[name=rule-name]").fill(RULE)
    fast.locator("[name=rule-max_amount]").fill("三百")
    fast.locator("button:has-text('保存极速退款规则')").click()
    expect(owner.locator("body")).to_contain_text("请输入以元为单位的金额")
    fast = owner.locator("#new-fast-rule")
    expect(fast).to_have_attribute("open", "")  # the refused form comes back open, as typed
    fast.locator("[name=rule-max_amount]").fill("300")
    fast.locator("button:has-text('保存极速退款规则')").click()
    expect(owner.locator("body")).to_contain_text("规则已保存，一分钟内会为符合规则、已寄回在途的退货先行退款")
    rule = owner.locator("details.rule", has_text=RULE)
    expect(rule).to_contain_text("极速退款（收到退货前先行退款）")
    expect(rule).to_contain_text("不超过 ¥300.00")
    expect(rule).to_contain_text("仅限标记为可信的买家")
    shot(owner, screenshots, "fast-refund-rules")
    phone = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, base, "owner")
    phone.goto(base + "/console/auto-approve/")
    phone.locator("#new-fast-rule summary").click()
    expect(phone.locator("details.rule", has_text=RULE)).to_be_visible()
    shot(phone, screenshots, "fast-refund-rules-phone")

    planted = subprocess.run([sys.executable, "-c", PLANT], env=server_env, cwd=ROOT, check=True,
                             capture_output=True, text=True)
    passes_id, fails_id = (int(line) for line in planted.stdout.split())
    ran = subprocess.run([str(ROOT / ".venv/bin/aftersales"), "auto-approve", "--shop", "demo"], env=server_env,
                         cwd=ROOT, check=True, capture_output=True, text=True)
    assert ran.stdout.count(f"{RULE}  refunded ¥129.00") == 2, ran.stdout

    # The case page: refunded, still waiting for the parcel, and which rule did it.
    owner.goto(f"{base}/console/cases/{passes_id}/")
    expect(owner.locator("h1 .badge.status-return_in_transit")).to_have_text("退货运输中")
    expect(owner.locator("h1 [data-fast-refund]")).to_have_text("极速退款")
    expect(owner.locator("#fast-refund")).to_contain_text(f"收到退货前已按规则「{RULE}」先行退款")
    expect(owner.locator(".timeline .ev-fast_refund")).to_contain_text(f"规则「{RULE}」")
    shot(owner, screenshots, "fast-refund-case")
    phone.goto(f"{base}/console/cases/{passes_id}/")
    expect(phone.locator("#fast-refund")).to_contain_text(RULE)
    shot(phone, screenshots, "fast-refund-case-phone")

    # The warehouse receives both parcels as usual: the one that passes completes, nothing paid again.
    keeper = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(keeper, base, "warehouse")
    keeper.goto(base + "/warehouse/")
    receive(keeper, PASSES)
    expect(keeper.locator("#refunded-early")).to_contain_text("此退货到货前已极速退款（¥129.00）")
    for box in keeper.locator("input[type=checkbox][name^=check_]").all():
        box.check()
    keeper.check("input[name=grade][value=A]")
    keeper.click("text=保存质检结果")
    expect(keeper.locator(".flash")).to_contain_text("质检结果已保存")
    owner.goto(f"{base}/console/cases/{passes_id}/")
    expect(owner.locator("h1 .badge").first).to_have_text("售后成功")
    expect(owner.locator("#case-page")).to_contain_text("¥129.00")
    expect(owner.locator(".timeline .ev-grant_refund")).to_have_count(1)  # granted once, before the parcel

    # The other came back empty: it fails with a photo, and the owner is to follow it up.
    photo = tmp_path / "empty-box.png"
    Image.new("RGB", (320, 240), (180, 180, 180)).save(photo)
    keeper.goto(base + "/warehouse/")
    receive(keeper, FAILS)
    keeper.check("input[name=failure_reason][value=not_our_item]")
    keeper.check("input[name=grade][value=D]")
    keeper.set_input_files("input[name=photos]", str(photo))
    keeper.fill("#id_note", "空包，只有包装袋")
    keeper.click("text=保存质检结果")
    expect(keeper.locator(".flash")).to_contain_text("质检结果已保存")
    owner.goto(f"{base}/console/cases/{fails_id}/")
    expect(owner.locator("h1 [data-owner-follow-up]")).to_have_text("已极速退款·质检不通过：待店长跟进")
    expect(owner.locator("#owner-follow-up")).to_contain_text("此单在收到退货前已退款 ¥129.00，退货质检不通过")
    expect(owner.locator(".timeline .ev-fast_refund_inspection_failed")).to_contain_text("非本店商品或空包")
    shot(owner, screenshots, "fast-refund-follow-up")
    phone.goto(f"{base}/console/cases/{fails_id}/")
    expect(phone.locator("#owner-follow-up")).to_be_visible()
    shot(phone, screenshots, "fast-refund-follow-up-phone")
    owner.goto(base + "/console/?q=" + FAILS)
    row = owner.locator("tr", has=owner.locator(f"a[href='/console/cases/{fails_id}/']"))
    expect(row.locator("[data-owner-follow-up]")).to_be_visible()
    shot(owner, screenshots, "fast-refund-inbox")
