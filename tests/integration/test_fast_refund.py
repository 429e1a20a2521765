"""极速退款: the owner's fast-refund rule refunds a trusted buyer's return once its tracking number is in,
before the parcel arrives — exactly what the refund rule allows, one decision and one payment under one
idempotency key, the rule named on the case — and the case still waits for the parcel. The warehouse
receives and inspects it as any return: a pass completes the case without a second refund, a failure
marks it for the owner's follow-up (the money is gone). Returns outside the rule are left as they were."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command

from aftersales.autoapprove import services as auto
from aftersales.autoapprove.models import AutoApproveRule
from aftersales.autoapprove.tasks import auto_approve
from aftersales.cases import services, timers
from aftersales.cases.domain.events import BUYER_VISIBLE
from aftersales.cases.models import Case, CaseEvent
from aftersales.core.errors import DomainError
from aftersales.intelligence.signals.models import BuyerStanding
from aftersales.notifications.models import Message
from aftersales.orders.services import create_order
from aftersales.portal.selectors import buyer_events
from aftersales.refunds import services as refunds
from aftersales.refunds.models import RefundDecision, RefundPayment
from aftersales.warehouse import services as warehouse
from tests.integration.conftest import order_payload
from tests.integration.console_support import (
    BUYER,
    MERCHANT,
    WAREHOUSE,
    english,
    member,
    open_case,
    recent_order,
    text,
)
from tests.integration.ledger_support import assert_ledger_reconciles

pytestmark = pytest.mark.django_db

RULE_NAME = "信任买家极速退款 ¥200 以下"


def fast_rule(shop, **over):
    data = {"name": RULE_NAME, "remedy": "fast_refund", "goods_status": "", "max_fen": 20000, "trust": "trusted"}
    data.update(over)
    return auto.save_rule(shop, **data)


def stand(case, standing="trusted"):
    BuyerStanding.objects.update_or_create(shop=case.shop, buyer=case.buyer,
                                           defaults={"standing": standing, "updated_at": case.created_at})


def phone_of(number: str) -> str:
    """One buyer per order: the owner's word on one buyer is no word on another."""
    return f"1390000{number[-4:]}"


def agreed_return(shop, number, *, standing="trusted", units=1):
    """A no-reason return the shop agreed to (the buyer has not sent it yet), of a buyer of its own."""
    order = recent_order(shop, number, phone=phone_of(number), quantity=units)
    case = services.open_case(shop, order_id=order.pk, lines=[(order.lines.first().pk, units)],
                              kind="return_refund", reason="no_reason", by=BUYER, buyer_note="不喜欢")
    assert case.policy_decision["eligible"] and "return_refund" in case.policy_decision["remedies"]
    services.approve_case(shop, case.pk, MERCHANT)
    if standing:
        stand(case, standing)
    return case


def sent_back(shop, case, tracking_no="SF1400000001"):
    services.record_return_shipment(shop, case.pk, BUYER, carrier="顺丰速运", tracking_no=tracking_no)
    return Case.objects.get(pk=case.pk)


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.version, fresh.refund_granted_fen, fresh.refunded_fen, fresh.deadline_at,
            fresh.refunded_before_receipt_at, CaseEvent.objects.filter(case=case).count())


def test_the_worker_refunds_a_trusted_buyers_return_once_its_tracking_number_is_in(client, shop):
    case = agreed_return(shop, "DYF0001")
    made = fast_rule(shop)
    # Agreed but not sent: nothing yet.
    assert auto_approve.call_local() == "auto-approved=0 errors=0"
    assert Case.objects.get(pk=case.pk).refund_granted_fen == 0
    case = sent_back(shop, case)
    deadline, refundable = case.deadline_at, refunds.refundable_now(case)
    assert (case.status, refundable) == ("return_in_transit", 15900)

    assert auto_approve.call_local() == "auto-approved=1 errors=0"
    fresh = Case.objects.get(pk=case.pk)
    # Refunded by the refund rule's amount, and still waiting for the parcel with the same deadline.
    assert (fresh.status, fresh.refund_granted_fen, fresh.refunded_fen, fresh.money_status) == (
        "return_in_transit", 15900, 15900, "refunded")
    assert fresh.deadline_at == deadline and fresh.deadline_stage == "merchant_confirm_receipt"
    assert fresh.refunded_before_receipt_at is not None and not fresh.needs_owner_follow_up
    decision = RefundDecision.objects.get(case=case)
    assert (decision.amount_fen, decision.reason_code, decision.actor) == (15900, "fast_refund", "system")
    payment = RefundPayment.objects.get(case=case)
    assert (payment.idempotency_key, payment.amount_fen, payment.status) == (
        f"{case.number}-fast-{made.pk}", 15900, "succeeded")
    # The move names the rule that made it; the buyer reads the refund, never the shop's rule.
    moved = CaseEvent.objects.get(case=case, action="fast_refund")
    assert (moved.actor, moved.from_status, moved.to_status, moved.payload) == (
        "system", "return_in_transit", "return_in_transit", {"rule": made.pk, "rule_name": RULE_NAME})
    assert "fast_refund" in BUYER_VISIBLE
    seen_by_buyer = buyer_events(fresh)
    assert "fast_refund" in [s.action for s in seen_by_buyer]
    assert all("rule" not in s.payload and RULE_NAME not in s.note for s in seen_by_buyer)
    assert_ledger_reconciles(shop)

    # A second sweep (or the command) finds nothing to do and pays nothing twice; the key answers the same.
    before = snapshot(case)
    out = io.StringIO()
    call_command("auto-approve", "--shop", shop.slug, stdout=out)
    assert out.getvalue() == "auto-approve: auto-approved=0 errors=0\n"
    assert auto.apply_rules().applied == []
    again = refunds.execute_refund(shop, case.pk, services.SYSTEM, idempotency_key=f"{case.number}-fast-{made.pk}")
    assert [p.pk for p in again] == [payment.pk]
    assert snapshot(case) == before
    assert (RefundDecision.objects.filter(case=case).count(), RefundPayment.objects.filter(case=case).count()) == (1, 1)
    with pytest.raises(DomainError) as twice:
        refunds.grant_fast_refund(shop, case.pk, services.SYSTEM, rule_id=made.pk, rule_name=RULE_NAME, max_fen=20000)
    assert twice.value.code == "refund.already_granted"
    assert snapshot(case) == before

    # The case page says which rule refunded it, and the inbox marks it.
    client.force_login(member(shop, "agent_a", "agent"))
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert f"收到退货前已按规则「{RULE_NAME}」先行退款" in page
    assert f"规则「{RULE_NAME}」" in page and "极速退款（收到退货前先行退款）" in page
    inbox = client.get("/console/")
    assert "data-fast-refund" in inbox.content.decode() and case.number in text(inbox)


def test_the_amount_is_the_refund_rules_not_what_was_paid(shop):
    # 满199包邮: returning both dresses of the line leaves ¥149 kept, so the ¥12 waived freight is deducted.
    order = create_order(shop, order_payload("DYF0002", paid_at=recent_order(shop, "DYF0002X").paid_at,
                                             shipped_at=None, signed_at=None,
                                             free_shipping_threshold_fen=19900, waived_freight_fen=1200))
    order.shipped_at = order.paid_at + timedelta(hours=6)
    order.signed_at = order.paid_at + timedelta(days=1)
    order.save(update_fields=["shipped_at", "signed_at"])
    line = order.lines.get(platform_line_id="DYF0002-1")
    case = services.open_case(shop, order_id=order.pk, lines=[(line.pk, 2)], kind="return_refund",
                              reason="no_reason", by=BUYER, buyer_note="不想要了")
    services.approve_case(shop, case.pk, MERCHANT)
    stand(case)
    case = sent_back(shop, case, "YT9900000002")
    assert refunds.refundable_now(case) == 29800 - 1200
    made = fast_rule(shop, max_fen=30000)
    assert [(a.number, a.rule, a.refunded_fen) for a in auto.apply_rules().applied] == [(case.number, RULE_NAME, 28600)]
    decision = RefundDecision.objects.get(case=case)
    assert (decision.amount_fen, decision.deductions) == (28600, [["refund.deduction.outbound_freight", 1200]])
    payments = RefundPayment.objects.filter(case=case)
    assert {p.idempotency_key for p in payments} == {f"{case.number}-fast-{made.pk}"}
    assert sum(p.amount_fen for p in payments) == 28600
    assert_ledger_reconciles(shop)


def test_returns_outside_the_rule_are_left_alone(shop):
    fast_rule(shop, max_fen=20000)
    untrusted = sent_back(shop, agreed_return(shop, "DYF0003", standing=""), "SF1400000003")
    watched = sent_back(shop, agreed_return(shop, "DYF0004", standing="watched"), "SF1400000004")
    dear = sent_back(shop, agreed_return(shop, "DYF0005", units=2), "SF1400000005")  # ¥318 > ¥200
    not_sent = agreed_return(shop, "DYF0006")  # agreed, no tracking number yet
    under_review = open_case(shop, recent_order(shop, "DYF0007", phone=phone_of("DYF0007")),
                             kind="return_refund", reason="no_reason")
    stand(under_review)
    exchange = open_case(shop, recent_order(shop, "DYF0008", phone=phone_of("DYF0008")),
                         kind="exchange", reason="size_fit")
    services.approve_case(shop, exchange.pk, MERCHANT)
    stand(exchange)
    exchange = sent_back(shop, exchange, "SF1400000008")
    cases = [untrusted, watched, dear, not_sent, under_review, exchange]
    before = [snapshot(c) for c in cases]
    report = auto.apply_rules()
    assert report.applied == [] and report.errors == []
    assert [snapshot(c) for c in cases] == before
    assert not RefundDecision.objects.exists() and not RefundPayment.objects.exists()
    # A rule for anyone the shop does not watch takes the ordinary buyer, never the watched one.
    AutoApproveRule.objects.update(trust="anyone")
    assert [a.number for a in auto.apply_rules().applied] == [untrusted.number]
    assert snapshot(watched) == before[1]


def test_a_platforms_case_is_refunded_on_the_platform(shop):
    fast_rule(shop)
    order = recent_order(shop, "DYF0010")
    case = services.open_case(shop, order_id=order.pk, lines=[(order.lines.first().pk, 1)], kind="return_refund",
                              reason="no_reason", by=BUYER, platform_case_id="7300000000000000010")
    services.approve_case(shop, case.pk, MERCHANT)
    stand(case)
    case = sent_back(shop, case, "SF1400000010")
    assert case.status == "return_in_transit"
    before = snapshot(case)
    assert auto.apply_rules().applied == []
    assert snapshot(case) == before
    # Nor can the verb be made to do it.
    with pytest.raises(DomainError) as refused:
        refunds.grant_fast_refund(shop, case.pk, services.SYSTEM, rule_id=1, rule_name="x", max_fen=20000)
    assert refused.value.code == "case.fast_refund_platform_case"
    assert snapshot(case) == before and not RefundDecision.objects.exists()


def _refunded_early(shop, number, tracking_no):
    case = sent_back(shop, agreed_return(shop, number), tracking_no)
    fast_rule(shop)
    assert [a.number for a in auto.apply_rules().applied] == [case.number]
    return Case.objects.get(pk=case.pk)


def test_the_warehouse_receives_an_early_refunded_return_and_never_refunds_again(client, shop):
    case = _refunded_early(shop, "DYF0011", "SF1400000011")
    told = Message.objects.filter(case=case, template="refund.settled").count()
    parcel = warehouse.receive_parcel(shop, WAREHOUSE, tracking_no="SF1400000011")
    assert parcel.case_id == case.pk
    assert Case.objects.get(pk=case.pk).status == "return_received"
    client.force_login(member(shop, "desk", "warehouse"))
    desk = text(client.get(f"/warehouse/cases/{case.pk}/inspect/"))
    assert "此退货到货前已极速退款（¥159.00）" in desk
    warehouse.inspect_return(shop, case.pk, WAREHOUSE, grade="A",
                             checklist=dict.fromkeys(warehouse.checklist_for(case), True), restock=True)
    fresh = Case.objects.get(pk=case.pk)
    # The money had arrived: the case completes with nothing paid again and no second word to the buyer.
    assert (fresh.status, fresh.refund_granted_fen, fresh.refunded_fen, fresh.inspection_result) == (
        "completed", 15900, 15900, "pass")
    done = CaseEvent.objects.get(case=case, action="refund_succeeded")
    assert (done.actor, done.from_status, done.payload) == ("system", "refunding", {"refunded_before_receipt": True})
    assert not CaseEvent.objects.filter(case=case, action="ready_to_refund").exists()
    assert Message.objects.filter(case=case, template="refund.settled").count() == told
    assert (RefundDecision.objects.filter(case=case).count(), RefundPayment.objects.filter(case=case).count()) == (1, 1)
    assert auto.apply_rules().applied == []
    assert_ledger_reconciles(shop)


def test_a_failed_inspection_after_an_early_refund_is_the_owners_to_follow_up(client, shop):
    owner = member(shop, "owner_a", "owner")
    case = _refunded_early(shop, "DYF0012", "SF1400000012")
    warehouse.receive_parcel(shop, WAREHOUSE, tracking_no="SF1400000012")
    warehouse.inspect_return(shop, case.pk, WAREHOUSE, grade="D", checklist={"tags_intact": False},
                             failure_reason="not_our_item", photos=1, note="空包")
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.inspection_result, fresh.refund_granted_fen, fresh.refunded_fen) == (
        "rejected_after_return", "fail", 15900, 15900)
    assert fresh.needs_owner_follow_up
    flagged = CaseEvent.objects.get(case=case, action="fast_refund_inspection_failed")
    assert flagged.actor == "warehouse" and flagged.payload["amount_fen"] == 15900
    assert flagged.payload["failure_reason"] == "not_our_item"
    assert "fast_refund_inspection_failed" not in BUYER_VISIBLE
    told = Message.objects.get(case=case, template="staff.fast_refund_inspection_failed", recipient_user=owner)
    assert "已在收到退货前极速退款 ¥159.00" in told.body
    # No second refund, no refund taken back by itself.
    assert (RefundDecision.objects.filter(case=case).count(), RefundPayment.objects.filter(case=case).count()) == (1, 1)
    client.force_login(owner)
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert "已极速退款·质检不通过：待店长跟进" in page
    assert "此单在收到退货前已退款 ¥159.00，退货质检不通过" in page
    assert "data-owner-follow-up" in client.get("/console/").content.decode()


def test_a_parcel_that_never_arrives_keeps_the_case_waiting_with_its_deadline(shop):
    case = sent_back(shop, agreed_return(shop, "DYF0013"), "SF1400000013")
    deadline = case.deadline_at
    fast_rule(shop)
    auto.apply_rules()
    later = auto.apply_rules(deadline - timedelta(hours=1))
    assert later.applied == []
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.deadline_at, fresh.refunded_fen) == ("return_in_transit", deadline, 15900)
    assert fresh.is_open
    # When the platform's clock runs out it deems the parcel received and passed: done, nothing paid twice.
    timers.sweep(deadline + timedelta(minutes=1))
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == "completed" and fresh.refund_granted_fen == 15900
    assert (RefundDecision.objects.filter(case=case).count(), RefundPayment.objects.filter(case=case).count()) == (1, 1)


def test_the_owner_adds_a_fast_refund_rule_and_bad_input_saves_nothing(client, shop, other_shop):
    owner = member(shop, "owner_a", "owner")
    client.force_login(owner)
    page = text(client.get("/console/auto-approve/"))
    assert "新增极速退款规则" in page and "被关注的买家不会被先行退款" in page
    html = client.get("/console/auto-approve/").content.decode()
    fast_form = html[html.index('id="new-fast-rule"'):]
    # Trusted buyers only unless the owner says otherwise; the kind is fixed.
    assert '<option value="trusted" selected>' in fast_form
    assert '<input type="hidden" name="rule-remedy" value="fast_refund"' in fast_form
    form = {"form": "fast", "rule-name": "信任买家极速退款", "rule-remedy": "fast_refund", "rule-goods_status": "",
            "rule-max_amount": "200", "rule-trust": "trusted", "rule-active": "on"}
    for bad, shown in (
        ({"rule-max_amount": "abc"}, "请输入以元为单位的金额"),
        ({"rule-max_amount": "0"}, ""),
        ({"rule-max_amount": "20000"}, "太高"),
        ({"rule-name": ""}, ""),
        ({"rule-trust": "watched"}, ""),
        ({"rule-remedy": "fast"}, ""),
    ):
        refused = client.post("/console/auto-approve/save/", {**form, **bad})
        assert refused.status_code == 422, bad
        assert shown in text(refused)
        assert re.search(r'<details[^>]*\bopen\b[^>]*id="new-fast-rule"', refused.content.decode())
    assert not AutoApproveRule.objects.exists()
    saved = client.post("/console/auto-approve/save/", form)
    assert saved.status_code == 302
    made = AutoApproveRule.objects.get()
    assert (made.shop, made.name, made.remedy, made.goods_status, made.max_fen, made.trust, made.active,
            made.created_by) == (shop, "信任买家极速退款", "fast_refund", "", 20000, "trusted", True, owner)
    listed = text(client.get("/console/auto-approve/"))
    assert "极速退款（收到退货前先行退款）" in listed and "不超过 ¥200.00" in listed
    assert "货物状态不限" not in listed  # it only ever refunds a return on its way back
    english(client)
    listed = text(client.get("/console/auto-approve/"))
    assert "Add a fast refund rule" in listed and "Fast refund (before the return arrives)" in listed
    assert "Buyers the shop watches are never refunded early." in listed
    # An agent cannot add one.
    client.force_login(member(shop, "agent_a", "agent"))
    assert client.post("/console/auto-approve/save/", {**form, "rule-name": "另一条"}).status_code == 403
    assert AutoApproveRule.objects.count() == 1


def test_the_buyer_cannot_withdraw_a_return_refunded_early(client, shop):
    case = _refunded_early(shop, "DYF0014", "SF1400000014")
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        services.withdraw_case(shop, case.pk, BUYER, note="不退了")
    assert refused.value.code == "case.withdraw_after_fast_refund"
    assert snapshot(case) == before
    # The buyer's page shows the refund and no button to withdraw; posting it anyway changes nothing.
    assert client.post("/portal/", {"order_no": "DYF0014", "last4": "0014"}).status_code == 302
    page = client.get(f"/portal/cases/{case.pk}/")
    assert "极速退款（收到退货前先行退款）" in text(page) and RULE_NAME not in text(page)
    assert f"/portal/cases/{case.pk}/do/withdraw/" not in page.content.decode()
    refused_page = client.post(f"/portal/cases/{case.pk}/do/withdraw/")
    assert refused_page.status_code == 422 and "不能再撤销申请" in text(refused_page)
    assert snapshot(case) == before
