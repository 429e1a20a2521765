from datetime import UTC, datetime, timedelta

import pytest

from aftersales.cases.domain.deadlines import (
    DEFAULT_ACTIONS,
    FALLBACK,
    DefaultAction,
    Stage,
    default_action,
    next_deadline,
    stage_for,
    timer_actions,
    waiting_on,
)
from aftersales.cases.domain.states import KINDS_IN_STATUS, TERMINAL, Actor, Kind, Status, next_status
from aftersales.core.choices import Platform
from aftersales.core.clock import SHANGHAI
from aftersales.core.errors import DomainError


def bj(*args):
    return datetime(*args, tzinfo=SHANGHAI)


ENTERED = bj(2026, 5, 4, 10, 0)


@pytest.mark.parametrize(
    ("platform", "shipped", "due"),
    [
        ("douyin", True, bj(2026, 5, 6, 10, 0)),  # 48h
        ("douyin", False, bj(2026, 5, 6, 10, 0)),
        ("taobao", False, bj(2026, 5, 6, 10, 0)),  # 48h unshipped
        ("taobao", True, bj(2026, 5, 9, 10, 0)),  # 5 days shipped
        ("tmall", True, bj(2026, 5, 9, 10, 0)),
        ("own", True, bj(2026, 5, 9, 10, 0)),  # like Taobao
        ("jd", False, bj(2026, 5, 5, 10, 0)),  # 24h
        ("jd", True, bj(2026, 5, 7, 10, 0)),  # 72h
        ("pdd", True, bj(2026, 5, 6, 10, 0)),  # 48h
        ("pdd", False, bj(2026, 5, 5, 10, 0)),  # the earlier of the conflicting sources
    ],
)
def test_merchant_review_fallback(platform, shipped, due):
    deadline = next_deadline(
        platform, Status.REQUESTED, Kind.REFUND_ONLY, ENTERED, shipped=shipped, platform_deadline=None
    )
    assert deadline.due_at == due
    assert deadline.stage == Stage.MERCHANT_REVIEW
    assert deadline.source == "fallback"


def test_review_default_actions():
    assert default_action("douyin", Stage.MERCHANT_REVIEW) == DefaultAction.AUTO_APPROVE
    assert default_action("jd", Stage.MERCHANT_REVIEW) == DefaultAction.AUTO_APPROVE
    # Nobody auto-approves for an own shop: staff are reminded and the case escalates.
    assert default_action("own", Stage.MERCHANT_REVIEW) == DefaultAction.NONE
    assert default_action("own", Stage.BUYER_RETURN_SHIPMENT) == DefaultAction.AUTO_CLOSE


def test_buyer_ships_within_seven_days_or_the_case_closes():
    deadline = next_deadline("douyin", Status.AWAITING_RETURN, Kind.RETURN_REFUND, ENTERED, shipped=True)
    assert deadline.due_at == bj(2026, 5, 11, 10, 0)
    assert deadline.stage == Stage.BUYER_RETURN_SHIPMENT
    assert deadline.action == DefaultAction.AUTO_CLOSE


def test_merchant_confirms_receipt():
    tb = next_deadline("taobao", Status.RETURN_IN_TRANSIT, Kind.RETURN_REFUND, ENTERED, shipped=True)
    assert tb.due_at == bj(2026, 5, 14, 10, 0)  # 10 days
    assert tb.action == DefaultAction.AUTO_REFUND
    pdd = next_deadline("pdd", Status.RETURN_IN_TRANSIT, Kind.RETURN_REFUND, ENTERED, shipped=True)
    assert pdd.due_at == bj(2026, 5, 11, 10, 0)  # 7 days
    # ...cut to 24h once the return parcel is signed for.
    signed = next_deadline(
        "pdd",
        Status.RETURN_IN_TRANSIT,
        Kind.RETURN_REFUND,
        ENTERED,
        shipped=True,
        returned_signed_at=bj(2026, 5, 6, 15, 30),
    )
    assert signed.due_at == bj(2026, 5, 7, 15, 30)


def test_legal_refund_clock_counts_beijing_days_from_receipt():
    # Received 3 May 23:30 Beijing: day one is 4 May, the seventh day ends 10 May 23:59:59.999999.
    received = bj(2026, 5, 3, 23, 30)
    deadline = next_deadline("jd", Status.RETURN_RECEIVED, Kind.RETURN_REFUND, received, shipped=True)
    assert deadline.stage == Stage.LEGAL_REFUND_AFTER_RECEIPT
    assert deadline.due_at == bj(2026, 5, 10, 23, 59, 59, 999999)
    # 3 May 17:00 UTC is already 4 May in Beijing.
    later = next_deadline(
        "jd", Status.RETURN_RECEIVED, Kind.RETURN_REFUND, datetime(2026, 5, 3, 17, tzinfo=UTC), shipped=True
    )
    assert later.due_at == bj(2026, 5, 11, 23, 59, 59, 999999)
    # The clock runs from the parcel's signature, not from when the status was recorded.
    noticed = next_deadline(
        "jd",
        Status.REFUNDING,
        Kind.RETURN_REFUND,
        bj(2026, 5, 8, 9, 0),
        shipped=True,
        returned_signed_at=received,
    )
    assert noticed.due_at == bj(2026, 5, 10, 23, 59, 59, 999999)


def test_platform_deadline_wins():
    theirs = bj(2026, 5, 5, 9, 15)
    deadline = next_deadline(
        "douyin", Status.REQUESTED, Kind.RETURN_REFUND, ENTERED, shipped=True, platform_deadline=theirs
    )
    assert (deadline.due_at, deadline.source, deadline.stage) == (theirs, "platform", Stage.MERCHANT_REVIEW)
    assert deadline.action == DefaultAction.AUTO_APPROVE


def test_other_stages():
    jd = next_deadline("jd", Status.REJECTED, Kind.REFUND_ONLY, ENTERED, shipped=True)
    assert (jd.stage, jd.due_at) == (Stage.BUYER_RESPOND_TO_REJECTION, ENTERED + timedelta(days=15))
    dy = next_deadline("douyin", Status.REJECTED_AFTER_RETURN, Kind.RETURN_REFUND, ENTERED, shipped=True)
    assert dy.due_at == ENTERED + timedelta(days=7)
    arb = next_deadline("jd", Status.ARBITRATION, Kind.REFUND_ONLY, ENTERED, shipped=True)
    assert (arb.stage, arb.due_at, arb.action) == (
        Stage.ARBITRATION_EVIDENCE,
        ENTERED + timedelta(hours=24),
        DefaultAction.NONE,
    )
    ship = next_deadline("jd", Status.FULFILLING, Kind.EXCHANGE, ENTERED, shipped=True)
    assert (ship.stage, ship.due_at) == (Stage.MERCHANT_SHIP_REPLACEMENT, ENTERED + timedelta(hours=72))
    confirm = next_deadline("taobao", Status.AWAITING_BUYER_RECEIPT, Kind.RESHIP, ENTERED, shipped=True)
    assert (confirm.due_at, confirm.action) == (ENTERED + timedelta(days=10), DefaultAction.AUTO_CONFIRM)


def test_final_cases_have_no_deadline():
    for status in TERMINAL:
        assert stage_for(status, Kind.REFUND_ONLY) is None
        assert (
            next_deadline("jd", status, Kind.REFUND_ONLY, ENTERED, shipped=True, platform_deadline=ENTERED)
            is None
        )


def test_stage_for_each_open_status():
    assert stage_for(Status.RETURN_RECEIVED, Kind.RETURN_REFUND) == Stage.LEGAL_REFUND_AFTER_RECEIPT
    assert stage_for(Status.RETURN_RECEIVED, Kind.EXCHANGE) == Stage.MERCHANT_SHIP_REPLACEMENT
    for status, kinds in KINDS_IN_STATUS.items():
        for kind in kinds:
            assert stage_for(status, kind) in Stage


def test_every_platform_has_every_stage():
    for platform in Platform:
        for stage in Stage:
            assert (platform.value, stage) in FALLBACK
            assert (platform.value, stage) in DEFAULT_ACTIONS


def test_refuses_naive_times_and_unknown_platforms():
    with pytest.raises(DomainError) as err:
        next_deadline("jd", Status.REQUESTED, Kind.REFUND_ONLY, datetime(2026, 5, 4, 10), shipped=True)
    assert err.value.code == "time.naive"
    with pytest.raises(DomainError) as err:
        next_deadline("amazon", Status.REQUESTED, Kind.REFUND_ONLY, ENTERED, shipped=True)
    assert err.value.code == "deadline.unknown_platform"


def test_timer_actions_are_legal_moves_for_the_system_timer():
    applied = 0
    for platform in Platform:
        for status, kinds in KINDS_IN_STATUS.items():
            for kind in kinds:
                stage = stage_for(status, kind)
                current = status
                for action in timer_actions(default_action(platform, stage), status, kind):
                    current = next_status(kind, current, action, Actor.SYSTEM)
                    applied += 1
    assert applied > 50


def test_timer_actions_examples():
    assert timer_actions(DefaultAction.AUTO_REFUND, Status.RETURN_IN_TRANSIT, Kind.RETURN_REFUND) == (
        "receive_return",
        "pass_inspection",
    )
    assert timer_actions(DefaultAction.AUTO_REFUND, Status.RETURN_IN_TRANSIT, Kind.EXCHANGE) == ()
    assert timer_actions(DefaultAction.AUTO_APPROVE, Status.REQUESTED, Kind.RESHIP) == ("approve",)
    assert timer_actions(DefaultAction.NONE, Status.REQUESTED, Kind.RESHIP) == ()
    assert timer_actions(DefaultAction.AUTO_CLOSE, Status.CLOSED, Kind.RESHIP) == ()


@pytest.mark.parametrize(("stage", "awaiting", "who"), [
    ("merchant_review", "", "us"),
    ("legal_refund_after_receipt", "", "us"),
    ("buyer_return_shipment", "", "buyer"),
    ("buyer_respond_to_rejection", "", "buyer"),
    ("arbitration_evidence", "", "platform"),  # 平台介入: the platform rules
    ("merchant_review", "approve", "platform"),  # a decision sent, not yet confirmed by the platform
    ("buyer_return_shipment", "agree_return", "platform"),
    ("", "", "us"),
])
def test_whose_move_it_is(stage, awaiting, who):
    assert waiting_on(stage, awaiting) == who
