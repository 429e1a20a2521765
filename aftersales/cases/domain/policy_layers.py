"""Platform rules and shop rules: the two layers the policy engine applies after the law.

Both may add remedies or take freight off the buyer; neither may take away what the law gave — the
functions here only ever `grant` or move freight to the merchant, except where a platform rule
spells out a freight split that the law leaves to agreement (Taobao §53/§54).
"""

from __future__ import annotations

from collections.abc import Callable

from aftersales.cases.domain.policy_decision import FAIL, NOT_APPLICABLE, PASS, Draft
from aftersales.cases.domain.policy_facts import DEFECT_REASONS, RETURN_LEG_KINDS
from aftersales.cases.domain.policy_law import defect_stage, no_reason_na_code, settle_no_reason
from aftersales.cases.domain.policy_rules import LAW_DEFECT_EXCHANGE_DAYS, LAW_EXEMPTIBLE, LAW_NO_REASON_DAYS
from aftersales.cases.domain.states import Kind as K
from aftersales.core.choices import Platform
from aftersales.core.clock import days_after

Rule = Callable[[Draft], None]

#: 极速退款: Douyin pays a no-reason return as soon as it has a tracking number, up to ¥1000.
DOUYIN_FAST_REFUND_CAP_FEN = 1000_00


def _no_reason_case(d: Draft, kind: str) -> bool:
    return d.buyer_side and d.facts.delivered and d.facts.case_kind == kind


# --- Taobao / Tmall (《淘宝平台争议处理规则》) ----------------------------------------------------------


def taobao_no_reason_freight(d: Draft) -> None:
    """§53: a free-shipping item → the buyer pays the return leg; not free-shipping, or a partial
    return that breaks free shipping → the buyer pays all freight."""
    rid = "P.taobao.no_reason_freight"
    if not _no_reason_case(d, K.RETURN_REFUND):
        d.record(rid, NOT_APPLICABLE, "policy.na.not_no_reason_return")
        return
    if not d.facts.free_shipping or d.facts.partial_return_breaks_free_shipping:
        # The same split as the law's L12, which already put the outbound leg on the buyer.
        d.set_freight("buyer", "platform.taobao.buyer_pays_all_freight", covers_outbound=True)
        d.record(rid, PASS, "platform.taobao.buyer_pays_all_freight")
    else:
        d.set_freight("buyer", "platform.taobao.buyer_pays_return_leg")
        d.record(rid, PASS, "platform.taobao.buyer_pays_return_leg")


def taobao_exchange_freight(d: Draft) -> None:
    """§54: a no-reason exchange → the buyer pays the freight both ways."""
    rid = "P.taobao.exchange_freight"
    if not _no_reason_case(d, K.EXCHANGE):
        d.record(rid, NOT_APPLICABLE, "policy.na.not_no_reason_exchange")
        return
    d.bear_outbound("platform.taobao.exchange_outbound")  # the replacement's parcel
    d.set_freight("buyer", "platform.taobao.exchange_buyer_pays_all", covers_outbound=True)
    d.record(rid, PASS, "platform.taobao.exchange_buyer_pays_all")


def taobao_gift(d: Draft) -> None:
    """§61: a gift that does not come back is deducted; it never blocks the return."""
    rid = "P.taobao.gift"
    f = d.facts
    if f.gift_included and not f.gift_returned and f.delivered and f.case_kind in RETURN_LEG_KINDS:
        d.record(rid, PASS, "platform.taobao.gift_deduct_not_refuse")
    else:
        d.record(rid, NOT_APPLICABLE, "policy.na.no_gift")


def taobao_no_refusal(d: Draft) -> None:
    """The refuse API is closed for unshipped orders and for 7-day no-reason returns."""
    rid = "P.taobao.no_refusal"
    if not d.facts.shipped or (d.buyer_side and K.RETURN_REFUND in d.remedies):
        d.record(rid, PASS, "platform.taobao.refusal_not_allowed")
    else:
        d.record(rid, NOT_APPLICABLE, "policy.na.refusal_allowed")


# --- JD, Douyin, PDD ---------------------------------------------------------------------------------


def jd_remedy_ladder(d: Draft) -> None:
    """JD 商品类问题纠纷处理标准: ≤7 days 退/换/修, ≤15 days 换/修, within the warranty 修 — the same
    ladder as the law's 三包, so it confirms L14 rather than changing it."""
    rid = "P.jd.remedy_ladder"
    if not (d.merchant_fault and d.facts.reason in DEFECT_REASONS):
        d.record(rid, NOT_APPLICABLE, "policy.na.not_merchant_fault")
        return
    stage = _LADDER_STEP[defect_stage(d)[0]]
    d.record(rid, FAIL if stage == "expired" else PASS, "platform.jd.remedy_ladder",
             stage=stage, warranty_days=d.rules.shop.warranty_days)


_LADDER_STEP = {
    "law.quality.return_window": "return", "law.quality.exchange_window": "exchange",
    "law.quality.repair_window": "repair", "law.quality.warranty_expired": "expired",
}


def douyin_fast_refund(d: Draft) -> None:
    """极速退款: a no-reason return is paid once it has tracking, before inspection (cap ¥1000)."""
    rid = "P.douyin.fast_refund"
    if not (_no_reason_case(d, K.RETURN_REFUND) and K.RETURN_REFUND in d.remedies):
        d.record(rid, NOT_APPLICABLE, "policy.na.not_no_reason_return")
    elif d.facts.paid_fen is not None and d.facts.paid_fen > DOUYIN_FAST_REFUND_CAP_FEN:
        d.record(rid, NOT_APPLICABLE, "platform.douyin.fast_refund_over_cap", cap=DOUYIN_FAST_REFUND_CAP_FEN)
    else:
        d.record(rid, PASS, "platform.douyin.fast_refund", cap=DOUYIN_FAST_REFUND_CAP_FEN)


def pdd_refuse_in_backend(d: Draft) -> None:
    """PDD's open API has no refuse call: a rejection must be entered in the PDD merchant backend."""
    d.record("P.pdd.refuse_in_backend", PASS, "platform.pdd.refuse_in_backend")


_TAOBAO: tuple[Rule, ...] = (
    taobao_no_reason_freight, taobao_exchange_freight, taobao_gift, taobao_no_refusal,
)
PLATFORM_RULES: dict[str, tuple[Rule, ...]] = {
    Platform.TAOBAO: _TAOBAO,
    Platform.TMALL: _TAOBAO,  # Tmall cases follow the same dispute rules
    Platform.JD: (jd_remedy_ladder,),
    Platform.DOUYIN: (douyin_fast_refund,),
    Platform.PDD: (pdd_refuse_in_backend,),
    Platform.OWN: (),
}


# --- The shop's own rules ----------------------------------------------------------------------------


def _days(value: object, floor: int) -> int:
    """A shop's day count, never below the law's: a bad value that slipped past validation counts as
    the law's number."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > floor else floor


def shop_no_reason_days(d: Draft) -> None:
    """A longer no-reason window (e.g. 15 days) replaces the law's 7."""
    rid, f = "S.no_reason_days", d.facts
    days = _days(d.rules.shop.no_reason_days, LAW_NO_REASON_DAYS)
    if not d.buyer_side:
        d.record(rid, NOT_APPLICABLE, no_reason_na_code(d))
        return
    if days == LAW_NO_REASON_DAYS:
        d.record(rid, NOT_APPLICABLE, "shop.no_reason.law_window")
        return
    d.window_ends_at = days_after(f.signed_at, days)
    if f.requested_at > d.window_ends_at:
        d.record(rid, FAIL, "shop.no_reason.window_passed", days=days, ends_at=d.window_ends_at)
        return
    d.record(rid, PASS, "shop.no_reason.extended_window", days=days, ends_at=d.window_ends_at)
    if not d.in_law_window:
        settle_no_reason(d, "shop.no_reason.extended_window")


def shop_exempt_categories(d: Draft) -> None:
    """Goods the shop lists as "不支持七天无理由": only the buyer's confirmation at purchase makes it so."""
    rid, f = "S.exempt_categories", d.facts
    listed = {str(c) for c in d.rules.shop.extra_exempt_categories} & LAW_EXEMPTIBLE
    if not d.buyer_side or f.category not in listed:
        d.record(rid, NOT_APPLICABLE, "policy.na.category", category=f.category)
    elif f.buyer_confirmed_no_return_at_purchase:
        d.record(rid, PASS, "shop.exempt.confirmed", category=f.category)
    else:
        d.record(rid, PASS, "shop.exempt.needs_confirmation", category=f.category)


def shop_exchange(d: Draft) -> None:
    """Where a no-reason return is open, the shop offers an exchange instead (换货)."""
    rid = "S.exchange"
    if not (d.buyer_side and K.RETURN_REFUND in d.remedies):
        d.record(rid, NOT_APPLICABLE, "policy.na.not_no_reason_return")
    elif d.rules.shop.allow_exchange is True:
        d.grant({K.EXCHANGE}, "shop.exchange.offered")
        d.record(rid, PASS, "shop.exchange.offered")
    else:
        d.record(rid, NOT_APPLICABLE, "shop.exchange.not_offered")


def shop_exchange_days(d: Draft) -> None:
    """A defect may be exchanged for longer than the law's 15 days."""
    rid, f = "S.exchange_days", d.facts
    days = _days(d.rules.shop.exchange_days, LAW_DEFECT_EXCHANGE_DAYS)
    if not (d.merchant_fault and f.reason in DEFECT_REASONS):
        d.record(rid, NOT_APPLICABLE, "policy.na.not_merchant_fault")
    elif days == LAW_DEFECT_EXCHANGE_DAYS or K.EXCHANGE in d.remedies:
        d.record(rid, NOT_APPLICABLE, "shop.exchange.law_window")
    elif f.requested_at <= days_after(f.signed_at, days):
        d.grant({K.EXCHANGE}, "shop.exchange.extended_window")
        d.record(rid, PASS, "shop.exchange.extended_window", days=days)
    else:
        d.record(rid, FAIL, "shop.exchange.window_passed", days=days)


def shop_free_return_shipping(d: Draft) -> None:
    """运费险 / 退货包运费: the merchant pays a no-reason return's return leg."""
    rid, f = "S.free_return_shipping", d.facts
    if not (d.buyer_side and f.delivered and f.case_kind in RETURN_LEG_KINDS):
        d.record(rid, NOT_APPLICABLE, "policy.na.no_return_leg")
    elif d.rules.shop.free_return_shipping is True:
        d.set_freight("merchant", "shop.freight.free_returns")
        d.record(rid, PASS, "shop.freight.free_returns")
    else:
        d.record(rid, NOT_APPLICABLE, "shop.freight.not_offered")


def freight_insurance(d: Draft) -> None:
    """运费险: the order's return-freight insurance pays the return leg the buyer would otherwise pay (or
    the shop by its own free-returns promise). Never the shop's fault: then the shop pays (L14)."""
    rid, f = "S.freight_insurance", d.facts
    if not (d.buyer_side and f.delivered and f.case_kind in RETURN_LEG_KINDS):
        d.record(rid, NOT_APPLICABLE, "policy.na.no_return_leg")
    elif f.freight_insurance:
        d.set_freight("insurer", "shop.freight.insurance_covers")
        d.record(rid, PASS, "shop.freight.insurance_covers")
    else:
        d.record(rid, NOT_APPLICABLE, "shop.freight.no_insurance")


def shop_partial_refund(d: Draft) -> None:
    """Merchant's fault: offer part of the money back while the buyer keeps the goods (部分退款)."""
    rid = "S.partial_refund"
    if not d.merchant_fault:
        d.record(rid, NOT_APPLICABLE, "policy.na.not_merchant_fault")
    elif not d.remedies:  # past the warranty nothing is owed; a goodwill refund is the merchant's call
        d.record(rid, NOT_APPLICABLE, "law.quality.warranty_expired", **_expired_params(d))
    elif d.rules.shop.allow_partial_refund is True:
        d.grant({K.REFUND_ONLY}, "shop.partial_refund.offered")
        d.record(rid, PASS, "shop.partial_refund.offered")
    else:
        d.record(rid, NOT_APPLICABLE, "shop.partial_refund.not_offered")


def _expired_params(d: Draft) -> dict:
    l14 = next((o for o in d.outcomes if o.id == "L14"), None)
    return dict(l14.params) if l14 else {}


SHOP_RULES: tuple[Rule, ...] = (
    shop_no_reason_days, shop_exempt_categories, shop_exchange, shop_exchange_days, shop_free_return_shipping,
    freight_insurance, shop_partial_refund,
)

CODES = frozenset({
    "platform.taobao.buyer_pays_all_freight", "platform.taobao.buyer_pays_return_leg",
    "platform.taobao.exchange_buyer_pays_all", "platform.taobao.exchange_outbound",
    "platform.taobao.gift_deduct_not_refuse",
    "platform.taobao.refusal_not_allowed", "platform.jd.remedy_ladder", "platform.douyin.fast_refund",
    "platform.douyin.fast_refund_over_cap", "platform.pdd.refuse_in_backend",
    "shop.no_reason.law_window", "shop.no_reason.window_passed", "shop.no_reason.extended_window",
    "shop.exempt.confirmed", "shop.exempt.needs_confirmation", "shop.exchange.offered",
    "shop.exchange.not_offered", "shop.exchange.law_window", "shop.exchange.extended_window",
    "shop.exchange.window_passed", "shop.freight.free_returns", "shop.freight.not_offered",
    "shop.freight.insurance_covers", "shop.freight.no_insurance",
    "shop.partial_refund.offered", "shop.partial_refund.not_offered",
    "policy.na.not_no_reason_return", "policy.na.not_no_reason_exchange", "policy.na.no_gift",
    "policy.na.refusal_allowed", "policy.na.not_merchant_fault", "policy.na.category",
    "policy.na.no_return_leg",
    "policy.na.not_delivered", "policy.na.merchant_fault", "policy.na.not_received",
})
