"""The cost model of the cheapest legal remedy: twenty cases worked by hand, and the law as a property.

Defaults of `CostSettings`: handling ¥3, receiving and inspection ¥5, repair ¥30, grade values A 100%,
B 60%, C 10%, D 0%, partial refund 30%, returns waived up to ¥100, offers declined half the time,
arbitration asked one time in five and lost at the shop's rate, losing costs ¥50 beyond the remedy.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.errors import DomainError
from aftersales.core.messages import MESSAGES, translate
from aftersales.intelligence.advice.domain import (
    CODES,
    OPTION_ORDER,
    POLICY_REMEDIES,
    AdviceFacts,
    CostSettings,
    advise,
    share,
)

A_ONLY = (("A", 10_000), ("B", 0), ("C", 0), ("D", 0))
C_ONLY = (("A", 0), ("B", 0), ("C", 10_000), ("D", 0))
B_C = (("A", 0), ("B", 5000), ("C", 5000), ("D", 0))
MIXED = (("A", 2000), ("B", 3000), ("C", 5000), ("D", 0))
MOSTLY_A = (("A", 8000), ("B", 2000), ("C", 0), ("D", 0))

BASE = AdviceFacts(
    allowed=("return_refund", "exchange"), asked="return_refund", refund_fen=9900, goods_cost_fen=3000,
    freight_back_fen=1200, freight_out_fen=1000, merchant_pays_return=False, delivered=True,
    grade_mix_bp=A_ONLY, lose_rate_bp=5000,
)
COSTS = CostSettings()

# (name, facts changes, cost settings changes, {option: expected cost}, best, reason codes)
# The sums are written out in the comment of each case: every term is a line of the option.
HAND_WORKED = [
    # 1 no-reason return, buyer pays freight, goods come back as new.
    #   waiver 9900+300=10200 · return 9900+500−3000+300=7700 ·
    #   exchange 500+1000+300=1800, declined ½·(7700−1800)=2950, arbitration ⅕·½·5000=500 → 5250
    ("no_reason_return_exchange_offer", {}, {},
     {"refund_only": 10200, "return_refund": 7700, "exchange": 5250}, "exchange",
     ["advice.reason.cheaper", "advice.reason.needs_agreement"]),
    # 2 the issue's case: 运费险 (shop pays ¥12 back), goods half B half C (worth 35% of ¥30 = ¥10.50).
    #   waiver 3900+300=4200 · return 3900+1200+500−1050+300=4850; trip 1200+500+1950=3650 > 3000
    ("cheap_goods_keep_them", {"allowed": ("return_refund",), "refund_fen": 3900, "merchant_pays_return": True,
                               "grade_mix_bp": B_C}, {},
     {"refund_only": 4200, "return_refund": 4850}, "refund_only",
     ["advice.reason.keep_goods", "advice.reason.cheaper", "advice.reason.waiver"]),
    # 3 the same above the waiver limit (¥120 > ¥100): only the return, 12000+1200+500−1050+300
    ("above_waiver_limit", {"allowed": ("return_refund",), "refund_fen": 12000, "merchant_pays_return": True,
                            "grade_mix_bp": B_C}, {},
     {"return_refund": 12950}, "return_refund", ["advice.reason.only_option"]),
    # 4 case 2 with abuse signals: no waiver, the goods come back to be inspected
    ("signals_block_waiver", {"allowed": ("return_refund",), "refund_fen": 3900, "merchant_pays_return": True,
                              "grade_mix_bp": B_C, "waive_blocked": True}, {},
     {"return_refund": 4850}, "return_refund", ["advice.reason.only_option", "advice.reason.waiver_blocked"]),
    # 5 not shipped: refund only, 9900+300; nothing to keep, so no partial refund
    ("not_shipped_refund", {"allowed": ("refund_only",), "asked": "refund_only", "delivered": False}, {},
     {"refund_only": 10200}, "refund_only", ["advice.reason.only_option"]),
    # 6 damaged in transit, shop pays both legs, goods worth 10% back, coupon ¥5 for the apology.
    #   refund 5000+300+500=5800 · return 5000+1000+500−200+300+500=7100, +arbitration 500 → 7600 ·
    #   exchange 1000+500+1000+1800+300+500=5100, declined ½·700=350, +500 → 5950 ·
    #   reship 1000+2000+300+500=3800, declined ½·2000=1000, +500 → 5300 ·
    #   partial 1500+300+500=2300, declined ½·3500=1750, +500 → 4550
    ("damaged_in_transit", {"allowed": ("refund_only", "return_refund", "exchange", "reship"),
                            "asked": "refund_only", "merchant_pays_return": True, "refund_fen": 5000,
                            "goods_cost_fen": 2000, "freight_back_fen": 1000, "grade_mix_bp": C_ONLY,
                            "compensation_fen": 500}, {},
     {"refund_only": 5800, "return_refund": 7600, "exchange": 5950, "reship": 5300, "partial_refund": 4550},
     "partial_refund", ["advice.reason.cheaper", "advice.reason.needs_agreement"]),
    # 7 missing item, buyer asks a reshipment: reship 800+1500+300=2600 ·
    #   refund 2500+300=2800 (+500) → 3300 · partial 750+300=1050, declined ½·1550=775, +500 → 2325
    ("missing_item_reship", {"allowed": ("refund_only", "reship"), "asked": "reship", "refund_fen": 2500,
                             "goods_cost_fen": 1500, "freight_out_fen": 800}, {},
     {"refund_only": 3300, "reship": 2600, "partial_refund": 2325}, "partial_refund",
     ["advice.reason.cheaper", "advice.reason.needs_agreement"]),
    # 8 case 7 for a shop that never loses arbitration and offers no partial refunds: reship 2600 < 2800
    ("missing_item_no_offers", {"allowed": ("refund_only", "reship"), "asked": "reship", "refund_fen": 2500,
                                "goods_cost_fen": 1500, "freight_out_fen": 800, "lose_rate_bp": 0},
     {"partial_refund_bp": 0},
     {"refund_only": 2800, "reship": 2600}, "reship", ["advice.reason.cheaper"]),
    # 9 defect in 7 days, goods worth 43% back (¥34.40 of ¥80), lose rate 25%, red envelope ¥10.
    #   refund 20000+300+1000=21300 · return 20000+1500+500−3440+300+1000=19860 ·
    #   exchange 1500+500+1500+4560+300+1000=9360 +5250 +250 → 14860 ·
    #   repair 1500+500+1500+3000+300+1000=7800 +6030 +250 → 14080 ·
    #   partial 6000+300+1000=7300 +6280 +250 → 13830
    ("defect_in_seven_days", {"allowed": ("refund_only", "return_refund", "exchange", "repair"),
                              "merchant_pays_return": True, "refund_fen": 20000, "goods_cost_fen": 8000,
                              "freight_back_fen": 1500, "freight_out_fen": 1500, "grade_mix_bp": MIXED,
                              "lose_rate_bp": 2500, "compensation_fen": 1000}, {},
     {"refund_only": 21300, "return_refund": 19860, "exchange": 14860, "repair": 14080, "partial_refund": 13830},
     "partial_refund", ["advice.reason.cheaper", "advice.reason.needs_agreement"]),
    # 10 case 9 where buyers always decline offers: every offer costs the return + 250, so take it back;
    #   trip 1500+500+4560=6560 < 8000
    ("defect_offers_always_declined", {"allowed": ("refund_only", "return_refund", "exchange", "repair"),
                                       "merchant_pays_return": True, "refund_fen": 20000,
                                       "goods_cost_fen": 8000, "freight_back_fen": 1500, "freight_out_fen": 1500,
                                       "grade_mix_bp": MIXED, "lose_rate_bp": 2500, "compensation_fen": 1000},
     {"decline_bp": 10_000},
     {"refund_only": 21300, "return_refund": 19860, "exchange": 20110, "repair": 20110, "partial_refund": 20110},
     "return_refund", ["advice.reason.take_back", "advice.reason.cheaper"]),
    # 11 nothing allowed (an exempt category, out of every window): no option, say so
    ("nothing_allowed", {"allowed": ()}, {}, {}, None, ["advice.reason.nothing_allowed"]),
    # 12 buyer asks refund only where the law gives a return: the waiver gives what was asked (10200);
    #   return 7700 +½·2500 +500 → 9450 · exchange 1800 +½·8400 +500 → 6500
    ("asks_refund_gets_return_or_waiver", {"asked": "refund_only"}, {},
     {"refund_only": 10200, "return_refund": 9450, "exchange": 6500}, "exchange",
     ["advice.reason.cheaper", "advice.reason.needs_agreement"]),
    # 13 size exchange asked, refund ¥150 (no waiver): exchange 500+1000+480+300=2280 ·
    #   return 15000+500−5520+300=10280 +500 → 10780
    ("size_exchange", {"asked": "exchange", "refund_fen": 15000, "goods_cost_fen": 6000,
                       "grade_mix_bp": MOSTLY_A}, {},
     {"return_refund": 10780, "exchange": 2280}, "exchange", ["advice.reason.cheaper"]),
    # 14 defect after 15 days: repair 1500+500+1500+3000+300=6800 · partial 9000+300+500=9800 ·
    #   refund 30000+300+500=30800
    ("repair_window", {"allowed": ("refund_only", "repair"), "asked": "repair", "merchant_pays_return": True,
                       "refund_fen": 30000, "goods_cost_fen": 12000, "freight_back_fen": 1500,
                       "freight_out_fen": 1500}, {},
     {"refund_only": 30800, "repair": 6800, "partial_refund": 9800}, "repair", ["advice.reason.cheaper"]),
    # 15 case 1 for a shop that counts no handling and no penalty: 9900 · 6900 · 1000+2950 = 3950
    ("no_handling_no_penalty", {}, {"handling_fen": 0, "return_handling_fen": 0, "arbitration_penalty_fen": 0},
     {"refund_only": 9900, "return_refund": 6900, "exchange": 3950}, "exchange",
     ["advice.reason.cheaper", "advice.reason.needs_agreement"]),
    # 16 rounding half up: partial ½ of 15 fen = 8, declined ½·7 = 4 → 12 < 15
    ("rounding_half_up", {"allowed": ("refund_only",), "asked": "refund_only", "refund_fen": 15},
     {"handling_fen": 0, "partial_refund_bp": 5000, "arbitration_penalty_fen": 0},
     {"refund_only": 15, "partial_refund": 12}, "partial_refund",
     ["advice.reason.cheaper", "advice.reason.needs_agreement"]),
    # 17 waiver at exactly the limit (¥100), goods come back as new: return 10000+500−3000+300=7800;
    #   trip 0+500+0=500 < 3000
    ("waiver_at_limit_take_back", {"allowed": ("return_refund",), "refund_fen": 10000}, {},
     {"refund_only": 10300, "return_refund": 7800}, "return_refund",
     ["advice.reason.take_back", "advice.reason.cheaper"]),
    # 18 one fen above the limit: no waiver
    ("one_fen_above_limit", {"allowed": ("return_refund",), "refund_fen": 10001}, {},
     {"return_refund": 7801}, "return_refund", ["advice.reason.only_option"]),
    # 19 in transit, an angry buyer (ladder ¥5): 9900+300+500
    ("in_transit_angry", {"allowed": ("refund_only",), "asked": "refund_only", "delivered": False,
                          "compensation_fen": 500}, {},
     {"refund_only": 10700}, "refund_only", ["advice.reason.only_option"]),
    # 20 signed but not received (nothing in hand: no partial), lose rate 80%:
    #   refund 5000+300=5300 · reship 1200+2500+300=4000 +½·1300 +⅕·80%·5000=800 → 5450
    ("signed_not_received", {"allowed": ("refund_only", "reship"), "asked": "refund_only", "delivered": False,
                             "refund_fen": 5000, "goods_cost_fen": 2500, "freight_out_fen": 1200,
                             "lose_rate_bp": 8000}, {},
     {"refund_only": 5300, "reship": 5450}, "refund_only", ["advice.reason.cheaper"]),
]


@pytest.mark.parametrize(("name", "changes", "cost_changes", "expected", "best", "reasons"), HAND_WORKED,
                         ids=[case[0] for case in HAND_WORKED])
def test_hand_worked_cases(name, changes, cost_changes, expected, best, reasons):
    advice = advise(replace(BASE, **changes), replace(COSTS, **cost_changes))
    assert {o.remedy: o.cost_fen for o in advice.options} == expected
    assert (advice.best.remedy if advice.best else None) == best
    assert [r.code for r in advice.reasons] == reasons
    costs = [o.cost_fen for o in advice.options]
    assert costs == sorted(costs)
    for option in advice.options:
        assert option.cost_fen == sum(line.fen for line in option.lines)


def test_the_issue_sentence_is_the_reason_in_both_languages():
    advice = advise(replace(BASE, allowed=("return_refund",), refund_fen=3900, merchant_pays_return=True,
                            grade_mix_bp=B_C), COSTS)
    first = advice.reasons[0]
    assert translate(first.code, "zh-hans", **first.params) == (
        "退货运费 ¥12.00 + 收货质检 ¥5.00 + 二次销售损失 ¥19.50 = ¥36.50 > 商品成本 ¥30.00：建议仅退款不退货。"
    )
    assert translate(first.code, "en", **first.params).startswith("Return freight ¥12.00 + receiving")


def test_lines_of_a_return_are_named_and_signed():
    option = advise(BASE, COSTS).option("return_refund")
    assert [(line.code, line.fen) for line in option.lines] == [
        ("refund", 9900), ("return_handling", 500), ("resale_value", -3000), ("handling", 300)]
    assert option.basis == "policy" and option.kind == "return_refund" and not option.needs_agreement
    waiver = advise(BASE, COSTS).option("refund_only")
    assert waiver.basis == "waiver" and waiver.refund_fen == option.refund_fen


def test_share_rounds_half_up():
    assert [share(15, 5000), share(5, 5000), share(1, 4999), share(0, 10_000)] == [8, 3, 0, 0]


@pytest.mark.parametrize(("field", "value"), [
    ("refund_fen", -1), ("refund_fen", 1.5), ("refund_fen", True), ("lose_rate_bp", 10_001),
    ("allowed", ("partial_refund",)), ("asked", "nonsense"),
    ("grade_mix_bp", (("A", 5000), ("B", 0), ("C", 0), ("D", 0))),
])
def test_bad_facts_are_refused(field, value):
    with pytest.raises(DomainError) as err:
        replace(BASE, **{field: value})
    assert err.value.code == "advice.invalid_field"


def test_bad_settings_are_refused():
    with pytest.raises(DomainError):
        CostSettings(handling_fen=-1)
    with pytest.raises(DomainError):
        CostSettings(grade_value_bp=(("A", 10_000),))
    with pytest.raises(DomainError):
        CostSettings(decline_bp=20_000)


def test_every_code_has_its_sentence():
    missing = sorted(code for code in CODES if code not in MESSAGES)
    assert not missing


remedy_sets = st.sets(st.sampled_from(sorted(POLICY_REMEDIES))).map(lambda s: tuple(sorted(s)))
fen = st.integers(min_value=0, max_value=10_000_000)
bp = st.integers(min_value=0, max_value=10_000)


@st.composite
def grade_mixes(draw):
    a = draw(bp)
    b = draw(st.integers(min_value=0, max_value=10_000 - a))
    c = draw(st.integers(min_value=0, max_value=10_000 - a - b))
    return (("A", a), ("B", b), ("C", c), ("D", 10_000 - a - b - c))


facts_strategy = st.builds(
    AdviceFacts, allowed=remedy_sets, asked=st.sampled_from([*OPTION_ORDER, "price_protection"]),
    refund_fen=fen, goods_cost_fen=fen, freight_back_fen=fen, freight_out_fen=fen,
    merchant_pays_return=st.booleans(), delivered=st.booleans(), grade_mix_bp=grade_mixes(),
    lose_rate_bp=bp, compensation_fen=fen, waive_blocked=st.booleans(),
)
costs_strategy = st.builds(
    CostSettings, handling_fen=fen, return_handling_fen=fen, repair_fen=fen, partial_refund_bp=bp,
    waive_return_max_fen=fen, decline_bp=bp, dispute_chance_bp=bp, arbitration_penalty_fen=fen,
)


@settings(max_examples=400, deadline=None)
@given(facts=facts_strategy, costs=costs_strategy)
def test_advice_never_exceeds_what_the_policy_allows(facts, costs):
    advice = advise(facts, costs)
    allowed = set(facts.allowed)
    for option in advice.options:
        # Never more money than the refund rule gives, and never a remedy the policy forbids:
        assert 0 <= option.refund_fen <= facts.refund_fen
        if option.basis == "policy":
            assert option.remedy in allowed and option.kind == option.remedy
        elif option.basis == "waiver":  # the return the law allows, with the goods left with the buyer
            assert option.kind == "refund_only" and "return_refund" in allowed
            assert facts.delivered and not facts.waive_blocked and facts.refund_fen <= costs.waive_return_max_fen
        else:  # a partial refund, only where the law allows a refund without return and goods are held
            assert option.remedy == option.kind == "partial_refund"
            assert "refund_only" in allowed and facts.delivered
        assert option.cost_fen == sum(line.fen for line in option.lines)
    assert [o.cost_fen for o in advice.options] == sorted(o.cost_fen for o in advice.options)
    assert len({o.remedy for o in advice.options}) == len(advice.options)
    if not allowed:
        assert advice.options == () and advice.best is None


def test_grade_mix_starts_from_the_table_and_learns_from_inspections():
    from aftersales.intelligence.advice.domain import learned_grade_mix

    assert learned_grade_mix("apparel", {}) == (("A", 6000), ("B", 3000), ("C", 800), ("D", 200))
    assert learned_grade_mix("unknown", {}) == (("A", 5000), ("B", 3000), ("C", 1700), ("D", 300))
    # 30 inspections, all C: (30·10000 + 10·800) / 40 = 7700 for C; A 10·6000/40 = 1500 ...
    assert learned_grade_mix("apparel", {"C": 30}) == (("A", 1500), ("B", 750), ("C", 7700), ("D", 50))
    assert sum(bp for _g, bp in learned_grade_mix("food", {"A": 1, "D": 2})) == 10_000


def test_lose_rate_is_pulled_towards_a_half_by_two_rulings():
    from aftersales.intelligence.advice.domain import learned_lose_rate_bp

    assert [learned_lose_rate_bp(0, 0), learned_lose_rate_bp(8, 8), learned_lose_rate_bp(0, 8),
            learned_lose_rate_bp(1, 2)] == [5000, 9000, 1000, 5000]
    with pytest.raises(DomainError):
        learned_lose_rate_bp(3, 2)


def test_freight_by_carrier_and_province():
    from aftersales.intelligence.advice.freight import parcel_fen

    assert parcel_fen("顺丰速运", "广东省", 1200) == 2200
    assert parcel_fen("中通快递", "新疆维吾尔自治区", 1200) == 2500
    assert parcel_fen("", "", 1200) == 1200
    assert parcel_fen("某某物流", "西藏", 900) == 2400


def test_a_partial_refund_the_buyer_asked_for_costs_what_was_asked():
    """The buyer asked a partial refund of ¥99 keeping the goods: granting it refunds ¥99 (what the grant
    form offers), not the 30% share the shop would offer someone who asked for a return — which made the
    request look cheaper (¥29.70 + ¥3) than any remedy and the advice recommend it over a cheaper exchange."""
    facts = replace(BASE, allowed=("refund_only", "return_refund", "exchange"), asked="partial_refund")
    advice = advise(facts, COSTS)
    partial = next(o for o in advice.options if o.remedy == "partial_refund")
    assert partial.refund_fen == 9900
    assert partial.cost_fen == 9900 + 300
    assert not partial.needs_agreement
    assert advice.best.remedy == "exchange"
