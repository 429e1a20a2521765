"""The remedy advice and the abuse signals of real cases: read from the database, applied by the verbs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case, CaseEvent
from aftersales.catalog.models import ReturnRule
from aftersales.core.errors import ConflictError, DomainError
from aftersales.intelligence.advice import services as advice_services
from aftersales.intelligence.advice.selectors import advice_for_case
from aftersales.intelligence.signals import services as signal_services
from aftersales.intelligence.signals.selectors import flagged_case_ids, signals_for_case
from aftersales.orders.services import create_order
from aftersales.refunds.models import RefundDecision
from tests.integration.conftest import PAID_AT, order_payload

pytestmark = pytest.mark.django_db

BUYER = services.By(Actor.BUYER)
MERCHANT = services.By(Actor.MERCHANT)
NOW = PAID_AT + timedelta(days=4)


def open_return(shop, order, *, line_id="DY0001-1", kind="return_refund", reason="size_fit", now=NOW):
    line = order.lines.get(platform_line_id=line_id)
    return services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind=kind, reason=reason, by=BUYER,
                              buyer_note="尺码偏小", now=now)


def cheap_order(shop, number="DY0002", *, phone="13812345678", price=3900, platform="douyin"):
    """One ¥39 T-shirt, paid in full, delivered."""
    return create_order(shop, order_payload(number, platform=platform, buyer={
        "nick": f"买家{number}", "name": "李雷", "phone": phone, "province": "广东省", "city": "深圳市"},
        lines=[{"platform_line_id": f"{number}-1", "title": "纯棉T恤", "sku_code": "QZ-1001-M", "spec": "M",
                "quantity": 1, "unit_price_fen": price, "paid_fen": price}],
        payments=[{"route": "alipay", "amount_fen": price}]))


def test_a_no_reason_return_gets_every_allowed_remedy_with_its_sums(shop, order):
    case = open_return(shop, order)
    found = advice_for_case(case)
    assert found.facts.allowed == ("return_refund", "exchange")
    assert found.facts.refund_fen == 14900  # the refund rule: one of two units of a line paid ¥298
    assert found.facts.goods_cost_fen == 7950  # 50% of the list price ¥159
    assert found.facts.freight_back_fen == 1200  # no carrier known: the shop's freight estimate
    # apparel, no inspections yet: A 60% B 30% C 8% D 2% → worth 78.8% of ¥79.50 = ¥62.65 back
    assert dict(found.facts.grade_mix_bp) == {"A": 6000, "B": 3000, "C": 800, "D": 200}
    costs = {o.remedy: o.cost_fen for o in found.advice.options}
    # return 14900 + 500 − 6265 + 300 = 9435; exchange 500 + 1200 + 1685 + 300 = 3685, + ½·5750 + 500
    assert costs == {"return_refund": 9435, "exchange": 7060}
    assert found.advice.best.remedy == "exchange" and found.advice.best.needs_agreement
    assert found.actionable


def test_the_api_case_includes_advice_and_signals_in_the_callers_language(shop, order, api):
    case = open_return(shop, order)
    body = api.get(f"/api/v1/cases/{case.pk}", headers={"Accept-Language": "en"}).json()
    assert body["advice"]["recommended"] == "exchange"
    assert [o["cost_fen"] for o in body["advice"]["options"]] == [7060, 9435]
    assert body["advice"]["options"][0]["lines"][0] == {"code": "return_handling", "label": "Receiving and inspection",
                                                        "fen": 500}
    assert body["advice"]["summary"].startswith("Recommended: exchange, expected cost ¥70.60")
    assert body["signals"]["items"] == [] and body["signals"]["asks_for_goods"] is False
    zh = api.get(f"/api/v1/cases/{case.pk}").json()
    assert zh["advice"]["summary"].startswith("建议「换货」：预计成本 ¥70.60")


def test_a_cheap_return_is_waived_in_one_click_through_the_case_verbs(shop):
    order = cheap_order(shop)
    case = open_return(shop, order, line_id="DY0002-1")
    found = advice_for_case(case)
    keep = found.advice.option("refund_only")
    assert keep.basis == "waiver" and keep.refund_fen == 3900
    applied = advice_services.apply_advice(shop, case.pk, MERCHANT, remedy="refund_only", note="买家同意仅退款")
    assert (applied.kind, applied.status, applied.refund_granted_fen) == ("refund_only", "refunding", 3900)
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["open", "switch_remedy", "approve", "grant_refund"]
    assert RefundDecision.objects.get(case=case).amount_fen == 3900
    with pytest.raises(ConflictError):  # applied once; the case is no longer under review
        advice_services.apply_advice(shop, case.pk, MERCHANT, remedy="refund_only")


def test_an_option_the_advice_does_not_offer_is_refused_and_nothing_changes(shop, order):
    case = open_return(shop, order)
    with pytest.raises(DomainError) as err:
        advice_services.apply_advice(shop, case.pk, MERCHANT, remedy="reship")
    assert err.value.code == "advice.option_not_offered"
    with pytest.raises(DomainError) as err:  # above the waiver limit: no refund without return
        advice_services.apply_advice(shop, case.pk, MERCHANT, remedy="refund_only")
    case.refresh_from_db()
    assert (case.kind, case.status, case.version) == ("return_refund", "requested", 1)
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_switching_to_a_remedy_the_policy_forbids_is_refused(shop, order):
    case = open_return(shop, order)
    with pytest.raises(DomainError) as err:
        services.switch_remedy(shop, case.pk, MERCHANT, kind="reship")
    assert err.value.code == "case.remedy_not_allowed"
    case.refresh_from_db()
    assert case.kind == "return_refund" and case.version == 1


def test_bulk_apply_only_where_the_advice_is_the_same(shop, order):
    # 运费险: the shop pays the ¥12 back, so a ¥39 T-shirt is cheaper left with the buyer:
    # return 3900 + 1200 + 500 − 1537 + 300 = 4363 > waiver 3900 + 300 = 4200.
    ReturnRule.objects.create(shop=shop, free_return_shipping=True)
    cheap = [open_return(shop, cheap_order(shop, f"DY10{i}"), line_id=f"DY10{i}-1") for i in range(2)]
    dear = open_return(shop, order)
    assert [advice_for_case(c).advice.best.cost_fen for c in cheap] == [4200, 4200]
    result = advice_services.apply_advice_many(shop, [c.pk for c in cheap] + [dear.pk, 999_999], MERCHANT,
                                               remedy="refund_only")
    # granted: the refund rule leaves nothing more to refund on them
    assert [advice_for_case(c).facts.refund_fen for c in cheap] == [0, 0]
    assert sorted(c.pk for c in result.done) == sorted(c.pk for c in cheap)
    assert [e.code for _c, e in result.refused] == ["advice.bulk_differs", "case.not_found"]
    dear.refresh_from_db()
    assert dear.status == "requested"


def test_a_watched_buyer_asks_for_the_goods_back_and_a_trusted_one_does_not(shop):
    order = cheap_order(shop)
    case = open_return(shop, order, line_id="DY0002-1")
    signal_services.set_standing(shop, case.buyer_id, MERCHANT, standing="watched", note="多次空包")
    found = signals_for_case(case)
    assert [s.code for s in found.items] == ["watched"] and found.asks_for_goods
    advice = advice_for_case(case, waive_blocked=found.asks_for_goods)
    assert [o.remedy for o in advice.advice.options] == ["return_refund", "exchange"]
    assert "advice.reason.waiver_blocked" in [r.code for r in advice.advice.reasons]
    assert case.pk in flagged_case_ids(shop)
    signal_services.set_standing(shop, case.buyer_id, MERCHANT, standing="trusted")
    found = signals_for_case(case)
    assert found.items == () and not found.asks_for_goods
    assert case.pk not in flagged_case_ids(shop)


def test_shared_phone_and_a_quick_claim_on_dear_goods_are_signals_with_their_numbers(shop):
    # One phone, two accounts: one on Taobao, one on Douyin (one platform matches buyers by phone).
    cheap_order(shop, "TB0100", phone="13900001111", platform="taobao")
    order = cheap_order(shop, "DY0101", phone="13900001111", price=69900)
    signed = order.signed_at
    case = open_return(shop, order, line_id="DY0101-1", now=signed + timedelta(hours=3))
    found = signals_for_case(case, now=signed + timedelta(hours=4))
    by_code = {s.code: s for s in found.items}
    assert by_code["shared_phone"].params == {"accounts": 2}
    assert by_code["quick_claim_high_value"].params["hours"] == 3
    assert by_code["quick_claim_high_value"].params["value"] == 69900
    assert all(s.asks == "evidence" for s in found.items)


def test_inspections_teach_the_expected_grade(shop, order):
    from aftersales.warehouse import services as warehouse

    for number in ("DY0201", "DY0202", "DY0203"):
        other = cheap_order(shop, number)
        done = open_return(shop, other, line_id=f"{number}-1")
        services.approve_case(shop, done.pk, MERCHANT, now=NOW)
        warehouse.receive_parcel(shop, services.By(Actor.WAREHOUSE), case_id=done.pk)
        warehouse.inspect_return(shop, done.pk, services.By(Actor.WAREHOUSE), grade="C",
                                 checklist=dict.fromkeys(warehouse.CHECKLIST_ITEMS, True))
    case = open_return(shop, order)
    found = advice_for_case(case)
    # (3·10000 + 10·800) / 13 for C; the rest of the table shrinks in proportion
    assert dict(found.facts.grade_mix_bp) == {"A": 4615, "B": 2308, "C": 2923, "D": 154}
    assert found.basis["inspections"] == 3


def test_a_case_recorded_without_a_policy_decision_says_so_instead_of_advising(shop, order):
    case = open_return(shop, order)
    Case.objects.filter(pk=case.pk).update(policy_decision={})
    case.refresh_from_db()
    found = advice_for_case(case)
    assert found.advice.options == () and [r.code for r in found.advice.reasons] == ["advice.reason.no_decision"]


def test_an_offer_the_buyer_did_not_ask_for_needs_their_agreement(shop, order):
    case = open_return(shop, order)  # a ¥149 return: the advice is to offer an exchange
    with pytest.raises(DomainError) as err:
        advice_services.apply_advice(shop, case.pk, MERCHANT, remedy="exchange")
    assert err.value.code == "advice.needs_agreement"
    case.refresh_from_db()
    assert (case.kind, case.status) == ("return_refund", "requested")
    applied = advice_services.apply_advice(shop, case.pk, MERCHANT, remedy="exchange", buyer_agreed=True,
                                           note="买家同意换 L 码")
    assert (applied.kind, applied.status, applied.refund_granted_fen) == ("exchange", "awaiting_return", 0)
    assert CaseEvent.objects.get(case=case, action="switch_remedy").payload == {
        "before": {"kind": "return_refund", "requested_fen": 14900}, "after": {"kind": "exchange", "requested_fen": 0},
        "buyer_agreed": True}
