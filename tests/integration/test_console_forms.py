"""Every console form refuses bad input with a sentence in the page's language, and changes nothing."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import Shop
from aftersales.care.models import Compensation, ReplyTemplate
from aftersales.cases import services
from aftersales.cases.models import Case, CaseEvent
from aftersales.catalog.models import Category, ReturnRule
from aftersales.refunds.models import RefundDecision, RefundPayment
from tests.integration.console_support import MERCHANT, english, member, open_case, recent_order, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(shop):
    return open_case(shop, recent_order(shop, "DYF0001"))


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.version, fresh.refund_granted_fen, CaseEvent.objects.filter(case=case).count())


def act(client, case, action, data):
    return client.post(f"/console/cases/{case.pk}/act/{action}/", data)


def test_approving_moves_the_case_and_says_so(client, agent, case):
    response = act(client, case, "approve", {"approve-note": ""})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "awaiting_return"
    assert "已同意申请" in text(client.get(response["Location"]))


def test_a_rejection_needs_a_known_reason_in_chinese_then_in_english(client, agent, case):
    before = snapshot(case)
    response = act(client, case, "reject", {"reject-reason_code": "because", "reject-note": "不行"})
    assert response.status_code == 422
    assert "选择一个有效的选项" in text(response)
    assert snapshot(case) == before
    english(client)
    response = act(client, case, "reject", {"reject-reason_code": "", "reject-note": "no", "reject-confirm": "on"})
    assert response.status_code == 422
    assert "Choose the reason." in text(response)
    assert snapshot(case) == before


def test_a_refused_move_is_explained_and_nothing_changes(client, agent, shop):
    unshipped = open_case(shop, recent_order(shop, "DYF0002", shipped=False), kind="refund_only",
                          reason="no_reason")
    before = snapshot(unshipped)
    response = act(client, unshipped, "reject", {"reject-reason_code": "other", "reject-note": "不行", "reject-confirm": "on"})
    assert response.status_code == 422
    assert "未发货" in text(response) or "不能拒绝" in text(response)
    assert snapshot(unshipped) == before
    english(client)
    response = act(client, unshipped, "ship_replacement", {"ship_replacement-carrier": "SF",
                                                           "ship_replacement-tracking_no": "SF12345678"})
    assert response.status_code == 422
    assert "cannot" in text(response)
    assert snapshot(unshipped) == before


def test_a_bad_tracking_number_is_refused(client, agent, shop, case):
    services.approve_case(shop, case.pk, MERCHANT)
    before = snapshot(case)
    response = act(client, case, "ship_return", {"ship_return-carrier": "顺丰", "ship_return-tracking_no": "12-3"})
    assert response.status_code == 422
    assert "快递单号须为 6–40 位字母或数字" in text(response)
    assert snapshot(case) == before


def test_refund_amounts_are_checked_and_nothing_is_granted_on_a_refusal(client, agent, shop):
    unshipped = open_case(shop, recent_order(shop, "DYF0003", shipped=False), kind="refund_only",
                          reason="no_reason")
    services.approve_case(shop, unshipped.pk, MERCHANT)
    before = snapshot(unshipped)
    response = act(client, unshipped, "grant_refund", {"grant_refund-amount": "abc",
                                                       "grant_refund-reason_code": "approved_request"})
    assert response.status_code == 422
    assert "请输入以元为单位的金额" in text(response)
    response = act(client, unshipped, "grant_refund", {"grant_refund-amount": "9999",
                                                       "grant_refund-reason_code": "approved_request"})
    assert response.status_code == 422
    assert snapshot(unshipped) == before
    assert RefundDecision.objects.count() == 0
    english(client)
    response = act(client, unshipped, "grant_refund", {"grant_refund-amount": "0.001",
                                                       "grant_refund-reason_code": "approved_request"})
    assert response.status_code == 422
    assert "Enter an amount in yuan" in text(response)
    assert RefundDecision.objects.count() == 0


def test_a_partial_refund_then_the_payment_with_a_key_kept_on_retry(client, agent, shop):
    case = open_case(shop, recent_order(shop, "DYF0004"), kind="partial_refund", reason="damaged_in_transit")
    services.approve_case(shop, case.pk, MERCHANT)
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert 'name="execute_refund-idempotency_key"' not in page  # nothing granted yet
    assert act(client, case, "grant_refund", {"grant_refund-amount": "30.00",
                                              "grant_refund-reason_code": "partial_refund_goods_kept"}).status_code == 302
    assert Case.objects.get(pk=case.pk).refund_granted_fen == 3000
    key = "AS-retry-key-0001"
    assert act(client, case, "execute_refund", {"execute_refund-idempotency_key": key}).status_code == 302
    again = act(client, case, "execute_refund", {"execute_refund-idempotency_key": key})
    assert again.status_code == 302  # the same key: the same payments, never twice
    assert RefundPayment.objects.filter(case=case).count() == 1
    assert Case.objects.get(pk=case.pk).status == "completed"
    bad = act(client, case, "execute_refund", {"execute_refund-idempotency_key": "bad key!"})
    assert bad.status_code == 422


def test_compensation_over_the_monthly_budget_is_refused(client, agent, shop, case):
    shop.compensation_budget_fen = 1000
    shop.save()
    before = snapshot(case)
    response = act(client, case, "compensate", {"compensate-rung": "coupon", "compensate-amount": "20",
                                                "compensate-note": "安抚"})
    assert response.status_code == 422
    assert "超出本月预算" in text(response) and "¥10.00" in text(response)
    assert Compensation.objects.count() == 0
    assert snapshot(case) == before
    english(client)
    response = act(client, case, "compensate", {"compensate-rung": "cash", "compensate-amount": "5"})
    assert response.status_code == 422
    assert "Select a valid choice" in text(response)
    assert act(client, case, "compensate", {"compensate-rung": "coupon", "compensate-amount": "5"}).status_code == 302
    grant = Compensation.objects.get()
    assert (grant.rung, grant.cost_fen, grant.granted_by.username) == ("coupon", 500, "agent_a")
    assert CaseEvent.objects.filter(case=case, action="compensation").count() == 1


def test_a_reply_from_a_template_is_recorded_on_the_case(client, agent, shop, case):
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert case.number in page and "亲爱的买家" in page  # the templates come filled in
    template = ReplyTemplate.objects.get(shop=shop, language="zh-hans", name="致歉安抚")
    response = act(client, case, "reply", {"reply-template": template.pk, "reply-body": "亲，非常抱歉！"})
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, action="reply")
    assert event.note == "亲，非常抱歉！" and event.actor_user.username == "agent_a"
    before = snapshot(case)
    assert act(client, case, "reply", {"reply-body": "   "}).status_code == 422
    assert snapshot(case) == before


def test_notes_tags_follow_up_and_assignee(client, agent, shop, case):
    assert act(client, case, "note", {"note-note": "买家情绪激动，优先处理"}).status_code == 302
    assert act(client, case, "tags", {"tags-tags": "色差，直播间"}).status_code == 302
    assert act(client, case, "follow_up", {"follow_up-follow_up": "on"}).status_code == 302
    assert act(client, case, "assign", {"assign-assignee": agent.pk}).status_code == 302
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.tags == ["直播间", "色差"] and fresh.follow_up and fresh.assignee == agent
    stranger = member(Shop.objects.create(slug="x", name="X"), "x", "agent")
    before = snapshot(case)
    assert act(client, case, "assign", {"assign-assignee": stranger.pk}).status_code == 422
    assert act(client, case, "tags", {"tags-tags": "x" * 21}).status_code == 422
    assert act(client, case, "note", {"note-note": ""}).status_code == 422
    assert snapshot(case) == before


def test_the_inbox_filters(client, agent, shop, case):
    unshipped = open_case(shop, recent_order(shop, "DYI0001", shipped=False), kind="refund_only",
                          reason="no_reason", note="再不退款我就去12315投诉")
    page = text(client.get("/console/", {"kind": "refund_only"}))
    assert unshipped.number in page and case.number not in page
    page = text(client.get("/console/", {"urgent": "on"}))
    assert unshipped.number in page and case.number not in page
    page = text(client.get("/console/", {"q": "DYI0001"}))
    assert unshipped.number in page and case.number not in page
    page = text(client.get("/console/", {"scope": "finished"}))
    assert unshipped.number not in page
    page = text(client.get("/console/", {"due_hours": "abc"}))
    assert "部分筛选条件无法识别" in page
    partial = client.get("/console/", {"kind": "refund_only"}, headers={"HX-Request": "true",
                                                                        "HX-Target": "inbox-table"})
    assert "<html" not in text(partial) and unshipped.number in text(partial)


def test_a_return_rule_below_the_law_is_refused_and_nothing_is_saved(client, owner, shop):
    category = Category.objects.get(shop=shop)
    data = {"rule-platform": "", "rule-category": category.pk, "rule-no_reason_days": "5",
            "rule-exchange_days": "15", "rule-warranty_days": "90", "rule-allow_partial_refund": "on"}
    response = client.post("/console/settings/rules/", data)
    assert response.status_code == 422
    assert "7" in text(response) and ("法律" in text(response) or "不得少于" in text(response) or "低于" in text(response))
    assert ReturnRule.objects.count() == 0
    english(client)
    response = client.post("/console/settings/rules/", data)
    assert response.status_code == 422 and "7" in text(response)
    assert ReturnRule.objects.count() == 0
    response = client.post("/console/settings/rules/", {**data, "rule-no_reason_days": "15"})
    assert response.status_code == 302
    rule = ReturnRule.objects.get()
    assert (rule.no_reason_days, rule.version) == (15, 1)
    response = client.post("/console/settings/rules/", {**data, "rule-rule_id": rule.pk, "rule-no_reason_days": "30",
                                                        "rule-free_return_shipping": "on"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.no_reason_days, rule.free_return_shipping, rule.version) == (30, True, 2)
    refused = client.post("/console/settings/rules/", {**data, "rule-rule_id": rule.pk,
                                                       "rule-exchange_days": "3"})
    assert refused.status_code == 422
    rule.refresh_from_db()
    assert (rule.exchange_days, rule.version) == (15, 2)


def test_templates_budget_and_staff_settings(client, owner, shop):
    client.get("/console/settings/")
    count = ReplyTemplate.objects.filter(shop=shop).count()
    assert count == 8
    bad = client.post("/console/settings/templates/", {"tpl-name": "催发货", "tpl-kind": "progress",
                                                       "tpl-language": "zh-hans", "tpl-body": "亲 {nick}"})
    assert bad.status_code == 422 and "{nick}" in text(bad)
    assert ReplyTemplate.objects.filter(shop=shop).count() == count
    good = client.post("/console/settings/templates/", {"tpl-name": "催发货", "tpl-kind": "progress",
                                                        "tpl-language": "zh-hans", "tpl-body": "亲 {buyer_nick}"})
    assert good.status_code == 302 and ReplyTemplate.objects.filter(shop=shop).count() == count + 1

    assert client.post("/console/settings/budget/", {"budget-amount": "-5"}).status_code == 422
    assert client.post("/console/settings/budget/", {"budget-amount": "1,234.50"}).status_code == 302
    shop.refresh_from_db()
    assert shop.compensation_budget_fen == 123450

    short = client.post("/console/settings/staff/", {"member-username": "xiaowang", "member-password": "123",
                                                     "member-role": "agent"})
    assert short.status_code == 422 and "密码至少需要 8 个字符" in text(short)
    assert shop.memberships.count() == 1
    added = client.post("/console/settings/staff/", {"member-username": "xiaowang", "member-password": "long-enough-1",
                                                     "member-full_name": "小王", "member-role": "agent"})
    assert added.status_code == 302
    membership = shop.memberships.get(user__username="xiaowang")
    assert client.post(f"/console/settings/staff/{membership.pk}/", {"m-role": "warehouse"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "warehouse"
    mine = shop.memberships.get(user=owner)
    last = client.post(f"/console/settings/staff/{mine.pk}/", {"m-role": "agent"})
    assert last.status_code == 422 and "至少要保留一位" in text(last)
    mine.refresh_from_db()
    assert mine.role == "owner"


def test_a_payment_the_provider_did_not_answer_is_retried_with_the_same_key(client, agent, shop):
    from aftersales.core.choices import PaymentStatus
    from aftersales.refunds import gateways

    class Silent:
        def refund(self, **kw):
            return gateways.GatewayResult(PaymentStatus.UNKNOWN)

    case = open_case(shop, recent_order(shop, "DYF0005", shipped=False), kind="refund_only", reason="no_reason")
    services.approve_case(shop, case.pk, MERCHANT)
    act(client, case, "grant_refund", {"grant_refund-amount": "159.00", "grant_refund-reason_code": "approved_request"})
    previous = gateways.set_gateway(Silent())
    try:
        assert act(client, case, "execute_refund", {"execute_refund-idempotency_key": "first-key-0001"}
                   ).status_code == 302
    finally:
        gateways.set_gateway(previous)
    assert Case.objects.get(pk=case.pk).status == "refunding"
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert 'value="first-key-0001"' in page and "不会重复打款" in page
    assert act(client, case, "execute_refund", {"execute_refund-idempotency_key": "first-key-0001"}
               ).status_code == 302
    assert Case.objects.get(pk=case.pk).status == "completed"
    assert RefundPayment.objects.filter(case=case).count() == 1


def test_a_refund_needs_a_typed_amount_and_a_chosen_reason(client, agent, shop):
    case = open_case(shop, recent_order(shop, "DYF0006"), kind="partial_refund", reason="damaged_in_transit")
    services.approve_case(shop, case.pk, MERCHANT)
    page = text(client.get(f"/console/cases/{case.pk}/"))
    # The page offers what is refundable now, and no reason until one is chosen.
    assert 'name="grant_refund-amount" value="159.00"' in page
    assert '<option value="" selected>请选择…</option>' in page
    before = snapshot(case)
    for data, why in (({"grant_refund-reason_code": "partial_refund_goods_kept"}, "请输入退款金额"),
                      ({"grant_refund-amount": "30"}, "请选择原因"),
                      ({"grant_refund-amount": "159.00", "grant_refund-reason_code": "partial_refund_goods_kept"},
                       "部分退款的金额须低于可退金额 ¥159.00")):
        response = act(client, case, "grant_refund", data)
        assert response.status_code == 422 and why in text(response), data
        assert snapshot(case) == before
    assert RefundDecision.objects.count() == 0
    assert act(client, case, "grant_refund", {"grant_refund-amount": "158.99",
                                              "grant_refund-reason_code": "partial_refund_goods_kept"}).status_code == 302
    assert Case.objects.get(pk=case.pk).refund_granted_fen == 15899


def test_an_over_long_note_is_refused_in_plain_chinese(client, agent, case):
    before = snapshot(case)
    response = act(client, case, "note", {"note-note": "长" * 2001})
    assert response.status_code == 422
    assert "最多可填 2000 个字，现在是 2001 个字" in text(response)
    assert "确保该变量" not in text(response)
    assert snapshot(case) == before


def test_an_english_template_names_the_deadline_as_a_date_not_an_abbreviation_before_a_full_stop(
        client, agent, shop, case):
    """The English apology read "… before Dec. 7, 2026, 8:02 p.m.." — two full stops in a buyer's message."""
    from django.utils import timezone

    deadline = timezone.localtime(Case.objects.get(pk=case.pk).deadline_at)
    english(client)
    page = text(client.get(f"/console/cases/{case.pk}/"))
    written = f"{deadline.day} {deadline:%b %Y, %H:%M}"
    assert f"before {written}." in page
    assert "p.m.." not in page and "a.m.." not in page
    page = text(client.post("/i18n/setlang/", {"language": "zh-hans", "next": f"/console/cases/{case.pk}/"},
                            follow=True))
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in page  # Chinese keeps its own date


def test_the_free_returns_box_says_the_shop_pays_not_an_insurer(client, owner):
    """It read 退货运费由店铺承担（运费险）: 运费险 is freight insurance, paid by the insurer, not the shop."""
    page = text(client.get("/console/settings/"))
    assert "退货包运费：买家寄回的运费由店铺承担" in page and "（运费险）" not in page
    english(client)
    page = text(client.get("/console/settings/"))
    assert "Free returns: the shop pays the return freight" in page and "运费险" not in page
