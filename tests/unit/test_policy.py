import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.cases.domain.policy import (
    Facts,
    Goods,
    RuleSet,
    ShopRules,
    default_ruleset,
    evaluate,
    explain,
    validate_shop_rules,
)
from aftersales.core.choices import LawCategory, Platform, Reason
from aftersales.core.clock import SHANGHAI
from aftersales.core.errors import DomainError


def bj(*args):
    return datetime(*args, tzinfo=SHANGHAI)


SIGNED = bj(2026, 5, 3, 23, 30)
WINDOW_END = bj(2026, 5, 10, 23, 59, 59, 999999)
NOW = bj(2026, 6, 1, 12, 0)


def facts(**over) -> Facts:
    base = dict(
        platform="own",
        case_kind="return_refund",
        reason="no_reason",
        category="apparel",
        signed_at=SIGNED,
        requested_at=bj(2026, 5, 6, 12, 0),
    )
    goods = over.pop("goods", None)
    base.update(over)
    if goods is not None:
        base["goods"] = Goods(**goods)
    return Facts(**base)


def decide(shop: ShopRules | None = None, **over):
    f = facts(**over)
    rules = default_ruleset(f.platform) if shop is None else RuleSet("shop-v1", shop, f.platform)
    return evaluate(f, rules, NOW)


def outcome(decision, rule_id):
    found = decision.rule(rule_id)
    assert found is not None, rule_id
    return found.outcome, found.code


def on_day(n, hour=12):
    """The n-th Beijing day after signing (day 1 = 4 May)."""
    return bj(2026, 5, 3, hour) + timedelta(days=n)


# --- L1: the window ---------------------------------------------------------------------------------


def test_window_ends_at_the_end_of_the_seventh_beijing_day():
    d = decide(requested_at=bj(2026, 5, 10, 23, 59, 59))
    assert d.no_reason_window_ends_at == WINDOW_END
    assert d.no_reason_window_ends_at.isoformat() == "2026-05-10T23:59:59.999999+08:00"
    assert d.eligible and outcome(d, "L1") == ("pass", "law.no_reason.within_window")
    assert d.to_dict()["no_reason_window_ends_at"] == "2026-05-10T23:59:59.999999+08:00"


def test_signing_late_utc_counts_from_the_beijing_day():
    signed = datetime(2026, 5, 3, 17, 0, tzinfo=UTC)  # = 4 May 01:00 Beijing
    d = decide(signed_at=signed, requested_at=bj(2026, 5, 11, 20, 0))
    assert d.no_reason_window_ends_at == bj(2026, 5, 11, 23, 59, 59, 999999)
    assert d.eligible


def test_window_passed():
    d = decide(requested_at=bj(2026, 5, 11, 0, 0))
    assert not d.eligible
    assert outcome(d, "L1") == ("fail", "law.no_reason.window_passed")
    assert d.reason_codes[0] == "law.no_reason.window_passed"
    assert d.return_freight_payer is None


# --- L2–L5: exemptions and intact ---------------------------------------------------------------------


@pytest.mark.parametrize("category", ["custom_made", "fresh", "newspaper"])
def test_absolute_exemptions_block_no_reason_returns(category):
    d = decide(category=category, buyer_confirmed_no_return_at_purchase=False)
    assert not d.eligible
    assert outcome(d, "L2") == ("fail", f"law.exempt.{category}")
    assert f"law.exempt.{category}" in d.reason_codes


@pytest.mark.parametrize("goods", [{}, {"activated": True}, {"seal_intact": False}])
def test_downloaded_digital_goods_are_exempt_outright(goods):
    # 消保法 25(三) "在线下载": whether or not the key was redeemed, it cannot come back without reason.
    d = decide(category="digital_download", goods=goods)
    assert not d.eligible
    assert outcome(d, "L2") == ("fail", "law.exempt.digital_download")
    assert "law.exempt.digital_download" in d.reason_codes
    assert outcome(d, "L5") == ("not_applicable", "policy.na.category")


def test_physical_audio_video_software_is_exempt_once_unsealed():
    # 消保法 25(三) "消费者拆封的音像制品、计算机软件": a disc still in its wrap goes back like any goods.
    sealed = decide(category="physical_media")
    assert sealed.eligible
    assert outcome(sealed, "L2") == ("pass", "law.exempt.media_sealed")
    assert outcome(sealed, "L5") == ("pass", "law.intact.category_ok")
    unsealed = decide(category="physical_media", goods={"seal_intact": False})
    assert not unsealed.eligible
    assert outcome(unsealed, "L2") == ("fail", "law.exempt.media_unsealed")
    assert "law.exempt.media_unsealed" in unsealed.reason_codes
    # A defect is the merchant's fault: the seal never blocks it.
    defect = decide(category="physical_media", reason="quality_defect", goods={"seal_intact": False})
    assert outcome(defect, "L2")[0] == "not_applicable"


def test_conditional_exemptions_need_the_buyers_confirmation():
    confirmed = decide(category="food", buyer_confirmed_no_return_at_purchase=True)
    assert not confirmed.eligible
    assert outcome(confirmed, "L3") == ("fail", "law.conditional_exempt.confirmed")
    unconfirmed = decide(category="food")
    assert unconfirmed.eligible
    assert outcome(unconfirmed, "L3") == ("pass", "law.conditional_exempt.not_confirmed")
    # A confirmation cannot widen the law's list.
    widened = decide(category="apparel", buyer_confirmed_no_return_at_purchase=True)
    assert widened.eligible
    assert outcome(widened, "L3") == ("pass", "law.conditional_exempt.not_allowed")
    flawed = decide(
        category="apparel", sold_with_disclosed_flaw=True, buyer_confirmed_no_return_at_purchase=True
    )
    assert outcome(flawed, "L3") == ("fail", "law.conditional_exempt.disclosed_flaw")
    assert outcome(decide(category="furniture"), "L3") == ("not_applicable", "policy.na.category")


def test_intact_and_opening_to_inspect():
    opened = decide(goods={"opened_for_inspection": True})
    assert opened.eligible and outcome(opened, "L4") == ("pass", "law.intact.opened_for_inspection")
    missing = decide(goods={"accessories_complete": False})
    assert not missing.eligible and outcome(missing, "L4") == ("fail", "law.not_intact.accessories_missing")
    assert outcome(decide(), "L4") == ("pass", "law.intact.ok")


@pytest.mark.parametrize(
    ("category", "goods", "code"),
    [
        ("cosmetics", {"seal_intact": False}, "law.not_intact.seal_broken"),
        ("food", {"seal_intact": False}, "law.not_intact.seal_broken"),
        ("medical", {"seal_intact": False}, "law.not_intact.seal_broken"),
        ("electronics", {"activated": True}, "law.not_intact.activated"),
        ("electronics", {"used": True}, "law.not_intact.used"),
        ("apparel", {"tags_intact": False}, "law.not_intact.tags_removed"),
        ("shoes", {"washed": True}, "law.not_intact.washed"),
        ("toys", {"used": True}, "law.not_intact.used"),
        ("furniture", {"used": True}, "law.not_intact.used"),
    ],
)
def test_not_intact_by_category(category, goods, code):
    d = decide(category=category, goods=goods)
    assert not d.eligible
    assert outcome(d, "L5") == ("fail", code)
    assert code in d.reason_codes


def test_seal_and_tags_do_not_matter_where_the_law_does_not_say_so():
    assert decide(category="electronics", goods={"seal_intact": False, "tags_intact": False}).eligible
    assert outcome(decide(category="bags"), "L5") == ("pass", "law.intact.category_ok")


# --- Merchant's fault (L14), undelivered (L18) ----------------------------------------------------------


def test_merchant_fault_is_never_blocked_by_no_reason_limits():
    d = decide(
        reason="quality_defect",
        category="custom_made",
        goods={"used": True, "tags_intact": False},
        requested_at=on_day(5),
    )
    assert d.eligible and d.return_freight_payer == "merchant"
    for rule_id in ("L1", "L2", "L3", "L4", "L5"):
        assert outcome(d, rule_id) == ("not_applicable", "policy.na.merchant_fault")
    assert outcome(d, "L12") == ("pass", "law.freight.merchant_pays")
    assert outcome(d, "L14") == ("pass", "law.quality.return_window")


@pytest.mark.parametrize(
    ("day", "code", "remedies"),
    [
        (7, "law.quality.return_window", ["refund_only", "return_refund", "exchange", "repair"]),
        (8, "law.quality.exchange_window", ["refund_only", "exchange", "repair"]),
        (15, "law.quality.exchange_window", ["refund_only", "exchange", "repair"]),
        (16, "law.quality.repair_window", ["refund_only", "repair"]),
        (90, "law.quality.repair_window", ["refund_only", "repair"]),
    ],
)
def test_defect_ladder(day, code, remedies):
    d = decide(reason="quality_defect", category="electronics", requested_at=on_day(day))
    assert outcome(d, "L14") == ("pass", code)
    assert d.remedies == remedies  # refund_only = partial refund, goods kept (shop default)
    assert d.eligible == ("return_refund" in remedies)


def test_defect_after_warranty():
    d = decide(reason="quality_defect", case_kind="repair", requested_at=on_day(91))
    assert not d.eligible and d.remedies == []
    assert outcome(d, "L14") == ("fail", "law.quality.warranty_expired")
    assert "law.quality.warranty_expired" in d.reason_codes
    assert outcome(d, "S.partial_refund")[0] == "not_applicable"


def test_wrong_missing_damaged():
    wrong = decide(reason="wrong_item", case_kind="exchange", requested_at=on_day(30))
    assert wrong.eligible and wrong.return_freight_payer == "merchant"
    assert wrong.remedies == ["refund_only", "return_refund", "exchange"]
    missing = decide(reason="missing_item", case_kind="reship")
    assert (
        missing.eligible
        and missing.remedies == ["refund_only", "reship"]
        and missing.return_freight_payer is None
    )
    assert not decide(reason="missing_item", case_kind="return_refund").eligible
    damaged = decide(reason="damaged_in_transit", case_kind="reship")
    assert damaged.remedies == ["refund_only", "return_refund", "exchange", "reship"]


def test_undelivered_goods_can_always_be_refunded():
    unshipped = decide(case_kind="refund_only", signed_at=None, shipped=False, reason="no_reason")
    assert unshipped.eligible and unshipped.remedies == ["refund_only"]
    assert outcome(unshipped, "L18") == ("pass", "law.undelivered.not_shipped")
    assert unshipped.no_reason_window_ends_at is None
    assert outcome(unshipped, "L1") == ("not_applicable", "policy.na.not_delivered")
    assert not decide(case_kind="return_refund", signed_at=None, shipped=False).eligible
    transit = decide(case_kind="refund_only", signed_at=None, shipped=True, reason="late_delivery")
    assert transit.eligible and outcome(transit, "L18") == ("pass", "law.undelivered.in_transit")
    lost = decide(case_kind="reship", reason="not_received")
    assert lost.eligible and lost.remedies == ["refund_only", "reship"]
    assert outcome(lost, "L1") == ("not_applicable", "policy.na.not_received")


def test_a_refund_only_after_signing_needs_a_reason():
    d = decide(case_kind="refund_only")
    assert not d.eligible
    assert d.reason_codes[0] == "policy.kind_not_offered"
    assert "law.no_reason.within_window" in d.reason_codes  # what opened the other remedies


# --- L6–L13: return, money, freight --------------------------------------------------------------------


def test_return_leg_rules():
    d = decide()
    assert outcome(d, "L6") == ("pass", "law.return_address.due")
    assert outcome(d, "L8") == ("pass", "law.refund_due.after_receipt")
    assert outcome(d, "L13") == ("pass", "law.return_method.free_choice")
    ex = decide(case_kind="exchange")
    assert outcome(ex, "L8") == ("not_applicable", "policy.na.not_a_refund")
    reship = decide(case_kind="reship", reason="missing_item")
    for rule_id in ("L6", "L8", "L12", "L13"):
        assert outcome(reship, rule_id) == ("not_applicable", "policy.na.no_return_leg")


def test_gifts_never_block():
    assert outcome(decide(), "L7") == ("not_applicable", "policy.na.no_gift")
    assert outcome(decide(gift_included=True), "L7") == ("pass", "law.gift.returned")
    kept = decide(gift_included=True, gift_returned=False, platform="taobao")
    assert kept.eligible
    assert outcome(kept, "L7") == ("pass", "law.gift.deduct_price")
    assert outcome(kept, "P.taobao.gift") == ("pass", "platform.taobao.gift_deduct_not_refuse")


def test_money_rules_apply_only_when_the_facts_say():
    dry = decide()
    for rule_id in ("L9", "L10", "L11"):
        assert outcome(dry, rule_id) == ("not_applicable", "policy.na.no_money_facts")
    paid = decide(paid_fen=19900, card_fee_fen=120)
    assert outcome(paid, "L9") == ("pass", "law.refund.original_route")
    assert outcome(paid, "L10") == ("pass", "law.refund.card_fee_kept")
    assert outcome(paid, "L11") == ("pass", "law.refund.amount_paid")
    assert outcome(decide(in_bundle=True), "L11") == ("pass", "law.refund.bundle_repriced")
    greedy = decide(paid_fen=19900, requested_refund_fen=20000)
    assert not greedy.eligible and greedy.reason_codes == ["law.refund.exceeds_paid"]


def test_no_reason_freight_and_free_returns():
    d = decide()
    assert d.return_freight_payer == "buyer" and outcome(d, "L12") == (
        "pass",
        "law.freight.buyer_pays_return",
    )
    assert not d.outbound_freight_deducted
    broken = decide(partial_return_breaks_free_shipping=True)
    assert broken.outbound_freight_deducted and outcome(broken, "L12")[1] == "law.freight.outbound_deducted"
    free = decide(shop=ShopRules(free_return_shipping=True))
    assert free.return_freight_payer == "merchant"
    assert outcome(free, "S.free_return_shipping") == ("pass", "shop.freight.free_returns")
    assert "shop.freight.free_returns" in free.reason_codes


# --- Platforms ---------------------------------------------------------------------------------------------


def test_taobao_freight_rules():
    free = decide(platform="taobao")
    assert outcome(free, "P.taobao.no_reason_freight") == ("pass", "platform.taobao.buyer_pays_return_leg")
    not_free = decide(platform="tmall", free_shipping=False)
    assert outcome(not_free, "P.taobao.no_reason_freight") == (
        "pass",
        "platform.taobao.buyer_pays_all_freight",
    )
    assert not_free.return_freight_payer == "buyer" and not_free.outbound_freight_deducted
    exchange = decide(platform="taobao", case_kind="exchange")
    assert exchange.eligible and exchange.return_freight_payer == "buyer"
    assert outcome(exchange, "P.taobao.exchange_freight") == (
        "pass",
        "platform.taobao.exchange_buyer_pays_all",
    )
    assert outcome(
        decide(platform="taobao", case_kind="refund_only", signed_at=None, shipped=False),
        "P.taobao.no_refusal",
    ) == ("pass", "platform.taobao.refusal_not_allowed")
    # Free returns offered by the shop still win over the platform's default split.
    assert (
        decide(platform="taobao", shop=ShopRules(free_return_shipping=True)).return_freight_payer
        == "merchant"
    )


def test_jd_douyin_pdd_rules():
    jd = decide(platform="jd", reason="quality_defect", case_kind="exchange", requested_at=on_day(12))
    assert jd.eligible and outcome(jd, "P.jd.remedy_ladder") == ("pass", "platform.jd.remedy_ladder")
    assert jd.rule("P.jd.remedy_ladder").params["stage"] == "exchange"
    dy = decide(platform="douyin", paid_fen=5000)
    assert outcome(dy, "P.douyin.fast_refund") == ("pass", "platform.douyin.fast_refund")
    big = decide(platform="douyin", paid_fen=200000)
    assert outcome(big, "P.douyin.fast_refund") == ("not_applicable", "platform.douyin.fast_refund_over_cap")
    assert outcome(decide(platform="pdd"), "P.pdd.refuse_in_backend") == (
        "pass",
        "platform.pdd.refuse_in_backend",
    )


def test_rules_are_listed_law_then_platform_then_shop():
    ids = [r.id for r in decide(platform="taobao").rules]
    law = [f"L{n}" for n in range(1, 15)] + ["L18"]
    assert ids[: len(law)] == law
    platform = [i for i in ids if i.startswith("P.")]
    assert ids[len(law) : len(law) + len(platform)] == platform and platform
    assert all(i.startswith("S.") for i in ids[len(law) + len(platform) :])
    assert not [r for r in decide(platform="own").rules if r.id.startswith("P.")]


# --- The shop --------------------------------------------------------------------------------------------


def test_a_longer_shop_window_applies():
    shop = ShopRules(no_reason_days=15)
    d = decide(shop=shop, requested_at=on_day(12))
    assert d.eligible
    assert outcome(d, "L1") == ("fail", "law.no_reason.window_passed")
    assert outcome(d, "S.no_reason_days") == ("pass", "shop.no_reason.extended_window")
    assert d.reason_codes[0] == "shop.no_reason.extended_window"
    assert d.no_reason_window_ends_at == bj(2026, 5, 18, 23, 59, 59, 999999)
    late = decide(shop=shop, requested_at=on_day(16))
    assert not late.eligible and outcome(late, "S.no_reason_days") == ("fail", "shop.no_reason.window_passed")
    # A longer window never overrides an exemption.
    assert not decide(shop=shop, category="fresh", requested_at=on_day(3)).eligible


def test_shop_exchange_and_partial_refund_options():
    longer = decide(
        shop=ShopRules(exchange_days=30),
        reason="quality_defect",
        case_kind="exchange",
        requested_at=on_day(20),
    )
    assert longer.eligible and outcome(longer, "S.exchange_days") == ("pass", "shop.exchange.extended_window")
    assert not decide(reason="quality_defect", case_kind="exchange", requested_at=on_day(20)).eligible
    no_exchange = decide(shop=ShopRules(allow_exchange=False), case_kind="exchange")
    assert not no_exchange.eligible and no_exchange.remedies == ["return_refund"]
    no_partial = decide(
        shop=ShopRules(allow_partial_refund=False), reason="quality_defect", case_kind="refund_only"
    )
    assert not no_partial.eligible
    assert decide(reason="quality_defect", case_kind="refund_only").eligible


def test_shop_exempt_list_binds_only_buyers_who_confirmed():
    shop = ShopRules(extra_exempt_categories=("cosmetics",))
    d = decide(shop=shop, category="cosmetics")
    assert d.eligible and outcome(d, "S.exempt_categories") == ("pass", "shop.exempt.needs_confirmation")
    confirmed = decide(shop=shop, category="cosmetics", buyer_confirmed_no_return_at_purchase=True)
    assert not confirmed.eligible


@pytest.mark.parametrize(
    ("shop", "field", "code"),
    [
        (ShopRules(no_reason_days=5), "no_reason_days", "law.shop_rule.window_below_law"),
        (ShopRules(no_reason_days=-1), "no_reason_days", "law.shop_rule.negative_days"),
        (
            ShopRules(extra_exempt_categories=("apparel",)),
            "extra_exempt_categories",
            "law.shop_rule.widened_exemption",
        ),
        (ShopRules(exchange_days=10), "exchange_days", "law.shop_rule.exchange_below_law"),
        (ShopRules(warranty_days=-5), "warranty_days", "law.shop_rule.negative_days"),
        (ShopRules(no_reason_days="7"), "no_reason_days", "shop_rule.invalid_value"),
        (ShopRules(free_return_shipping=1), "free_return_shipping", "shop_rule.invalid_value"),
        (ShopRules(no_reason_days=100_000), "no_reason_days", "shop_rule.too_long"),
        (ShopRules(extra_exempt_categories="food"), "extra_exempt_categories", "shop_rule.invalid_value"),
    ],
)
def test_illegal_shop_rules_are_refused(shop, field, code):
    violations = validate_shop_rules(shop)
    assert [(v.field, v.code) for v in violations] == [(field, code)]


def test_generous_shop_rules_are_fine():
    assert validate_shop_rules(ShopRules()) == []
    assert (
        validate_shop_rules(
            ShopRules(
                no_reason_days=30,
                free_return_shipping=True,
                exchange_days=60,
                warranty_days=365,
                extra_exempt_categories=("food", "custom_made"),
            )
        )
        == []
    )


def test_an_illegal_shop_rule_that_slipped_through_never_undercuts_the_law():
    d = decide(shop=ShopRules(no_reason_days=3, exchange_days=0), requested_at=on_day(6))
    assert d.eligible and d.no_reason_window_ends_at == WINDOW_END


# --- Facts ---------------------------------------------------------------------------------------------


def body(**over):
    data = {
        "platform": "douyin",
        "case_kind": "return_refund",
        "reason": "size_fit",
        "category": "shoes",
        "signed_at": "2026-05-03T23:30:00+08:00",
        "requested_at": "2026-05-05T10:00:00+08:00",
        "goods": {"tags_intact": True},
    }
    data.update(over)
    return data


def test_facts_from_plain_data():
    f = Facts.from_dict(body())
    assert f.signed_at == SIGNED and f.shipped is True and f.goods == Goods()
    assert evaluate(f, default_ruleset("douyin"), NOW).eligible
    unsigned = Facts.from_dict(body(signed_at=None))
    assert unsigned.shipped is False
    enums = Facts.from_dict(
        body(
            platform=Platform.JD,
            reason=Reason.NO_REASON,
            category=LawCategory.TOYS,
            requested_at=bj(2026, 5, 5),
        )
    )
    assert enums.platform == "jd" and type(enums.platform) is str


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"platform": "amazon"}, "policy.invalid_field", "platform"),
        ({"case_kind": "price_protection"}, "policy.invalid_field", "case_kind"),
        ({"reason": "bored"}, "policy.invalid_field", "reason"),
        ({"category": "cars"}, "policy.invalid_field", "category"),
        ({"signed_at": "2026-05-03T23:30:00"}, "policy.invalid_field", "signed_at"),
        ({"requested_at": datetime(2026, 5, 5)}, "policy.invalid_field", "requested_at"),
        ({"requested_at": "yesterday"}, "policy.invalid_field", "requested_at"),
        ({"requested_at": 20260505}, "policy.invalid_field", "requested_at"),
        ({"goods": {"used": "no"}}, "policy.invalid_field", "goods.used"),
        ({"goods": {"sniffed": True}}, "policy.unknown_field", "goods.sniffed"),
        ({"goods": ["used"]}, "policy.invalid_field", "goods"),
        ({"free_shipping": "yes"}, "policy.invalid_field", "free_shipping"),
        ({"paid_fen": 12.5}, "policy.invalid_field", "paid_fen"),
        ({"paid_fen": -1}, "policy.invalid_field", "paid_fen"),
        ({"shipped": False}, "policy.invalid_field", "shipped"),
        ({"order_no": "123"}, "policy.unknown_field", "order_no"),
    ],
)
def test_bad_facts_are_refused_with_a_code(over, code, field):
    with pytest.raises(DomainError) as err:
        Facts.from_dict(body(**over))
    assert err.value.code == code
    assert err.value.params["field"] == field


def test_missing_facts():
    data = body()
    del data["requested_at"]
    with pytest.raises(DomainError) as err:
        Facts.from_dict(data)
    assert (err.value.code, err.value.params) == ("policy.missing_field", {"field": "requested_at"})


def test_evaluate_checks_its_inputs():
    f = facts()
    with pytest.raises(DomainError) as err:
        evaluate(f, default_ruleset("jd"), NOW)
    assert err.value.code == "policy.platform_mismatch"
    with pytest.raises(DomainError) as err:
        evaluate(f, default_ruleset("own"), datetime(2026, 6, 1))
    assert err.value.code == "time.naive"


# --- Output ------------------------------------------------------------------------------------------------


def test_decision_to_dict_is_json():
    d = decide(platform="taobao")
    data = json.loads(json.dumps(d.to_dict()))
    assert data["eligible"] is True and data["remedies"] == ["return_refund", "exchange"]
    assert data["return_freight_payer"] == "buyer"
    assert data["rules"][0] == {
        "id": "L1",
        "outcome": "pass",
        "code": "law.no_reason.within_window",
        "params": {"days": 7, "ends_at": "2026-05-10T23:59:59.999999+08:00"},
    }
    assert data["rule_version"] == default_ruleset("taobao").version
    assert data["law_version"] and data["evaluated_at"] == NOW.isoformat()


def test_explain_in_both_languages():
    ok = decide()
    assert explain(ok) == (
        "可以申请退货退款。在 7 天无理由退货期内（截至北京时间 2026-05-10 23:59）。"
        "无理由退换货的寄回运费由买家承担。"
    )
    assert explain(ok, "en-US").startswith("Eligible for return and refund. Within the 7-day")
    late = decide(requested_at=on_day(9), case_kind="return_refund")
    assert "已超过 7 天无理由退货期限" in explain(late, "zh-CN")
    defect = decide(reason="quality_defect", requested_at=on_day(10))
    text = explain(defect, "en")
    assert text.startswith("Not eligible for return and refund.")
    assert "The buyer may choose instead: refund only, exchange, repair." in text
    assert "{" not in explain(decide(reason="quality_defect", case_kind="repair", requested_at=on_day(200)))


# --- Properties --------------------------------------------------------------------------------------------

_fact_strategy = st.fixed_dictionaries(
    {
        "platform": st.sampled_from([p.value for p in Platform]),
        "case_kind": st.sampled_from(["refund_only", "return_refund", "exchange", "reship", "repair"]),
        "reason": st.sampled_from([r.value for r in Reason]),
        "category": st.sampled_from([c.value for c in LawCategory]),
        "signed_day": st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
        "request_offset_h": st.integers(min_value=0, max_value=24 * 200),
        "goods": st.builds(Goods, *[st.booleans()] * 7),
        "confirmed": st.booleans(),
        "shipped": st.booleans(),
        "free_shipping": st.booleans(),
        "breaks": st.booleans(),
        "gift": st.booleans(),
    }
)


def _build_facts(x) -> Facts:
    signed = (
        None if x["signed_day"] is None else bj(2026, 3, 1, 15) + timedelta(days=x["signed_day"], minutes=7)
    )
    start = signed or bj(2026, 3, 1)
    return Facts(
        platform=x["platform"],
        case_kind=x["case_kind"],
        reason=x["reason"],
        category=x["category"],
        signed_at=signed,
        requested_at=start + timedelta(hours=x["request_offset_h"]),
        goods=x["goods"],
        buyer_confirmed_no_return_at_purchase=x["confirmed"],
        shipped=True if signed else x["shipped"],
        free_shipping=x["free_shipping"],
        partial_return_breaks_free_shipping=x["breaks"],
        gift_included=x["gift"],
        gift_returned=not x["gift"],
    )


_shop_strategy = st.builds(
    ShopRules,
    no_reason_days=st.integers(min_value=7, max_value=40),
    free_return_shipping=st.booleans(),
    extra_exempt_categories=st.sampled_from([(), ("food",), ("cosmetics", "electronics")]),
    exchange_days=st.integers(min_value=15, max_value=60),
    warranty_days=st.integers(min_value=0, max_value=400),
    allow_partial_refund=st.booleans(),
    allow_exchange=st.booleans(),
)


def _more_generous(shop: ShopRules, data) -> ShopRules:
    return replace(
        shop,
        no_reason_days=shop.no_reason_days + data.draw(st.integers(0, 30)),
        free_return_shipping=shop.free_return_shipping or data.draw(st.booleans()),
        extra_exempt_categories=data.draw(st.sampled_from([(), shop.extra_exempt_categories])),
        exchange_days=shop.exchange_days + data.draw(st.integers(0, 30)),
        warranty_days=shop.warranty_days + data.draw(st.integers(0, 300)),
        allow_partial_refund=shop.allow_partial_refund or data.draw(st.booleans()),
        allow_exchange=shop.allow_exchange or data.draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(x=_fact_strategy, shop=_shop_strategy, data=st.data())
def test_a_more_generous_shop_never_takes_anything_away(x, shop, data):
    f = _build_facts(x)
    generous = _more_generous(shop, data)
    assert validate_shop_rules(shop) == [] and validate_shop_rules(generous) == []
    before = evaluate(f, RuleSet("v1", shop, f.platform), NOW)
    after = evaluate(f, RuleSet("v2", generous, f.platform), NOW)
    if before.eligible:
        assert after.eligible
    assert set(before.remedies) <= set(after.remedies)
    if before.return_freight_payer == "merchant":
        assert after.return_freight_payer == "merchant"
    # ...and the law's floor holds for every shop: a shop with no options of its own gives least.
    bare = ShopRules(allow_partial_refund=False, allow_exchange=False, warranty_days=0)
    law = evaluate(f, RuleSet("law", bare, f.platform), NOW)
    assert set(law.remedies) <= set(before.remedies)


@settings(max_examples=300, deadline=None)
@given(x=_fact_strategy)
def test_every_decision_is_consistent_and_explainable(x):
    from aftersales.core.messages import MESSAGES

    f = _build_facts(x)
    d = evaluate(f, default_ruleset(f.platform), NOW)
    assert d.eligible == (f.case_kind in d.remedies and "law.refund.exceeds_paid" not in d.reason_codes)
    assert d.reason_codes, "every answer says why"
    assert (d.return_freight_payer is not None) == (
        d.eligible and f.signed_at is not None and f.case_kind in ("return_refund", "exchange", "repair")
    )
    for r in d.rules:
        assert r.outcome in ("pass", "fail", "not_applicable")
        assert r.code in MESSAGES, r.code
    for lang in ("zh-hans", "en"):
        text = explain(d, lang)
        assert text and "{" not in text
    json.dumps(d.to_dict())
