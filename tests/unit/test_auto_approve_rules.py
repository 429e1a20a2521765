"""Which of the owner's auto-approve rules agrees to a request (autoapprove.domain.rules), pure."""

from __future__ import annotations

import pytest

from aftersales.autoapprove.domain.rules import (
    DEFAULT_TRUST,
    FAST_REFUND,
    Request,
    Rule,
    check_rule,
    misfit,
    pick,
    policy_allows,
)
from aftersales.core.errors import DomainError

ALLOWS_REFUND = {"eligible": True, "remedies": ["refund_only", "return_refund"]}
UNSHIPPED_UNDER_50 = Rule(1, "未发货仅退款 ¥50 以下", "refund_only", "not_shipped", 5000, "anyone")
TRUSTED_RETURNS = Rule(2, "信任买家退货 ¥300 以下", "return_refund", "", 30000, "trusted")


def request(**over) -> Request:
    data = {"kind": "refund_only", "status": "requested", "goods_status": "not_shipped", "amount_fen": 4900,
            "standing": "", "decision": ALLOWS_REFUND}
    data.update(over)
    return Request(**data)


def test_an_unshipped_refund_under_the_cap_is_agreed_to():
    assert misfit(UNSHIPPED_UNDER_50, request()) is None
    assert misfit(UNSHIPPED_UNDER_50, request(amount_fen=5000)) is None  # the cap itself is within it
    assert pick([TRUSTED_RETURNS, UNSHIPPED_UNDER_50], request()) == UNSHIPPED_UNDER_50


@pytest.mark.parametrize(("over", "why"), [
    ({"amount_fen": 5001}, "over_cap"),
    ({"amount_fen": 0}, "over_cap"),
    ({"goods_status": "in_transit"}, "other_goods_status"),
    ({"kind": "return_refund"}, "other_kind"),
    ({"kind": "partial_refund"}, "other_kind"),
    ({"status": "refunding"}, "not_awaiting_review"),
    ({"standing": "watched"}, "buyer_watched"),
    ({"platform_decides": True}, "platform_decides"),
    ({"evidence_asked": True}, "evidence_asked"),
    ({"decision": {"eligible": False, "remedies": ["refund_only"]}}, "policy_does_not_allow"),
    ({"decision": {"eligible": True, "remedies": ["exchange"]}}, "policy_does_not_allow"),
    ({"decision": {}}, "policy_does_not_allow"),
])
def test_a_request_outside_the_rule_is_left_for_a_person(over, why):
    assert misfit(UNSHIPPED_UNDER_50, request(**over)) == why
    assert pick([UNSHIPPED_UNDER_50], request(**over)) is None


def test_a_trusted_buyers_rule_needs_the_owners_word():
    returning = request(kind="return_refund", goods_status="received", amount_fen=25900)
    assert misfit(TRUSTED_RETURNS, returning) == "buyer_not_trusted"
    assert misfit(TRUSTED_RETURNS, Request(**{**returning.__dict__, "standing": "trusted"})) is None
    # Any state of the goods: the rule has none.
    assert misfit(TRUSTED_RETURNS, Request(**{**returning.__dict__, "standing": "trusted",
                                               "goods_status": "in_transit"})) is None


def test_the_first_rule_that_fits_decides():
    broad = Rule(3, "仅退款 ¥100 以下", "refund_only", "", 10000, "anyone")
    assert pick([UNSHIPPED_UNDER_50, broad], request(amount_fen=8000)) == broad
    assert pick([broad, UNSHIPPED_UNDER_50], request()) == broad
    assert pick([], request()) is None


def test_policy_allows_reads_the_stored_decision():
    assert policy_allows(ALLOWS_REFUND, "refund_only")
    assert not policy_allows({"eligible": True, "remedies": None}, "refund_only")


def test_a_rule_is_checked_when_saved():
    check_rule(name="小额仅退款", remedy="refund_only", goods_status="", max_fen=5000, trust="anyone")
    for fields, code in (
        ({"name": " "}, "input.required"),
        ({"name": "规" * 61}, "input.too_long"),
        ({"remedy": "exchange"}, "input.invalid_choice"),
        ({"goods_status": "lost"}, "input.invalid_choice"),
        ({"trust": "vip"}, "input.invalid_choice"),
        ({"max_fen": 0}, "autoapprove.cap_required"),
        ({"max_fen": 1_000_001}, "autoapprove.cap_too_high"),
        ({"remedy": "return_refund", "goods_status": "not_shipped"}, "autoapprove.return_before_shipment"),
    ):
        data = {"name": "小额仅退款", "remedy": "refund_only", "goods_status": "", "max_fen": 5000, "trust": "anyone"}
        data.update(fields)
        with pytest.raises(DomainError) as refused:
            check_rule(**data)
        assert refused.value.code == code


# 极速退款: a return agreed to, on its way back with a tracking number, refunded before it arrives.

FAST_UNDER_100 = Rule(4, "信任买家极速退款 ¥100 以下", FAST_REFUND, "", 10000, DEFAULT_TRUST[FAST_REFUND])
ALLOWS_RETURN = {"eligible": True, "remedies": ["return_refund", "exchange"]}


def on_its_way(**over) -> Request:
    data = {"kind": "return_refund", "status": "return_in_transit", "goods_status": "received",
            "amount_fen": 8900, "standing": "trusted", "decision": ALLOWS_RETURN, "return_tracked": True,
            "granted_fen": 0}
    data.update(over)
    return Request(**data)


def test_a_fast_refund_rule_is_for_trusted_buyers_unless_the_owner_says_otherwise():
    assert DEFAULT_TRUST == {"refund_only": "anyone", "return_refund": "anyone", "fast_refund": "trusted"}
    assert FAST_UNDER_100.trust == "trusted"


def test_a_trusted_buyers_return_on_its_way_back_is_refunded_early():
    assert misfit(FAST_UNDER_100, on_its_way()) is None
    assert misfit(FAST_UNDER_100, on_its_way(amount_fen=10000)) is None  # the cap itself is within it
    assert misfit(FAST_UNDER_100, on_its_way(goods_status="in_transit")) is None  # any state of the goods
    # A rule for anyone not watched: an ordinary buyer too, a watched one never.
    anyone = Rule(5, "极速退款 ¥50 以下", FAST_REFUND, "", 5000, "anyone")
    assert misfit(anyone, on_its_way(standing="", amount_fen=4900)) is None
    assert misfit(anyone, on_its_way(standing="watched", amount_fen=4900)) == "buyer_watched"
    assert pick([UNSHIPPED_UNDER_50, TRUSTED_RETURNS, FAST_UNDER_100], on_its_way()) == FAST_UNDER_100


@pytest.mark.parametrize(("over", "why"), [
    ({"status": "requested"}, "not_awaiting_receipt"),  # not agreed to yet: a return rule's, not this one's
    ({"status": "awaiting_return"}, "not_awaiting_receipt"),  # agreed, not sent yet
    ({"status": "return_received"}, "not_awaiting_receipt"),  # arrived: the warehouse inspects it first
    ({"status": "completed"}, "not_awaiting_receipt"),
    ({"platform_decides": True}, "platform_decides"),
    ({"evidence_asked": True}, "evidence_asked"),
    ({"kind": "exchange"}, "other_kind"),
    ({"kind": "refund_only"}, "other_kind"),
    ({"return_tracked": False}, "no_return_tracking"),
    ({"granted_fen": 8900}, "already_refunded"),
    ({"granted_fen": 1}, "already_refunded"),
    ({"standing": "watched"}, "buyer_watched"),
    ({"standing": ""}, "buyer_not_trusted"),
    ({"amount_fen": 10001}, "over_cap"),
    ({"amount_fen": 0}, "over_cap"),
    ({"decision": {"eligible": False, "remedies": ["return_refund"]}}, "policy_does_not_allow"),
    ({"decision": {"eligible": True, "remedies": ["exchange"]}}, "policy_does_not_allow"),
    ({"decision": {}}, "policy_does_not_allow"),
])
def test_a_return_outside_the_fast_refund_rule_waits_for_the_warehouse(over, why):
    assert misfit(FAST_UNDER_100, on_its_way(**over)) == why
    assert pick([FAST_UNDER_100], on_its_way(**over)) is None


def test_review_rules_never_read_a_return_on_its_way_back():
    assert misfit(TRUSTED_RETURNS, on_its_way()) == "not_awaiting_review"
    assert misfit(Rule(6, "退货", "return_refund", "", 30000, "anyone"), on_its_way()) == "not_awaiting_review"


def test_a_fast_refund_rule_is_checked_when_saved():
    check_rule(name="极速退款", remedy=FAST_REFUND, goods_status="", max_fen=10000, trust="trusted")
    check_rule(name="极速退款", remedy=FAST_REFUND, goods_status="received", max_fen=10000, trust="anyone")
    for fields, code in (
        ({"goods_status": "not_shipped"}, "autoapprove.return_before_shipment"),
        ({"max_fen": 0}, "autoapprove.cap_required"),
        ({"max_fen": -100}, "autoapprove.cap_required"),
        ({"max_fen": 1_000_001}, "autoapprove.cap_too_high"),
        ({"trust": "watched"}, "input.invalid_choice"),
        ({"remedy": "fast"}, "input.invalid_choice"),
    ):
        data = {"name": "极速退款", "remedy": FAST_REFUND, "goods_status": "", "max_fen": 10000, "trust": "trusted"}
        data.update(fields)
        with pytest.raises(DomainError) as refused:
            check_rule(**data)
        assert refused.value.code == code
