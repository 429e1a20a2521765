"""The compensation guard (care.domain.limits): the ladder climbed one step at a time, the agent's and the
case's limits, the owner's cap — pure, no database."""

from __future__ import annotations

import pytest

from aftersales.care.domain.limits import Limits, Verdict, Why, check_limits, judge, next_step
from aftersales.core.errors import DomainError

LIMITS = Limits(agent_fen=2000, case_fen=10000, owner_fen=0)


def run(rung, cost_fen, *, owner=False, urgency=0, given=(), limits=LIMITS, reason=""):
    return judge(rung=rung, cost_fen=cost_fen, is_owner=owner, urgency=urgency, given=list(given),
                 limits=limits, reason=reason)


def test_the_next_rung_within_the_agents_limit_needs_nothing():
    assert run("coupon", 500) == Verdict(why=(), needs_owner=False)
    assert run("member_discount", 1000, given=[("coupon", 500)]) == Verdict(why=(), needs_owner=False)
    assert run("points", 2000, given=[("coupon", 500)]) == Verdict(why=(), needs_owner=False)


def test_a_coupon_straight_to_cash_skips_a_rung_and_asks_for_a_reason():
    with pytest.raises(DomainError) as refused:
        run("red_envelope", 2000, given=[("coupon", 500)])
    assert refused.value.code == "care.reason_required"
    assert refused.value.params == {"why": "skips_rung"}
    verdict = run("red_envelope", 2000, given=[("coupon", 500)], reason="买家第二次投诉")
    assert verdict == Verdict(why=(Why.SKIPS_RUNG,), needs_owner=False)
    assert verdict.needs_reason


def test_the_buyers_mood_sets_where_the_ladder_starts():
    assert next_step(0, []) == 0 and next_step(2, []) == 1 and next_step(3, []) == 2
    assert run("red_envelope", 1500, urgency=3) == Verdict(why=(), needs_owner=False)
    assert run("red_envelope", 1500, urgency=2, reason="x").why == (Why.SKIPS_RUNG,)
    # A rung below the one the mood calls for is not a skip.
    assert run("coupon", 500, urgency=3) == Verdict(why=(), needs_owner=False)


def test_beyond_a_used_up_ladder_needs_a_reason():
    given = [("coupon", 500), ("points", 500), ("red_envelope", 1000), ("gift", 1000)]
    assert next_step(0, [r for r, _ in given]) == 4
    with pytest.raises(DomainError) as refused:
        run("coupon", 500, given=given)
    assert refused.value.params == {"why": "beyond_ladder"}
    assert run("coupon", 500, given=given, reason="大促补偿").why == (Why.BEYOND_LADDER,)


def test_above_the_agents_limit_waits_for_the_owner():
    with pytest.raises(DomainError) as refused:
        run("coupon", 2001)
    assert refused.value.params == {"why": "over_agent_limit"}
    verdict = run("coupon", 2001, reason="买家要求")
    assert verdict == Verdict(why=(Why.OVER_AGENT_LIMIT,), needs_owner=True)
    # Exactly the limit is within it.
    assert run("coupon", 2000) == Verdict(why=(), needs_owner=False)
    # The owner gives it without anyone's approval (and without a reason: no limit of theirs is passed).
    assert run("coupon", 2001, owner=True) == Verdict(why=(), needs_owner=False)


def test_the_cases_limit_counts_what_was_given_before():
    given = [("coupon", 2000), ("points", 2000), ("red_envelope", 2000), ("gift", 2000)]
    assert run("gift", 2000, given=given[:3]) == Verdict(why=(), needs_owner=False)  # 8000 in all
    verdict = run("gift", 2001, owner=True, given=given, reason="店长特批")  # 10,001 in all
    assert verdict.why == (Why.BEYOND_LADDER, Why.OVER_CASE_LIMIT) and not verdict.needs_owner
    agent = run("gift", 1500, given=[("coupon", 2000), ("points", 2000), ("red_envelope", 5000)],
                reason="买家威胁投诉")
    assert agent == Verdict(why=(Why.OVER_CASE_LIMIT,), needs_owner=True)
    # The weightiest reason is the one named when the reason is missing.
    with pytest.raises(DomainError) as refused:
        run("gift", 2500, given=[("coupon", 500)])
    assert refused.value.params == {"why": "over_agent_limit"}


def test_nobody_gives_above_the_owners_cap():
    capped = Limits(agent_fen=2000, case_fen=0, owner_fen=5000)
    with pytest.raises(DomainError) as refused:
        run("coupon", 5001, owner=True, limits=capped, reason="特批")
    assert refused.value.code == "care.over_owner_limit"
    assert refused.value.params == {"cost": 5001, "limit": 5000}
    assert run("coupon", 5000, owner=True, limits=capped) == Verdict(why=(), needs_owner=False)


def test_zero_limits_mean_none():
    open_ = Limits(agent_fen=0, case_fen=0, owner_fen=0)
    assert run("coupon", 10_000_000, limits=open_) == Verdict(why=(), needs_owner=False)


def test_bad_input_is_refused_with_a_code():
    with pytest.raises(DomainError) as refused:
        run("cash", 500)
    assert refused.value.code == "input.invalid_choice"
    with pytest.raises(DomainError) as refused:
        run("coupon", 0)
    assert refused.value.code == "care.compensation_zero"
    with pytest.raises(DomainError) as refused:
        run("coupon", 500, reason="长" * 201)
    assert refused.value.code == "input.too_long"


def test_the_owners_limits_are_checked_when_set():
    assert check_limits(agent_fen=2000, case_fen=0, owner_fen=5000) == Limits(2000, 0, 5000)
    assert check_limits(agent_fen=0, case_fen=0, owner_fen=0) == Limits(0, 0, 0)
    for bad in ({"agent_fen": 6000, "case_fen": 0, "owner_fen": 5000},
                {"agent_fen": 0, "case_fen": 0, "owner_fen": 5000}):
        with pytest.raises(DomainError) as refused:
            check_limits(**bad)
        assert refused.value.code == "care.agent_limit_above_owner"
    with pytest.raises(DomainError) as refused:
        check_limits(agent_fen=-1, case_fen=0, owner_fen=0)
    assert refused.value.code == "input.invalid_choice"
