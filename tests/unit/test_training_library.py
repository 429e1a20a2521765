"""The training library: every scenario's ideal path scores 100, every named wrong path fails the
criterion it is built to catch, and the simulated buyer and platform react as scripted."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from aftersales.core.errors import DomainError
from aftersales.intelligence.reasons.classify import urgency_of
from aftersales.training.domain.scenarios import (
    CRITERIA,
    LIBRARY_DIR,
    Step,
    library,
    load_personas,
    parse_scenario,
)
from aftersales.training.domain.scoring import PASS_LEVEL, ideal_cost, refund_rule_fen, score_path
from aftersales.training.domain.simulation import SimCase, play, simulate, stage_deadline_minutes, tick
from aftersales.training.domain.texts import TEXTS, render

LIBRARY = library()
WRONG = [(key, wrong) for key, s in LIBRARY.items() for wrong in s.wrong]


def test_the_library_covers_every_situation_of_the_source_articles():
    assert len(LIBRARY) >= 25
    by_course = Counter(s.course for s in LIBRARY.values())
    assert set(by_course) == {"basics", "logistics", "merchant_fault", "difficult_buyers"}
    situations = {
        "no-reason-tags-intact", "no-reason-tags-cut", "exempt-fresh", "exempt-custom", "exempt-digital",
        "not-shipped-refund", "in-transit-wait", "in-transit-intercept", "not-received", "wrong-item",
        "missing-item", "damaged-reship", "damaged-partial-refund", "size-exchange", "defect-after-7-days",
        "defect-repair", "gift-in-bundle", "angry-ladder", "daily-follow-up", "troublemaker-fake-damage",
        "troublemaker-used-return", "platform-arbitration",
    }
    assert situations <= set(LIBRARY)
    assert {s.persona.key for s in LIBRARY.values()} == {"calm", "hurry", "angry", "threatening", "troublemaker"}


@pytest.mark.parametrize("key", list(LIBRARY))
def test_the_ideal_path_scores_100_on_every_criterion(key):
    card = score_path(LIBRARY[key], LIBRARY[key].ideal)
    assert card.as_dict() == dict.fromkeys(CRITERIA, 100), [c for c in card.criteria if c.score < 100]
    assert card.passed()


@pytest.mark.parametrize(("key", "wrong"), WRONG, ids=[f"{k}: {w.name}" for k, w in WRONG])
def test_a_named_wrong_path_fails_its_criterion(key, wrong):
    card = score_path(LIBRARY[key], wrong.steps)
    assert card[wrong.fails].score < PASS_LEVEL, card[wrong.fails]
    assert not card.passed()


@pytest.mark.parametrize("key", list(LIBRARY))
def test_the_buyers_words_read_as_urgent_as_the_persona(key):
    # The case page suggests the compensation rung from the words; the score expects the persona's.
    scenario = LIBRARY[key]
    assert urgency_of(scenario.note.zh) == scenario.persona.urgency


def test_a_lawful_request_refused_fails_whatever_else_is_right():
    s = LIBRARY["no-reason-tags-intact"]
    steps = (Step("reply", 1, template="solution"), Step("reject", 2, reason="buyer_fault"))
    card = score_path(s, steps)
    assert card["lawful"].score == 0
    assert card["lawful"].code == "training.lawful.refused_lawful"
    assert (card["cost"].score, card["time"].score, card["care"].score) == (100, 100, 100)


def test_the_policy_engine_decides_which_requests_are_lawful():
    assert LIBRARY["no-reason-tags-intact"].decision().eligible is True
    for key in ("no-reason-tags-cut", "exempt-fresh", "exempt-custom", "exempt-digital", "beyond-window",
                "seal-broken-cosmetics"):
        assert LIBRARY[key].decision().eligible is False, key


def test_an_unlawful_refusal_sends_the_buyer_to_the_platform_which_rules_for_the_buyer():
    s = LIBRARY["no-reason-tags-intact"]
    case = simulate(s, (Step("reject", 5, reason="other"),))
    assert case.status == "arbitration"
    assert [x.line for x in case.history if x.action == "say"] == ["escalating"]
    play(case, Step("evidence", 20))
    assert case.status == "refunding"  # the platform ruled for the buyer: the money must go back
    assert case.history[-2].action == "rule_for_buyer"


def test_a_grounded_refusal_wins_the_arbitration_with_evidence():
    case = simulate(LIBRARY["troublemaker-fake-damage"], LIBRARY["troublemaker-fake-damage"].ideal)
    assert case.status == "closed"
    assert any(x.action == "rule_for_merchant" for x in case.history)
    lines = [x.line for x in case.history if x.action == "say"]
    assert lines[:2] == ["calmed", "photos_refused"]


def test_the_right_template_calms_and_the_wrong_one_does_not():
    s = LIBRARY["wrong-item"]
    calm = simulate(s, (Step("reply", 1, template="apology"),))
    cold = simulate(s, (Step("reply", 1, template="solution"),))
    assert calm.history[-1].line == "calmed"
    assert cold.history[-1].line == "unmoved"


def test_compensation_above_the_ladder_is_accepted_but_costs():
    s = LIBRARY["angry-ladder"]
    steps = (Step("reply", 1, template="apology"), Step("compensate", 2, rung="member_discount", amount_fen=8000))
    case = simulate(s, steps)
    assert case.history[-1].line == "accepts_compensation"
    full = s.ideal[:1] + (Step("compensate", 10, rung="member_discount", amount_fen=8000),) + s.ideal[2:]
    card = score_path(s, full)
    assert card["care"].score == 100
    assert card.cost_fen - card.ideal_cost_fen == 7000
    assert card["cost"].score == 30  # 100 − 3 × 7000 / 29900, rounded


def test_a_request_left_past_the_platform_deadline_is_approved_by_the_platform():
    s = LIBRARY["not-shipped-refund"]
    deadline = stage_deadline_minutes(s)
    assert deadline == 24 * 60  # 拼多多: a refund before shipment is answered within a day
    case = SimCase(s, True)
    assert tick(case, deadline) == [x for x in tick(case, deadline) if x.action == "say"]
    happened = tick(case, deadline + 1)
    assert [x.action for x in happened] == ["say", "auto_approve", "say"]
    for step in happened:
        case.apply(step)
    assert case.status == "refunding"
    card = score_path(s, (Step("grant_refund", deadline + 5), Step("execute_refund", deadline + 6)))
    assert card["time"].score == 0
    assert card["time"].code == "training.time.auto_approved"


def test_the_remedy_is_measured_against_the_advice_engines_cheapest_lawful_remedy():
    s = LIBRARY["no-reason-tags-intact"]
    fair = {"return_refund": 10750}
    assert score_path(s, s.ideal, advice=fair)["cost"].score == 100
    # The engine expects waiving the return to cost ¥30 less: the full return flow loses points for it.
    cheaper = {"return_refund": 10750, "refund_only": 7750}
    card = score_path(s, s.ideal, advice=cheaper)
    assert card["cost"].score == 100 - round(300 * 3000 / 19900)
    assert card["cost"].code == "training.cost.dearer_remedy"
    assert render(card["cost"].code, "zh-hans", **card["cost"].params) == \
        "按成本模型，「退货退款」比最省的合法方案「仅退款」预计多花 ¥30.00。"
    # A refusal carries out no remedy: the advice has nothing to compare.
    refused = (Step("reply", 1, template="solution"), Step("reject", 2, reason="other"))
    assert score_path(s, refused, advice=cheaper)["cost"].score == 100


def test_the_refund_rule_sets_the_ideal_cost():
    assert refund_rule_fen(LIBRARY["not-shipped-refund"]) == 5900 + 600  # nothing shipped: freight too
    assert refund_rule_fen(LIBRARY["gift-in-bundle"]) == 15900 - 1900  # the kept gift's stated price
    assert ideal_cost(LIBRARY["damaged-partial-refund"]) == 3000


def test_simulation_is_deterministic():
    s = LIBRARY["threatening-12315"]
    assert simulate(s, s.ideal).history == simulate(s, s.ideal).history


def _codes_of_every_path():
    codes = set()
    for s in LIBRARY.values():
        for steps in (s.ideal, *(w.steps for w in s.wrong)):
            card = score_path(s, steps)
            for c in card.criteria:
                codes.add(c.code)
                codes.update(code for code, _ in c.reasons)
    return codes


def test_every_score_sentence_exists_in_both_languages_with_the_same_placeholders():
    for code in _codes_of_every_path() | {f"training.criterion.{c}" for c in CRITERIA}:
        assert code in TEXTS, code
    for code, texts in TEXTS.items():
        assert set(texts) == {"zh-hans", "en"}, code
        fields = [set(re.findall(r"\{(\w+)", texts[lang])) for lang in ("zh-hans", "en")]
        assert fields[0] == fields[1], code
    assert render("training.cost.over", "en", cost=1500, ideal=0, excess=1500) == \
        "Cost ¥15.00, ¥15.00 more than the cheapest lawful remedy (¥0.00)."


def test_every_buyer_line_the_library_uses_is_written_for_every_persona():
    personas = load_personas()
    used = {x.line for s in LIBRARY.values() for steps in (s.ideal, *(w.steps for w in s.wrong))
            for x in simulate(s, steps).history if x.action == "say"}
    for persona in personas.values():
        assert used <= set(persona.lines), (persona.key, used - set(persona.lines))


GOOD = (LIBRARY_DIR / "01-no-reason-tags-intact.toml").read_text("utf-8")


@pytest.mark.parametrize(("change", "code"), [
    (lambda t: t.replace('en = "Seven-day no-reason return, tags intact"', 'en = ""'), "training.text_missing"),
    (lambda t: t.replace('persona = "calm"', 'persona = "robot"'), "training.invalid_value"),
    (lambda t: t.replace('action = "approve"', 'action = "refund_everything"'), "training.invalid_value"),
    (lambda t: t + '\nsurprise = 1\n', "training.unknown_key"),
    (lambda t: t.replace('key = "no-reason-tags-intact"', 'key = "no-reason-tags-intact'), "training.invalid_file"),
    (lambda t: t.replace('category = "apparel"', 'category = "spaceships"'), "training.invalid_value"),
])
def test_a_malformed_scenario_file_is_refused_with_a_code(change, code):
    with pytest.raises(DomainError) as caught:
        parse_scenario(change(GOOD))
    assert caught.value.code == code
    assert parse_scenario(GOOD).key == "no-reason-tags-intact"


def test_a_refused_return_ruled_for_the_buyer_costs_the_refund_net_of_the_goods_coming_back():
    # The platform's ruling on a refused 7-day return is 退货退款: the dress comes back as sold, as on
    # the ideal path, so the forced refund and the cheapest lawful remedy are counted on one basis.
    s = LIBRARY["no-reason-tags-intact"]
    steps = (Step("reply", 1, template="solution"), Step("reject", 2, reason="other"), Step("evidence", 20))
    card = score_path(s, steps)
    assert any(x.action == "rule_for_buyer" for x in simulate(s, steps).history)
    assert (card.cost_fen, card.ideal_cost_fen) == (0, 0)
    assert card["cost"].score == 100
    assert card["lawful"].score == 0  # it fails on the law, not on a cost counted twice


def test_a_refund_only_ruled_for_the_buyer_costs_the_gross_refund_like_its_ideal_path():
    # Nothing comes back on a refund before shipment: both sides are the gross refund, ¥59 + ¥6 freight.
    s = LIBRARY["not-shipped-refund"]
    steps = (Step("reply", 1, template="solution"), Step("reject", 2, reason="other"), Step("evidence", 20))
    card = score_path(s, steps)
    assert (card.cost_fen, card.ideal_cost_fen) == (6500, 6500)
    assert card["cost"].score == 100


@pytest.mark.parametrize(("key", "code"), [
    ("not-shipped-refund", "training.evidence.ok_nothing_to_prove"),
    ("no-reason-tags-intact", "training.evidence.ok_inspected"),
])
def test_the_evidence_praise_names_only_what_the_ideal_path_did(key, code):
    """A refund before shipment was praised for "photos asked for when needed, goods inspected before
    refunding" — neither of which it had."""
    card = score_path(LIBRARY[key], LIBRARY[key].ideal)
    assert card["evidence"].score == 100 and card["evidence"].code == code
    assert render(code, "en") != code and render(code, "zh-hans") != code


def test_every_evidence_praise_is_written_in_both_languages():
    codes = {score_path(s, s.ideal)["evidence"].code for s in LIBRARY.values()}
    assert codes <= {"training.evidence.ok", "training.evidence.ok_photos", "training.evidence.ok_inspected",
                     "training.evidence.ok_nothing_to_prove"}
    for code in codes:
        assert TEXTS[code]["zh-hans"] and TEXTS[code]["en"]


@pytest.mark.parametrize("key", [k for k, s in LIBRARY.items() if s.kind == "refund_only"])
def test_the_buyer_of_a_refund_thanks_once_when_the_money_is_paid(key):
    """Approving a refund-only request leaves the money to come: the buyer used to say their closing words
    on the approval and again on the refund."""
    history = simulate(LIBRARY[key], LIBRARY[key].ideal).history
    said = [step.line for step in history if step.action == "say"]
    assert said.count("thanks") <= 1
    if "thanks" in said:
        refunded = next(i for i, step in enumerate(history) if step.action == "execute_refund")
        assert history.index(next(s for s in history if s.action == "say" and s.line == "thanks")) > refunded
