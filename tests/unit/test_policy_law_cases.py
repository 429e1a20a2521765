"""Chinese consumer-law cases, decided as a court or 12315 would, and what the policy engine answers.

Each row is one request: the facts (plain JSON, so the same row goes through `POST /api/v1/policy/evaluate`
in tests/integration/test_policy_law_cases_api.py), the shop's own rules if any, the article it follows,
and the answer the law gives: may the buyer have the remedy asked for, which remedies are open, who pays
the return leg, whether the buyer also bears the outbound freight, when the no-reason window ends.

Sources: 消费者权益保护法 (消保法) 23–25; 网络购买商品七日无理由退货暂行办法 (办法) 6–20, 35;
消费者权益保护法实施条例 (实施条例) 12, 18, 19; 电子商务法 20; 民法典 604, 610;
部分商品修理更换退货责任规定 (三包) 8–10; 淘宝平台争议处理规则 §54.
Base facts: an own-shop order of apparel, signed for 3 May 2026 10:00 Beijing time, free shipping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest

from aftersales.cases.domain.deadlines import Stage, next_deadline
from aftersales.cases.domain.policy import (
    Facts,
    RuleSet,
    ShopRules,
    default_ruleset,
    evaluate,
    explain,
    validate_shop_rules,
)
from aftersales.cases.domain.refusal import lawful_no_reason
from aftersales.core.clock import SHANGHAI

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=SHANGHAI)
BASE: dict = {
    "platform": "own",
    "case_kind": "return_refund",
    "reason": "no_reason",
    "category": "apparel",
    "signed_at": "2026-05-03T10:00:00+08:00",
    "requested_at": "2026-05-06T12:00:00+08:00",
}
ALL_NO_REASON = ("return_refund", "exchange")  # the law's return, and the exchange a shop offers by default
DEFECT_EARLY = ("refund_only", "return_refund", "exchange", "repair")  # refund_only: the shop's partial refund
END_OF_10_MAY = "2026-05-10T23:59:59.999999+08:00"


@dataclass(frozen=True)
class LawCase:
    id: str
    cite: str  # the article the expected answer follows
    facts: dict  # over BASE
    eligible: bool
    remedies: tuple[str, ...]
    payer: str | None = None  # who pays the return leg: buyer / merchant / insurer; None: nothing comes back
    outbound: bool = False  # the buyer also bears the outbound freight
    window_ends: str | None = None  # the no-reason window's last instant, when the row is about it
    codes: tuple[str, ...] = ()  # reason codes the answer must give
    rule: tuple[str, str, str] | None = None  # (rule id, outcome, code) the decision must list
    shop: dict = field(default_factory=dict)  # the shop's own rules (ShopRules fields)


def at(text: str) -> dict:
    return {"requested_at": text}


CASES: tuple[LawCase, ...] = (
    # --- 七日无理由: the window, in Beijing days from the day after signing -----------------------------
    LawCase("window-last-instant-of-day-7", "消保法 25; 办法 10 (七日期间自签收次日起算)",
            {"signed_at": "2026-05-03T23:59:00+08:00", "requested_at": "2026-05-10T23:59:59+08:00"},
            True, ALL_NO_REASON, "buyer", window_ends=END_OF_10_MAY,
            codes=("law.no_reason.within_window", "law.freight.buyer_pays_return")),
    LawCase("window-midnight-day-8", "消保法 25; 办法 10",
            {"signed_at": "2026-05-03T23:59:00+08:00", "requested_at": "2026-05-11T00:00:00+08:00"},
            False, (), window_ends=END_OF_10_MAY, codes=("law.no_reason.window_passed",)),
    LawCase("signed-23:59:59-counts-from-next-day-across-month-end", "办法 10",
            {"signed_at": "2026-01-31T23:59:59+08:00", "requested_at": "2026-02-07T23:59:00+08:00"},
            True, ALL_NO_REASON, "buyer", window_ends="2026-02-07T23:59:59.999999+08:00"),
    LawCase("february-end-day-7", "办法 10",
            {"signed_at": "2026-02-28T08:00:00+08:00", "requested_at": "2026-03-07T23:59:59+08:00"},
            True, ALL_NO_REASON, "buyer", window_ends="2026-03-07T23:59:59.999999+08:00"),
    LawCase("february-end-day-8", "办法 10",
            {"signed_at": "2026-02-28T08:00:00+08:00", "requested_at": "2026-03-08T00:00:01+08:00"},
            False, (), window_ends="2026-03-07T23:59:59.999999+08:00"),
    LawCase("leap-year-counts-29-february", "办法 10",
            {"signed_at": "2028-02-27T12:00:00+08:00", "requested_at": "2028-03-05T22:00:00+08:00"},
            True, ALL_NO_REASON, "buyer", window_ends="2028-03-05T23:59:59.999999+08:00"),
    LawCase("leap-year-day-8", "办法 10",
            {"signed_at": "2028-02-27T12:00:00+08:00", "requested_at": "2028-03-06T00:00:00+08:00"},
            False, ()),
    LawCase("year-end", "办法 10",
            {"signed_at": "2025-12-28T09:00:00+08:00", "requested_at": "2026-01-04T21:00:00+08:00"},
            True, ALL_NO_REASON, "buyer", window_ends="2026-01-04T23:59:59.999999+08:00"),
    LawCase("signed-16:00Z-is-the-next-beijing-day", "办法 10 (Beijing calendar)",
            {"signed_at": "2026-05-03T16:00:00Z", "requested_at": "2026-05-11T15:59:59Z"},
            True, ALL_NO_REASON, "buyer", window_ends="2026-05-11T23:59:59.999999+08:00"),
    LawCase("requested-16:00Z-on-day-7-is-beijing-day-8", "办法 10 (Beijing calendar)",
            {"signed_at": "2026-05-03T15:59:59Z", "requested_at": "2026-05-10T16:00:00Z"},
            False, (), window_ends=END_OF_10_MAY),
    LawCase("shop-promises-15-days", "办法 5; 实施条例 12 (a promise more generous than the law binds)",
            at("2026-05-18T23:00:00+08:00"), True, ALL_NO_REASON, "buyer",
            window_ends="2026-05-18T23:59:59.999999+08:00", codes=("shop.no_reason.extended_window",),
            shop={"no_reason_days": 15}),
    # --- Exemptions: absolute (消保法 25 ¶1), conditional only with the buyer's confirmation ---------------
    LawCase("custom-made", "消保法 25(一); 办法 6(一)", {"category": "custom_made"}, False, (),
            codes=("law.exempt.custom_made",)),
    LawCase("fresh-perishable", "消保法 25(二); 办法 6(二)", {"category": "fresh"}, False, (),
            codes=("law.exempt.fresh",)),
    LawCase("online-download", "消保法 25(三); 办法 6(三)", {"category": "digital_download"}, False, (),
            codes=("law.exempt.digital_download",)),
    LawCase("audio-video-still-sealed", "消保法 25(三) (only once the buyer unsealed it)",
            {"category": "physical_media"}, True, ALL_NO_REASON, "buyer",
            rule=("L2", "pass", "law.exempt.media_sealed")),
    LawCase("audio-video-unsealed", "消保法 25(三); 办法 6(三)",
            {"category": "physical_media", "goods": {"seal_intact": False}}, False, (),
            codes=("law.exempt.media_unsealed",)),
    LawCase("newspaper-periodical", "消保法 25(四); 办法 6(四)", {"category": "newspaper"}, False, (),
            codes=("law.exempt.newspaper",)),
    LawCase("food-confirmed-at-purchase", "消保法 25 ¶2; 办法 7(一), 20",
            {"category": "food", "buyer_confirmed_no_return_at_purchase": True}, False, (),
            codes=("law.conditional_exempt.confirmed",)),
    LawCase("food-not-confirmed", "办法 20 ¶2; 实施条例 19 ¶2 (未经消费者确认不得拒绝)",
            {"category": "food"}, True, ALL_NO_REASON, "buyer",
            rule=("L3", "pass", "law.conditional_exempt.not_confirmed")),
    LawCase("electronics-confirmed-at-purchase", "办法 7(二), 20",
            {"category": "electronics", "buyer_confirmed_no_return_at_purchase": True}, False, (),
            codes=("law.conditional_exempt.confirmed",)),
    LawCase("apparel-confirmation-outside-the-law-is-void", "实施条例 19 ¶1; 办法 30 (不得擅自扩大)",
            {"buyer_confirmed_no_return_at_purchase": True}, True, ALL_NO_REASON, "buyer",
            rule=("L3", "pass", "law.conditional_exempt.not_allowed")),
    LawCase("jewelry-confirmation-is-void", "实施条例 19 ¶1; 办法 7 (not of that nature)",
            {"category": "jewelry", "buyer_confirmed_no_return_at_purchase": True}, True, ALL_NO_REASON,
            "buyer", rule=("L3", "pass", "law.conditional_exempt.not_allowed")),
    LawCase("disclosed-near-expiry-confirmed", "办法 7(三), 20",
            {"category": "food", "sold_with_disclosed_flaw": True, "buyer_confirmed_no_return_at_purchase": True},
            False, (), codes=("law.conditional_exempt.disclosed_flaw",)),
    LawCase("disclosed-flaw-not-confirmed", "办法 20 ¶2",
            {"sold_with_disclosed_flaw": True}, True, ALL_NO_REASON, "buyer"),
    # --- Intact (办法 8–9; 实施条例 19 ¶3) -------------------------------------------------------------
    LawCase("opened-to-inspect-tags-on", "办法 8 ¶3; 实施条例 19 ¶3",
            {"goods": {"opened_for_inspection": True}}, True, ALL_NO_REASON, "buyer",
            rule=("L4", "pass", "law.intact.opened_for_inspection")),
    LawCase("apparel-tags-cut", "办法 9(三)", {"goods": {"tags_intact": False}}, False, (),
            codes=("law.not_intact.tags_removed",)),
    LawCase("apparel-washed", "办法 9(三) (受污)", {"goods": {"washed": True}}, False, (),
            codes=("law.not_intact.washed",)),
    LawCase("electronics-unboxed-and-tested", "办法 8 ¶3 (合理调试)",
            {"category": "electronics", "goods": {"opened_for_inspection": True, "seal_intact": False}},
            True, ALL_NO_REASON, "buyer"),
    LawCase("electronics-activated", "办法 9(二) (激活信息)",
            {"category": "electronics", "goods": {"activated": True}}, False, (),
            codes=("law.not_intact.activated",)),
    LawCase("cosmetics-seal-broken", "办法 9(一)",
            {"category": "cosmetics", "goods": {"seal_intact": False, "opened_for_inspection": True}}, False, (),
            codes=("law.not_intact.seal_broken",)),
    LawCase("food-outer-box-opened-seal-intact", "办法 8 ¶3, 9(一)",
            {"category": "food", "goods": {"opened_for_inspection": True}}, True, ALL_NO_REASON, "buyer"),
    LawCase("furniture-tags-removed", "办法 9(三) (家居类：商标标识被摘)",
            {"category": "furniture", "goods": {"tags_intact": False}}, False, (),
            codes=("law.not_intact.tags_removed",)),
    LawCase("accessories-missing", "办法 8 ¶2", {"goods": {"accessories_complete": False}}, False, (),
            codes=("law.not_intact.accessories_missing",)),
    # --- Quality defects: 三包 ladder, never blocked by the no-reason limits -------------------------------
    LawCase("defect-day-7-return", "消保法 24; 三包 8",
            {"reason": "quality_defect", "requested_at": "2026-05-10T23:59:00+08:00"}, True, DEFECT_EARLY,
            "merchant", codes=("law.quality.return_window", "law.freight.merchant_pays")),
    LawCase("defect-day-8-no-return", "消保法 24; 三包 9",
            {"reason": "quality_defect", "requested_at": "2026-05-11T00:01:00+08:00"}, False,
            ("refund_only", "exchange", "repair"), codes=("law.quality.exchange_window",)),
    LawCase("defect-day-15-exchange", "三包 9",
            {"reason": "quality_defect", "case_kind": "exchange", "requested_at": "2026-05-18T23:59:00+08:00"},
            True, ("refund_only", "exchange", "repair"), "merchant"),
    LawCase("defect-day-16-no-exchange", "三包 9–10",
            {"reason": "quality_defect", "case_kind": "exchange", "requested_at": "2026-05-19T00:01:00+08:00"},
            False, ("refund_only", "repair"), codes=("law.quality.repair_window",)),
    LawCase("defect-day-16-repair", "三包 10; 消保法 24 ¶2 (运输等必要费用)",
            {"reason": "quality_defect", "case_kind": "repair", "requested_at": "2026-05-19T00:01:00+08:00"},
            True, ("refund_only", "repair"), "merchant"),
    LawCase("defect-after-90-day-warranty", "三包 (有效期); 实施条例 18 ¶1",
            {"reason": "quality_defect", "case_kind": "repair", "requested_at": "2026-08-02T10:00:00+08:00"},
            False, (), codes=("law.quality.warranty_expired",)),
    LawCase("defect-in-custom-made-goods", "办法 35; 消保法 24",
            {"reason": "quality_defect", "category": "custom_made"}, True, DEFECT_EARLY, "merchant"),
    LawCase("defect-in-activated-confirmed-electronics", "办法 35; 消保法 24",
            {"reason": "quality_defect", "category": "electronics", "buyer_confirmed_no_return_at_purchase": True,
             "goods": {"activated": True}}, True, DEFECT_EARLY, "merchant"),
    LawCase("fresh-arrived-rotten", "办法 35; 消保法 24",
            {"reason": "quality_defect", "category": "fresh"}, True, DEFECT_EARLY, "merchant"),
    LawCase("defect-with-freight-insurance-merchant-still-pays", "消保法 24 ¶2",
            {"reason": "quality_defect", "freight_insurance": True, "free_shipping": False}, True, DEFECT_EARLY,
            "merchant"),
    # --- Other merchant faults: wrong, not as described, missing, damaged ----------------------------------
    LawCase("wrong-item-day-30", "消保法 24; 民法典 610",
            {"reason": "wrong_item", "requested_at": "2026-06-02T10:00:00+08:00"}, True,
            ("refund_only", "return_refund", "exchange"), "merchant",
            codes=("law.merchant_fault.wrong_item", "law.freight.merchant_pays")),
    LawCase("wrong-item-exchange-not-free-shipping", "消保法 24 ¶2",
            {"reason": "wrong_item", "case_kind": "exchange", "free_shipping": False}, True,
            ("refund_only", "return_refund", "exchange"), "merchant"),
    LawCase("not-as-described-day-20", "消保法 23, 24; 民法典 610",
            {"reason": "not_as_described", "requested_at": "2026-05-23T10:00:00+08:00"}, True,
            ("refund_only", "return_refund", "exchange"), "merchant",
            codes=("law.merchant_fault.not_as_described", "law.freight.merchant_pays")),
    LawCase("missing-part-reship", "消保法 24; 民法典 610",
            {"reason": "missing_item", "case_kind": "reship"}, True, ("refund_only", "reship"),
            codes=("law.merchant_fault.missing_item",)),
    LawCase("missing-part-is-not-a-return", "消保法 24 (补发或退还缺少部分)",
            {"reason": "missing_item"}, False, ("refund_only", "reship")),
    LawCase("damaged-in-transit", "电子商务法 20; 民法典 604",
            {"reason": "damaged_in_transit", "case_kind": "refund_only"}, True,
            ("refund_only", "return_refund", "exchange", "reship")),
    # --- Who pays the freight -------------------------------------------------------------------------------
    LawCase("no-reason-free-shipping", "消保法 25 ¶3; 办法 18 ¶1", {}, True, ALL_NO_REASON, "buyer",
            codes=("law.no_reason.within_window", "law.freight.buyer_pays_return")),
    LawCase("shop-promises-free-returns", "办法 18 ¶1 (另有约定)", {}, True, ALL_NO_REASON, "merchant",
            codes=("shop.freight.free_returns",), shop={"free_return_shipping": True}),
    LawCase("freight-insurance", "办法 18 ¶1 (另有约定: 运费险)", {"freight_insurance": True}, True,
            ALL_NO_REASON, "insurer", codes=("shop.freight.insurance_covers",)),
    LawCase("partial-return-breaks-free-shipping", "办法 18 ¶2",
            {"partial_return_breaks_free_shipping": True}, True, ALL_NO_REASON, "buyer", outbound=True,
            codes=("law.freight.outbound_deducted",)),
    LawCase("threshold-broken-with-freight-insurance", "办法 18 ¶2 (apart from who pays the return leg)",
            {"partial_return_breaks_free_shipping": True, "freight_insurance": True}, True, ALL_NO_REASON,
            "insurer", outbound=True, codes=("shop.freight.insurance_covers", "law.freight.threshold_outbound")),
    LawCase("threshold-broken-with-free-returns", "办法 18 ¶2",
            {"partial_return_breaks_free_shipping": True}, True, ALL_NO_REASON, "merchant", outbound=True,
            codes=("shop.freight.free_returns", "law.freight.threshold_outbound"),
            shop={"free_return_shipping": True}),
    LawCase("buyer-paid-freight-is-not-refunded", "消保法 25 ¶3 (返还商品价款); 办法 13, 18",
            {"free_shipping": False}, True, ALL_NO_REASON, "buyer", outbound=True,
            codes=("law.freight.buyer_paid_outbound",)),
    LawCase("whole-order-back-keeps-free-shipping", "办法 18 ¶2 (nothing kept below a threshold)",
            {"free_shipping": True}, True, ALL_NO_REASON, "buyer", outbound=False),
    LawCase("merchant-fault-never-bears-outbound", "消保法 24 ¶2",
            {"reason": "quality_defect", "partial_return_breaks_free_shipping": True}, True, DEFECT_EARLY,
            "merchant", outbound=False),
    LawCase("taobao-no-reason-exchange", "淘宝平台争议处理规则 §54",
            {"platform": "taobao", "case_kind": "exchange"}, True, ALL_NO_REASON, "buyer", outbound=True,
            codes=("shop.exchange.offered", "platform.taobao.exchange_buyer_pays_all")),
    # --- Not delivered ----------------------------------------------------------------------------------------
    LawCase("unshipped-refund-without-return", "消保法 25; 电子商务法 20",
            {"case_kind": "refund_only", "signed_at": None, "shipped": False}, True, ("refund_only",),
            codes=("law.undelivered.not_shipped",)),
    LawCase("unshipped-nothing-to-return", "电子商务法 20",
            {"signed_at": None, "shipped": False}, False, ("refund_only",)),
    LawCase("in-transit-refund", "电子商务法 20; 民法典 604",
            {"case_kind": "refund_only", "signed_at": None, "shipped": True}, True, ("refund_only",),
            codes=("law.undelivered.in_transit",)),
    LawCase("signed-but-not-received-refund", "电子商务法 20; 民法典 604",
            {"case_kind": "refund_only", "reason": "not_received"}, True, ("refund_only", "reship"),
            codes=("law.undelivered.signed_not_received",)),
    LawCase("signed-but-not-received-reship", "电子商务法 20",
            {"case_kind": "reship", "reason": "not_received"}, True, ("refund_only", "reship")),
    LawCase("no-reason-refund-only-after-signing", "消保法 25 (退货: the goods come back)",
            {"case_kind": "refund_only"}, False, ALL_NO_REASON),
    # --- Money, quantities, gifts, bundles ----------------------------------------------------------------------
    LawCase("gift-kept-price-deducted", "办法 12 ¶2",
            {"gift_included": True, "gift_returned": False}, True, ALL_NO_REASON, "buyer",
            rule=("L7", "pass", "law.gift.deduct_price")),
    LawCase("bundle-part-returned-repriced", "办法 17 ¶2", {"in_bundle": True}, True, ALL_NO_REASON, "buyer",
            rule=("L11", "pass", "law.refund.bundle_repriced")),
    LawCase("one-of-three-units", "办法 17 ¶1; 实施条例 18 ¶2",
            {"paid_fen": 10000, "requested_refund_fen": 10000}, True, ALL_NO_REASON, "buyer",
            rule=("L11", "pass", "law.refund.amount_paid")),
    LawCase("refund-above-what-was-paid", "办法 17 ¶1 (实际支出的价款)",
            {"paid_fen": 19900, "requested_refund_fen": 20000}, False, ALL_NO_REASON,
            codes=("law.refund.exceeds_paid",)),
    LawCase("card-fee-kept", "办法 16", {"paid_fen": 19900, "card_fee_fen": 120}, True, ALL_NO_REASON, "buyer",
            rule=("L10", "pass", "law.refund.card_fee_kept")),
)


def facts_of(case: LawCase) -> dict:
    return {**BASE, **case.facts}


def decide(case: LawCase):
    facts = Facts.from_dict(facts_of(case))
    rules = RuleSet("law-cases", ShopRules(**case.shop), facts.platform) if case.shop else (
        default_ruleset(facts.platform))
    return evaluate(facts, rules, NOW)


def check(case: LawCase, answer: dict) -> None:
    """`answer`: `Decision.to_dict()` or the API's body; the same expectations for both."""
    assert answer["eligible"] is case.eligible
    assert tuple(answer["remedies"]) == case.remedies
    assert answer["return_freight_payer"] == (case.payer if case.eligible else None)
    assert answer["outbound_freight_deducted"] is case.outbound
    if case.window_ends is not None:
        assert answer["no_reason_window_ends_at"] == case.window_ends
    for code in case.codes:
        assert code in answer["reason_codes"], (code, answer["reason_codes"])
    if case.rule is not None:
        rule_id, outcome, code = case.rule
        listed = {r["id"]: (r["outcome"], r["code"]) for r in answer["rules"]}
        assert listed[rule_id] == (outcome, code)


def test_every_case_cites_the_law_and_has_a_unique_name():
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)
    assert all(case.cite.strip() for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_the_engine_decides_as_the_law_does(case):
    decision = decide(case)
    check(case, decision.to_dict())
    for lang in ("zh-hans", "en"):
        text = explain(decision, lang)
        assert text and "{" not in text, text  # every code has its text and every parameter its value
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text) is (lang == "zh-hans"), text


# --- Explanations that carry the answer ---------------------------------------------------------------------


def _by_id(case_id: str) -> LawCase:
    return next(case for case in CASES if case.id == case_id)


def test_the_explanation_says_the_outbound_freight_stays_with_the_buyer_when_the_insurer_pays_the_return():
    decision = decide(_by_id("threshold-broken-with-freight-insurance"))
    assert explain(decision, "zh-hans") == (
        "可以申请退货退款。在 7 天无理由退货期内（截至北京时间 2026-05-10 23:59）。"
        "订单有运费险：寄回运费由保险公司赔付，买家与商家都不承担。部分退货后剩余商品不再满足包邮条件，退款时可以扣除发货运费。"
    )


def test_the_explanation_of_goods_not_as_described():
    decision = decide(_by_id("not-as-described-day-20"))
    assert explain(decision, "en") == (
        "Eligible for return and refund. The goods are not as described: return and refund, or exchange for "
        "goods as described. The merchant is at fault and pays the freight both ways."
    )


def test_the_explanation_of_a_buyer_who_paid_the_freight():
    decision = decide(_by_id("buyer-paid-freight-is-not-refunded"))
    assert decision.reason_codes == ["law.no_reason.within_window", "law.freight.buyer_paid_outbound"]
    assert explain(decision, "zh-hans").endswith("退款为商品价款，下单时买家支付的发货运费不退。")


# --- The shop may not widen the exemptions; refusing a lawful no-reason return is the owner's call -----------


def test_a_shop_rule_exempting_apparel_is_refused():
    """实施条例 19 ¶1, 办法 30: only the law's list may be marked 不支持七天无理由."""
    found = validate_shop_rules(ShopRules(extra_exempt_categories=("apparel",)))
    assert [(v.field, v.code, v.params) for v in found] == [
        ("extra_exempt_categories", "law.shop_rule.widened_exemption", {"category": "apparel"})
    ]
    assert validate_shop_rules(ShopRules(extra_exempt_categories=("food", "electronics"))) == []


@pytest.mark.parametrize(
    ("case_id", "lawful"),
    [
        ("window-last-instant-of-day-7", True),  # 办法 31(一): refusing it is unlawful
        ("shop-promises-15-days", True),  # 实施条例 12: the promise binds
        ("opened-to-inspect-tags-on", True),  # 办法 31(一): "已拆封、查验" is no ground
        ("window-midnight-day-8", False),
        ("custom-made", False),
        ("apparel-tags-cut", False),
        ("defect-day-7-return", False),  # judged on the defect, not as a no-reason return
    ],
)
def test_which_refusals_are_a_lawful_no_reason_return(case_id, lawful):
    assert lawful_no_reason(decide(_by_id(case_id)).to_dict()) is lawful


# --- Deadlines: the refund within 7 days of receiving the return (消保法 25 ¶3; 办法 13) ---------------------


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("status", "entered_at", "returned_signed_at", "due"),
    [
        ("return_received", "2026-05-03T15:00:00+08:00", None, "2026-05-10T23:59:59.999999+08:00"),
        ("return_received", "2025-12-31T20:00:00+08:00", None, "2026-01-07T23:59:59.999999+08:00"),
        ("return_received", "2026-02-28T23:59:59+08:00", None, "2026-03-07T23:59:59.999999+08:00"),
        # Counted from the return's arrival, not from when the refund was approved.
        ("refunding", "2026-05-06T09:00:00+08:00", "2026-05-03T15:00:00+08:00", "2026-05-10T23:59:59.999999+08:00"),
        # Arrived at 16:00Z on 3 May: that is 4 May in Beijing.
        ("return_received", "2026-05-03T16:00:00+00:00", None, "2026-05-11T23:59:59.999999+08:00"),
    ],
)
def test_the_refund_is_due_within_seven_beijing_days_of_receiving_the_return(
    status, entered_at, returned_signed_at, due
):
    signed = bj(returned_signed_at) if returned_signed_at else None
    deadline = next_deadline("own", status, "return_refund", bj(entered_at), shipped=True, returned_signed_at=signed)
    assert deadline.due_at.isoformat() == due
    assert deadline.due_at.tzinfo is not None and deadline.source == "fallback"
    assert deadline.stage in (Stage.LEGAL_REFUND_AFTER_RECEIPT, Stage.REFUND_PAYOUT)
