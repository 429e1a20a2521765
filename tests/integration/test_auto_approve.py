"""The worker applies the owner's auto-approve rules: a fitting request is approved, granted by the refund
rule and paid with one idempotency key, each decision naming its rule; a case outside the rule, a watched
buyer, a training shop and bad input are left as they were."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from aftersales.accounts.models import Shop
from aftersales.autoapprove import services as auto
from aftersales.autoapprove.models import AutoApproveRule
from aftersales.autoapprove.tasks import auto_approve
from aftersales.cases import services
from aftersales.cases.domain.events import BUYER_VISIBLE
from aftersales.cases.models import Case, CaseEvent
from aftersales.core.errors import DomainError
from aftersales.intelligence.signals.models import BuyerStanding
from aftersales.refunds.models import RefundDecision, RefundPayment
from tests.integration.console_support import MERCHANT, member, open_case, recent_order, text

pytestmark = pytest.mark.django_db


def unshipped_refund(shop, number, quantity=1):
    return open_case(shop, recent_order(shop, number, shipped=False, quantity=quantity), kind="refund_only",
                     reason="no_reason", note="拍错了")


def rule(shop, **over):
    data = {"name": "未发货仅退款 ¥200 以下", "remedy": "refund_only", "goods_status": "not_shipped",
            "max_fen": 20000, "trust": "anyone"}
    data.update(over)
    return auto.save_rule(shop, **data)


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.version, fresh.refund_granted_fen, fresh.refunded_fen,
            CaseEvent.objects.filter(case=case).count())


def test_the_worker_approves_and_refunds_a_fitting_request_once(client, shop):
    case = unshipped_refund(shop, "DYA0001")
    assert case.policy_decision["eligible"] and "refund_only" in case.policy_decision["remedies"]
    made = rule(shop)
    assert auto_approve.call_local() == "auto-approved=1 errors=0"
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.refund_granted_fen, fresh.refunded_fen) == ("completed", 15900, 15900)
    approve = CaseEvent.objects.get(case=case, action="approve")
    assert approve.actor == "system"
    # The rule that decided is named beside the approval, for staff only (a note is not the buyer's).
    named = CaseEvent.objects.get(case=case, action="note")
    assert (named.actor, named.created_at) == ("system", approve.created_at)
    assert named.note == "自动同意：规则「未发货仅退款 ¥200 以下」（¥200.00 以内）"
    assert "note" not in BUYER_VISIBLE and "未发货仅退款" not in approve.note
    decision = RefundDecision.objects.get(case=case)
    assert (decision.amount_fen, decision.reason_code) == (15900, "approved_request")
    payment = RefundPayment.objects.get(case=case)
    assert (payment.idempotency_key, payment.amount_fen) == (f"{case.number}-auto-{made.pk}", 15900)
    client.force_login(member(shop, "agent_a", "agent"))
    assert "自动同意：规则「未发货仅退款 ¥200 以下」" in text(client.get(f"/console/cases/{case.pk}/"))
    # A second sweep (or the command) finds nothing to do, and pays nothing twice.
    before = snapshot(case)
    out = io.StringIO()
    call_command("auto-approve", "--shop", shop.slug, stdout=out)
    assert out.getvalue() == "auto-approve: auto-approved=0 errors=0\n"
    assert auto.apply_rules().applied == []
    assert snapshot(case) == before and RefundPayment.objects.filter(case=case).count() == 1


def test_cases_outside_the_rule_are_left_alone(shop):
    rule(shop, max_fen=20000)
    dear = unshipped_refund(shop, "DYA0002", quantity=2)  # ¥318.00: over the cap
    shipped = open_case(shop, recent_order(shop, "DYA0003"), kind="refund_only", reason="no_reason")
    ret = open_case(shop, recent_order(shop, "DYA0004"), kind="return_refund", reason="no_reason")
    watched = unshipped_refund(shop, "DYA0005")
    BuyerStanding.objects.create(shop=shop, buyer=watched.buyer, standing="watched",
                                 updated_at=watched.created_at)
    asked = unshipped_refund(shop, "DYA0009")
    services.request_evidence(shop, asked.pk, MERCHANT, note="请补充订单截图")
    cases = (dear, shipped, ret, watched, asked)
    before = [snapshot(c) for c in cases]
    report = auto.apply_rules()
    assert report.applied == [] and report.errors == []
    assert [snapshot(c) for c in cases] == before
    assert not RefundPayment.objects.exists()


def test_a_trusted_buyers_rule_and_a_return_rule(shop):
    rule(shop, name="信任买家退货 ¥200 以下", remedy="return_refund", goods_status="", trust="trusted")
    ret = open_case(shop, recent_order(shop, "DYA0006"), kind="return_refund", reason="no_reason")
    assert auto.apply_rules().applied == []  # not trusted (yet)
    BuyerStanding.objects.create(shop=shop, buyer=ret.buyer, standing="trusted", updated_at=ret.created_at)
    applied = auto.apply_rules().applied
    assert [(a.number, a.rule, a.refunded_fen) for a in applied] == [(ret.number, "信任买家退货 ¥200 以下", 0)]
    fresh = Case.objects.get(pk=ret.pk)
    assert fresh.status == "awaiting_return" and fresh.refund_granted_fen == 0
    assert CaseEvent.objects.get(case=ret, action="note").note.startswith("自动同意：规则「信任买家退货")


def test_an_inactive_rule_and_a_training_shop_are_skipped(shop, db):
    rule(shop, active=False)
    case = unshipped_refund(shop, "DYA0007")
    assert auto.apply_rules().applied == []
    training = Shop.objects.create(slug="alpha-train", name="培训店", training_of=shop)
    practice = unshipped_refund(training, "DYT0001")
    rule(training)
    before = snapshot(practice)
    assert auto.apply_rules().applied == []
    assert snapshot(practice) == before and Case.objects.get(pk=case.pk).status == "requested"


def test_rules_stay_in_their_shop(shop, other_shop):
    rule(other_shop)
    case = unshipped_refund(shop, "DYA0008")
    assert auto.apply_rules().applied == []
    assert Case.objects.get(pk=case.pk).status == "requested"
    theirs = AutoApproveRule.objects.get(shop=other_shop)
    with pytest.raises(DomainError) as refused:
        auto.save_rule(shop, rule_id=theirs.pk, name="x", remedy="refund_only", goods_status="", max_fen=100,
                       trust="anyone")
    assert refused.value.code == "autoapprove.rule_not_found"
    with pytest.raises(DomainError):
        auto.delete_rule(shop, theirs.pk)
    assert AutoApproveRule.objects.filter(shop=other_shop).count() == 1


def test_the_settings_page_refuses_bad_rules_and_changes_nothing(client, shop, other_shop):
    owner = member(shop, "owner_a", "owner")
    client.force_login(owner)
    page = client.get("/console/auto-approve/")
    assert page.status_code == 200 and "自动同意规则" in text(page)
    form = {"rule-name": "小额退货", "rule-remedy": "return_refund", "rule-goods_status": "not_shipped",
            "rule-max_amount": "50", "rule-trust": "anyone", "rule-active": "on"}
    refused = client.post("/console/auto-approve/save/", form)
    assert refused.status_code == 422 and "未发货的订单没有可退的货" in text(refused)
    refused = client.post("/console/auto-approve/save/", {**form, "rule-goods_status": "", "rule-max_amount": "abc"})
    assert refused.status_code == 422
    refused = client.post("/console/auto-approve/save/", {**form, "rule-goods_status": "", "rule-max_amount": "20000"})
    assert refused.status_code == 422 and "太高" in text(refused)
    assert not AutoApproveRule.objects.exists()
    saved = client.post("/console/auto-approve/save/", {**form, "rule-goods_status": ""})
    assert saved.status_code == 302
    made = AutoApproveRule.objects.get()
    assert (made.shop, made.name, made.remedy, made.goods_status, made.max_fen, made.trust, made.active,
            made.created_by) == (shop, "小额退货", "return_refund", "", 5000, "anyone", True, owner)
    duplicate = client.post("/console/auto-approve/save/", {**form, "rule-goods_status": ""})
    assert duplicate.status_code == 422 and AutoApproveRule.objects.count() == 1
    # Agents and other shops' owners cannot touch it.
    client.force_login(member(shop, "agent_a", "agent"))
    assert client.get("/console/auto-approve/").status_code == 403
    assert client.post("/console/auto-approve/save/", {**form, "rule-goods_status": ""}).status_code == 403
    client.force_login(member(other_shop, "owner_b", "owner"))
    assert "小额退货" not in text(client.get("/console/auto-approve/"))
    assert client.post(f"/console/auto-approve/{made.pk}/delete/").status_code == 404
    assert client.post("/console/auto-approve/save/", {**form, "rule-goods_status": "", "rule-rule_id": made.pk,
                                                       "rule-name": "改名"}).status_code == 404
    made.refresh_from_db()
    assert made.name == "小额退货"
