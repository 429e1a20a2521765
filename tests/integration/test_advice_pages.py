"""The advice and the signals on the console: the case card, one click, the inbox, the owner's settings."""

from __future__ import annotations

import pytest

from aftersales.cases.models import Case, CaseEvent
from aftersales.intelligence.advice.models import AdviceSettings
from aftersales.intelligence.signals.models import BuyerStanding
from tests.integration.console_support import member
from tests.integration.test_advice import cheap_order, open_return

pytestmark = pytest.mark.django_db


@pytest.fixture
def cheap_case(shop):
    return open_return(shop, cheap_order(shop, "DY0300", price=990, phone="13700001234"), line_id="DY0300-1")


def test_the_case_page_shows_the_advice_and_applies_it_in_one_click(client, shop, cheap_case):
    client.force_login(member(shop, "agent_a", "agent"))
    page = client.get(f"/console/cases/{cheap_case.pk}/").content.decode()
    assert "最省钱的合法方案" in page and "建议仅退款不退货" in page and "没有异常信号" in page
    assert "标记为可信买家" not in page  # marking buyers is the owner's
    response = client.post(f"/advice-not-here/{cheap_case.pk}/")
    assert response.status_code == 404
    response = client.post(f"/console/advice/cases/{cheap_case.pk}/apply/", {"remedy": "refund_only"})
    assert response.status_code == 302
    cheap_case.refresh_from_db()
    assert (cheap_case.kind, cheap_case.status, cheap_case.refund_granted_fen) == ("refund_only", "refunding", 990)
    note = CaseEvent.objects.get(case=cheap_case, action="switch_remedy").note
    assert note == "按售后方案建议处理：仅退款（不退货）"


def test_a_refused_click_says_why_and_changes_nothing(client, shop, order):
    case = open_return(shop, order)
    client.force_login(member(shop, "agent_a", "agent"))
    response = client.post(f"/console/advice/cases/{case.pk}/apply/", {"remedy": "reship"}, follow=True)
    assert "建议中没有「补发」这个方案" in response.content.decode()
    case.refresh_from_db()
    assert (case.kind, case.status, case.version) == ("return_refund", "requested", 1)


def test_another_shops_staff_cannot_apply_nor_mark(client, shop, other_shop, cheap_case):
    client.force_login(member(other_shop, "owner_b", "owner"))
    assert client.post(f"/console/advice/cases/{cheap_case.pk}/apply/", {"remedy": "refund_only"}).status_code == 404
    response = client.post(f"/console/signals/buyers/{cheap_case.buyer_id}/standing/",
                           {"case": cheap_case.pk, "standing": "trusted"})
    assert response.status_code == 404
    assert not BuyerStanding.objects.exists()
    assert Case.objects.get(pk=cheap_case.pk).status == "requested"


def test_only_the_owner_marks_a_buyer_and_the_inbox_filters_by_it(client, shop, cheap_case, order):
    other = open_return(shop, order)
    client.force_login(member(shop, "agent_a", "agent"))
    url = f"/console/signals/buyers/{cheap_case.buyer_id}/standing/"
    assert client.post(url, {"case": cheap_case.pk, "standing": "watched"}).status_code == 403
    client.force_login(member(shop, "owner_a", "owner"))
    assert client.post(url, {"case": cheap_case.pk, "standing": "bogus"}).status_code == 302
    assert not BuyerStanding.objects.exists()
    assert client.post(url, {"case": cheap_case.pk, "standing": "watched"}).status_code == 302
    assert BuyerStanding.objects.get().standing == "watched"
    inbox = client.get("/console/", {"signals": "watched"}).content.decode()
    assert cheap_case.number in inbox and other.number not in inbox
    flagged = client.get("/console/", {"signals": "flagged"}).content.decode()
    assert cheap_case.number in flagged and other.number not in flagged
    page = client.get(f"/console/cases/{cheap_case.pk}/").content.decode()
    assert "店主已将该买家标记为重点关注" in page and "请收回商品质检后再退款" in page


def test_bulk_apply_from_the_inbox(client, shop, cheap_case, order):
    dear = open_return(shop, order)
    client.force_login(member(shop, "agent_a", "agent"))
    response = client.post("/console/advice/bulk/", {"case": [cheap_case.pk, dear.pk], "remedy": "refund_only"},
                           follow=True)
    text = response.content.decode()
    assert "已按建议处理 1 个售后单" in text and "建议的方案不是「仅退款」" in text
    assert Case.objects.get(pk=cheap_case.pk).status == "refunding"
    assert Case.objects.get(pk=dear.pk).status == "requested"


def test_the_owner_sets_unit_costs_and_the_advice_follows(client, shop, cheap_case):
    client.force_login(member(shop, "agent_a", "agent"))
    assert client.get("/console/advice/settings/").status_code == 403
    client.force_login(member(shop, "owner_a", "owner"))
    page = client.get("/console/advice/settings/")
    assert page.status_code == 200 and "成本参数与阈值" in page.content.decode()
    form = {name: page.context["form"].initial[name] for name in page.context["form"].fields}
    assert form["handling_fen"] == 3 and form["goods_cost_bp"] == 50
    refused = client.post("/console/advice/settings/", {**form, "goods_cost_bp": "120"})
    assert refused.status_code == 422 and not AdviceSettings.objects.exists()
    client.post("/console/advice/settings/", {**form, "waive_return_max_fen": "5", "handling_fen": "2.5"})
    saved = AdviceSettings.objects.get(shop=shop)
    assert (saved.waive_return_max_fen, saved.handling_fen) == (500, 250)
    page = client.get(f"/console/cases/{cheap_case.pk}/").content.decode()
    assert "免退货" not in page  # ¥9.90 is now above the ¥5 the owner waives


def test_the_inbox_advice_column_comes_after_the_table_and_only_for_the_shops_cases(
        client, shop, other_shop, cheap_case):
    foreign = open_return(other_shop, cheap_order(other_shop, "DY0400", phone="13700009999"), line_id="DY0400-1")
    client.force_login(member(shop, "agent_a", "agent"))
    inbox = client.get("/console/").content.decode()
    assert f'id="advice-{cheap_case.pk}"' in inbox and f"case={cheap_case.pk}" in inbox
    column = client.get("/console/advice/inbox-column/", {"case": [cheap_case.pk, foreign.pk, "x"]}).content.decode()
    assert f'<span id="advice-{cheap_case.pk}" hx-swap-oob="true"><span title="预计成本 ¥12.90">仅退款（不退货）' in column
    assert f'<span id="advice-{foreign.pk}" hx-swap-oob="true"><span class="muted">—</span>' in column


def test_the_card_of_a_refused_case_does_not_say_the_remedy_is_under_way(client, shop, cheap_case):
    from aftersales.cases.domain.states import Actor
    from aftersales.cases.services import By, reject_case

    reject_case(shop, cheap_case.pk, By(Actor.MERCHANT), reason_code="evidence_insufficient", note="请补充照片",
                as_owner=True)
    client.force_login(member(shop, "owner_a", "owner"))
    page = client.get(f"/console/cases/{cheap_case.pk}/").content.decode()
    assert "申请已拒绝：以下为买家申请平台介入时，与买家和解各方案的成本。" in page
    assert "方案已在执行中" not in page and 'data-testid="apply-advice"' not in page


def test_the_inbox_names_an_exchange_without_a_zero_amount_and_in_one_kind_of_brackets(client, shop):
    """An exchange asks for no money: the amount column read ¥0.00; and the Chinese advice read
    「换货 (需买家同意)」, half-width brackets after full-width words."""
    exchange = open_return(shop, cheap_order(shop, "DY0500", phone="13700005678"), line_id="DY0500-1",
                           kind="exchange")
    assert exchange.requested_fen == 0
    client.force_login(member(shop, "agent_a", "agent"))
    inbox = client.get("/console/").content.decode()
    row = inbox.split(f'name="case" value="{exchange.pk}"')[1].split("</tr>")[0]
    assert "¥0.00" not in row and 'title="未申请退款">—</span>' in row
    dear = open_return(shop, cheap_order(shop, "DY0501", phone="13700005679", price=22900), line_id="DY0501-1")
    column = client.get("/console/advice/inbox-column/", {"case": [dear.pk]}).content.decode()
    assert "（需买家同意）" in column and "(需买家同意)" not in column


def test_the_compensation_form_starts_on_the_suggested_rung_and_the_figures_count_in_english(client, shop):
    """The card said "Suggested next: Member discount" over a form set to Coupon."""
    from aftersales.cases.models import Case as CaseModel

    case = open_return(shop, cheap_order(shop, "DY0600", phone="13700006000", price=22900), line_id="DY0600-1")
    CaseModel.objects.filter(pk=case.pk).update(urgency=2)  # an angry buyer: the ladder starts a step up
    client.force_login(member(shop, "agent_a", "agent"))
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "建议下一步：<strong>会员折扣</strong>" in page
    assert "依据：同类商品 0 次质检的等级分布" in page  # the counted sentence still reads in Chinese
    picked = page.split('name="compensate-rung"')[1].split("</select>")[0]
    assert '<option value="member_discount" selected>' in picked
    client.cookies["django_language"] = "en"
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "Figures: expected grades from 0 inspections of this kind of goods" in page
