"""The warehouse judges a return against the buyer's claim, in a real browser: a confirmed sole defect
graded C goes on to the refund; a no-reason return with a cut tag fails only with a reason and a photo.
Screenshots (desktop and phone) land in tests/e2e/screenshots/."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_return_flow import DESKTOP, PHONE_SCREEN, shot, sign_in

pytestmark = pytest.mark.e2e

DEFECT_TRACKING, NO_REASON_TRACKING = "SF7700000001", "SF7700000002"

PLANT = f"""
import django
django.setup()
import io
from datetime import timedelta
from PIL import Image
from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.evidence import add_evidence
from aftersales.catalog.models import Sku
from aftersales.core import clock
from aftersales.orders.services import create_order
shop = Shop.objects.get(slug="demo")
sku = Sku.objects.filter(shop=shop, product__category__law_category="shoes").order_by("pk").first()
buyer = services.By(Actor.BUYER)
for n, (reason, words, tracking) in enumerate((
        ("quality_defect", "鞋底开胶了，穿了两次就裂开", "{DEFECT_TRACKING}"),
        ("no_reason", "不想要了", "{NO_REASON_TRACKING}"))):
    number = f"INSP2026120400{{n}}"
    paid = clock.now() - timedelta(days=4)
    order = create_order(shop, {{
        "platform": "douyin", "platform_order_id": number, "paid_at": paid,
        "shipped_at": paid + timedelta(hours=5), "signed_at": paid + timedelta(days=1),
        "buyer": {{"nick": "质检测试买家" + "AB"[n], "name": "周杰", "phone": "1370000990" + str(n),
                   "province": "湖北省", "city": "武汉市"}},
        "freight_fen": 0, "free_shipping": True,
        "lines": [{{"platform_line_id": number + "-1", "title": sku.product.title, "sku_code": sku.code,
                    "spec": sku.spec, "quantity": 1, "unit_price_fen": 26900, "paid_fen": 26900}}],
        "payments": [{{"route": "alipay", "amount_fen": 26900}}],
    }})
    case = services.open_case(shop, order_id=order.pk, lines=[(order.lines.first().pk, 1)], kind="return_refund",
                              reason=reason, by=buyer, buyer_note=words, enforce_policy=False)
    if reason == "quality_defect":
        image = io.BytesIO()
        Image.new("RGB", (320, 240), (120, 90, 60)).save(image, format="PNG")
        add_evidence(shop, case.pk, buyer, data=image.getvalue())
    services.approve_case(shop, case.pk, services.By(Actor.MERCHANT))
    services.record_return_shipment(shop, case.pk, buyer, carrier="顺丰速运", tracking_no=tracking)
"""


@pytest.fixture(scope="module")
def planted(server_env):
    subprocess.run([sys.executable, "-c", PLANT], env=server_env, cwd=ROOT, check=True)


def receive(keeper, tracking: str) -> None:
    keeper.fill("#id_tracking_no", tracking)
    keeper.keyboard.press("Enter")
    expect(keeper.locator("body")).to_contain_text("该包裹属于售后单")
    keeper.click("text=签收并质检")
    expect(keeper).to_have_url(re.compile(r"/warehouse/cases/\d+/inspect/$"))


def test_a_confirmed_defect_graded_c_goes_on_to_the_refund(browser, live_server_url, screenshots, planted):
    keeper = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(keeper, live_server_url, "warehouse")
    receive(keeper, DEFECT_TRACKING)
    # The buyer's claim sits beside the checklist: the reason, the words, the photo.
    claim = keeper.locator("#claim")
    expect(claim).to_contain_text("质量问题")
    expect(claim).to_contain_text("鞋底开胶了，穿了两次就裂开")
    expect(claim.locator("#buyer-photos img")).to_have_count(1)
    # A defect claim is not failed for use; "it passes" is chosen to start with; no box is ticked.
    expect(keeper.locator("#verdict")).not_to_contain_text("已使用")
    expect(keeper.locator("input[name=failure_reason][value='']")).to_be_checked()
    checks = keeper.locator("input[type=checkbox][name^=check_]")
    expect(checks).to_have_count(2)
    for i in range(2):
        expect(checks.nth(i)).not_to_be_checked()
    keeper.check("input[name=grade][value=C]")
    keeper.fill("#id_note", "鞋底确实开胶，与买家描述一致")
    shot(keeper, screenshots, "warehouse-inspect-defect")
    case_url = keeper.url
    keeper.click("text=保存质检结果")
    expect(keeper.locator(".flash")).to_contain_text("质检结果已保存")
    keeper.goto(case_url)
    expect(keeper.locator("h1 .badge")).to_have_text("退款中")  # on to the refund, not refused

    phone = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, live_server_url, "agent")
    phone.goto(case_url.replace("/warehouse/cases/", "/console/cases/").replace("/inspect/", "/"))
    timeline = phone.locator(".timeline")
    expect(timeline.locator("[data-verdict=matches_claim]")).to_have_text("质检通过：与买家描述一致")
    expect(timeline).to_contain_text("C — 已损坏，报损")  # staff see the resale grade beside it
    shot(phone, screenshots, "console-case-inspected-defect-phone")


def test_a_no_reason_return_with_a_cut_tag_fails_only_with_a_reason_and_a_photo(
        browser, live_server_url, screenshots, planted, tmp_path):
    from PIL import Image

    photo = tmp_path / "cut-tag.png"
    Image.new("RGB", (320, 240), (200, 200, 200)).save(photo)
    keeper = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    sign_in(keeper, live_server_url, "warehouse")
    keeper.goto(live_server_url + "/warehouse/")
    receive(keeper, NO_REASON_TRACKING)
    case_url = keeper.url
    expect(keeper.locator("#verdict")).to_contain_text("已使用，超出检查所需")
    keeper.check("input[name=check_not_used]")  # the tag is missing: tags_intact stays unticked
    keeper.check("input[name=grade][value=B]")
    keeper.click("text=保存质检结果")
    expect(keeper.locator(".form-error")).to_contain_text("无理由退货须商品完好")
    expect(keeper.locator("h1 .badge")).to_have_text("已收到退货")
    # A reason without a photo is refused too.
    keeper.check("input[name=failure_reason][value=used]")
    keeper.click("text=保存质检结果")
    expect(keeper.locator(".form-error")).to_contain_text("质检不通过须上传至少一张照片")
    keeper.check("input[name=failure_reason][value=used]")
    keeper.set_input_files("input[name=photos]", str(photo))
    keeper.fill("#id_note", "吊牌已剪，鞋底有行走磨损")
    shot(keeper, screenshots, "warehouse-inspect-fail-phone")
    keeper.click("text=保存质检结果")
    expect(keeper.locator(".flash")).to_contain_text("质检结果已保存")
    keeper.goto(case_url)
    expect(keeper.locator("h1 .badge")).to_have_text("退货后被拒绝")
