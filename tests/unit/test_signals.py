"""Abuse signals: each rule with its numbers at its threshold, and the law first — a signal asks, it
never takes a lawful remedy away."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings

from aftersales.analytics.domain.abuse import BuyerFigures
from aftersales.core.messages import MESSAGES, translate
from aftersales.intelligence.advice.domain import advise
from aftersales.intelligence.signals.domain import (
    CODES,
    HIGH_VALUE_FEN,
    QUICK_CLAIM_HOURS,
    CaseClaim,
    signals_of,
)
from tests.unit.test_advice import costs_strategy, facts_strategy

CLEAN = BuyerFigures(buyer_id=1, units_bought=20, units_returned=1, cases=1, refund_only_after_delivery=0,
                     not_received_but_signed=0, failed_inspections=0, empty_or_wrong=0)
CLAIM = CaseClaim(hours_after_signing=48, value_fen=9900, reason_picked="size_fit")


def codes(found):
    return [s.code for s in found.items]


def test_a_clean_buyer_and_claim_raise_nothing():
    found = signals_of(CLEAN, 50, 1000, CLAIM)
    assert found.items == () and not found.asks_for_goods


def test_return_rate_far_above_the_shops_by_the_wilson_bound():
    # 8 of 10 units back: rate 80%, Wilson lower bound 49.01% (rounded down) ≥ max(20%, 2 × shop 5%)
    heavy = replace(CLEAN, units_bought=10, units_returned=8)
    found = signals_of(heavy, 50, 1000, None)
    assert codes(found) == ["high_return_rate"]
    assert found.items[0].params == {"returned": 8, "bought": 10, "rate_bp": 8000, "lower_bp": 4901, "shop_bp": 500}
    assert found.items[0].asks == "inspection" and found.items[0].scope == "buyer"
    # 2 of 10 is not enough units; 8 of 10 in a shop that itself returns 30% is not far above it
    assert codes(signals_of(replace(CLEAN, units_bought=10, units_returned=2), 50, 1000, None)) == []
    assert codes(signals_of(heavy, 300, 1000, None)) == []


def test_refund_only_after_delivery_repeatedly_and_inspection_failures():
    found = signals_of(replace(CLEAN, refund_only_after_delivery=3, failed_inspections=2, empty_or_wrong=1),
                       50, 1000, None)
    assert codes(found) == ["refund_without_return", "failed_inspections", "empty_or_wrong_item"]
    assert codes(signals_of(replace(CLEAN, refund_only_after_delivery=2, failed_inspections=1), 50, 1000,
                            None)) == []


def test_a_claim_soon_after_signing_on_dear_goods_asks_for_evidence():
    quick = replace(CLAIM, hours_after_signing=QUICK_CLAIM_HOURS - 1, value_fen=HIGH_VALUE_FEN)
    found = signals_of(None, 0, 0, quick)
    assert codes(found) == ["quick_claim_high_value"] and found.items[0].asks == "evidence"
    assert found.items[0].params == {"hours": 23, "value": 50000, "limit_hours": 24, "high_value": 50000}
    assert codes(signals_of(None, 0, 0, replace(quick, hours_after_signing=QUICK_CLAIM_HOURS))) == []
    assert codes(signals_of(None, 0, 0, replace(quick, value_fen=HIGH_VALUE_FEN - 1))) == []
    assert codes(signals_of(None, 0, 0, replace(quick, hours_after_signing=None))) == []


def test_several_accounts_on_one_phone():
    assert codes(signals_of(None, 0, 0, None, accounts_sharing_phone=1)) == []
    found = signals_of(None, 0, 0, None, accounts_sharing_phone=3)
    assert codes(found) == ["shared_phone"] and found.items[0].params == {"accounts": 3}


def test_reason_picked_is_not_the_reason_in_their_words():
    found = signals_of(None, 0, 0, replace(CLAIM, reason_picked="quality_defect", reason_suggested="size_fit"))
    assert codes(found) == ["reason_mismatch"]
    assert translate("signals.reason_mismatch", **found.items[0].params) == \
        "买家选择的原因是「质量问题」，但其描述更像「尺码不合适」。"
    assert codes(signals_of(None, 0, 0, replace(CLAIM, reason_suggested="size_fit"))) == []
    assert codes(signals_of(None, 0, 0, replace(CLAIM, reason_suggested=None))) == []
    # a service complaint is no goods reason; an unsure reading is not held against the buyer
    assert codes(signals_of(None, 0, 0, replace(CLAIM, reason_suggested="service"))) == []
    unsure = replace(CLAIM, reason_picked="quality_defect", reason_suggested="size_fit", suggestion_confidence=0.59)
    assert codes(signals_of(None, 0, 0, unsure)) == []
    assert codes(signals_of(None, 0, 0, replace(unsure, suggestion_confidence=0.6))) == ["reason_mismatch"]


def test_this_cases_inspection():
    found = signals_of(None, 0, 0, replace(CLAIM, failed_checks=("tags_intact", "not_washed"), graded_d=True))
    assert codes(found) == ["case_empty_or_wrong", "case_failed_checks"]


def test_the_owners_word_watched_asks_trusted_quiets():
    watched = signals_of(CLEAN, 50, 1000, CLAIM, standing="watched")
    assert codes(watched) == ["watched"] and watched.asks_for_goods
    trusted = signals_of(replace(CLEAN, refund_only_after_delivery=5), 50, 1000, CLAIM, standing="trusted")
    assert codes(trusted) == ["refund_without_return"] and not trusted.asks_for_goods


def test_every_code_has_its_sentence_and_says_a_signal_is_no_refusal():
    assert not sorted(code for code in CODES if code not in MESSAGES)
    for ask in ("evidence", "inspection"):
        assert "不构成拒绝理由" in translate(f"signals.asks.{ask}")
        assert "no reason to refuse" in translate(f"signals.asks.{ask}", "en")


@settings(max_examples=300, deadline=None)
@given(facts=facts_strategy, costs=costs_strategy)
def test_law_first_a_signal_never_takes_away_a_remedy_the_policy_allows(facts, costs):
    calm = advise(replace(facts, waive_blocked=False), costs)
    flagged = advise(replace(facts, waive_blocked=True), costs)
    lawful = {o.remedy for o in calm.options if o.basis != "waiver"}
    assert lawful == {o.remedy for o in flagged.options}
    assert all(o.basis != "waiver" for o in flagged.options)
