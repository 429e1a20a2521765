"""The law's rules (platforms-and-law §4): 消保法, 七日无理由退货暂行办法 (办法), 实施条例, 电子商务法.

One function per checklist row, L1–L14, plus L18 (transit risk). Each records exactly one outcome on
the draft and may grant remedies or set who pays the return freight. The law is the floor: platform
and shop rules that run after it may add remedies or take freight off the buyer, never the reverse.

Merchant-fault reasons (wrong item, missing item, damage, defect, not as described) are judged by
L14/L18 alone: the no-reason window, the exemptions and the "intact" test never block them.
"""

from __future__ import annotations

from collections.abc import Callable

from aftersales.cases.domain.policy_decision import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    SITUATION_IN_TRANSIT,
    SITUATION_NOT_SHIPPED,
    SITUATION_SIGNED_NOT_RECEIVED,
    Draft,
)
from aftersales.cases.domain.policy_facts import DEFECT_REASONS, RETURN_LEG_KINDS
from aftersales.cases.domain.policy_rules import (
    CONDITIONAL_EXEMPT,
    LAW_DEFECT_EXCHANGE_DAYS,
    LAW_DEFECT_RETURN_DAYS,
    LAW_NO_REASON_DAYS,
)
from aftersales.cases.domain.states import Kind
from aftersales.core.choices import LawCategory as C
from aftersales.core.choices import Reason
from aftersales.core.clock import days_after, shanghai_days_between

K = Kind
#: Goods with a one-time seal (办法 9): a broken seal means not intact.
SEALED_CATEGORIES = frozenset({C.FOOD, C.COSMETICS, C.MEDICAL})
#: Goods judged by their tags and whether they were soiled or damaged: 办法 9(三) "服装、鞋帽、箱包、玩具、
#: 家纺、家居类" — furniture is 家居.
SOFT_GOODS = frozenset({C.APPAREL, C.SHOES, C.BAGS, C.TOYS, C.TEXTILES, C.FURNITURE})
#: Categories where L2 alone decides (they are exempt outright). Physical media are judged by L2 for
#: their seal and by L5 for the rest, like any physical goods.
_EXEMPT_JUDGED = frozenset({C.CUSTOM_MADE, C.FRESH, C.NEWSPAPER, C.DIGITAL_DOWNLOAD})
REFUND_REMEDIES = frozenset({K.REFUND_ONLY, K.RETURN_REFUND})


def no_reason_na_code(d: Draft) -> str:
    """Why a no-reason rule (L1–L5) does not apply to this request."""
    if not d.facts.delivered:
        return "policy.na.not_delivered"
    if d.situation == SITUATION_SIGNED_NOT_RECEIVED:
        return "policy.na.not_received"
    return "policy.na.merchant_fault"


# --- 七日无理由: window, exemptions, intact -------------------------------------------------------


def l1_no_reason_window(d: Draft) -> None:
    """L1 — 7 days, counted from the day after signing, Beijing calendar (办法 10)."""
    f = d.facts
    if f.delivered:
        d.window_ends_at = days_after(f.signed_at, LAW_NO_REASON_DAYS)
    if not d.buyer_side:
        d.record("L1", NOT_APPLICABLE, no_reason_na_code(d))
        return
    d.in_law_window = f.requested_at <= d.window_ends_at
    code = "law.no_reason.within_window" if d.in_law_window else "law.no_reason.window_passed"
    d.record("L1", PASS if d.in_law_window else FAIL, code, days=LAW_NO_REASON_DAYS, ends_at=d.window_ends_at)


_ABSOLUTE_CODES = {
    C.CUSTOM_MADE: "law.exempt.custom_made",
    C.FRESH: "law.exempt.fresh",
    C.NEWSPAPER: "law.exempt.newspaper",
    # 消保法 25(三) "在线下载": delivery by download is the consumption; nothing can come back.
    C.DIGITAL_DOWNLOAD: "law.exempt.digital_download",
}


def l2_absolute_exemptions(d: Draft) -> None:
    """L2 — 定作, 鲜活易腐, downloaded digital goods, unsealed audio/video/software, newspapers (消保法 25)."""
    f, g = d.facts, d.facts.goods
    if not d.buyer_side:
        d.record("L2", NOT_APPLICABLE, no_reason_na_code(d))
        return
    code = _ABSOLUTE_CODES.get(f.category)
    if f.category == C.PHYSICAL_MEDIA:
        # 消保法 25(三) "消费者拆封的音像制品、计算机软件": the wrap, not playing or installing, decides.
        if g.seal_intact:
            d.record("L2", PASS, "law.exempt.media_sealed", category=f.category)
            return
        code = "law.exempt.media_unsealed"
    if code:
        d.no_reason_blockers.append(code)
        d.record("L2", FAIL, code, category=f.category)
    else:
        d.record("L2", PASS, "law.exempt.none", category=f.category)


def l3_conditional_exemptions(d: Draft) -> None:
    """L3 — exempt only with the buyer's explicit confirmation at purchase (办法 7, 20; 实施条例 19).

    The law's list cannot be widened: a confirmation for goods outside it is void.
    """
    f = d.facts
    if not d.buyer_side:
        d.record("L3", NOT_APPLICABLE, no_reason_na_code(d))
        return
    in_law_list = f.category in CONDITIONAL_EXEMPT or f.sold_with_disclosed_flaw
    if not in_law_list:
        if f.buyer_confirmed_no_return_at_purchase:
            d.record("L3", PASS, "law.conditional_exempt.not_allowed", category=f.category)
        else:
            d.record("L3", NOT_APPLICABLE, "policy.na.category", category=f.category)
        return
    if not f.buyer_confirmed_no_return_at_purchase:
        d.record("L3", PASS, "law.conditional_exempt.not_confirmed", category=f.category)
        return
    code = "law.conditional_exempt.confirmed"
    if f.sold_with_disclosed_flaw:
        code = "law.conditional_exempt.disclosed_flaw"
    d.no_reason_blockers.append(code)
    d.record("L3", FAIL, code, category=f.category)


def l4_intact(d: Draft) -> None:
    """L4 — 商品完好: item, accessories and labels present; opening to inspect is allowed (办法 8)."""
    g = d.facts.goods
    if not d.buyer_side:
        d.record("L4", NOT_APPLICABLE, no_reason_na_code(d))
        return
    if not g.accessories_complete:
        d.no_reason_blockers.append("law.not_intact.accessories_missing")
        d.record("L4", FAIL, "law.not_intact.accessories_missing")
    elif g.opened_for_inspection:
        d.record("L4", PASS, "law.intact.opened_for_inspection")
    else:
        d.record("L4", PASS, "law.intact.ok")


def _category_damage(category: str, g) -> str | None:
    """The first way the goods are not intact for their category (办法 9), or None."""
    checks: list[tuple[bool, str]]
    if category in SEALED_CATEGORIES:
        checks = [(not g.seal_intact, "law.not_intact.seal_broken")]
    elif category == C.ELECTRONICS:
        # Reasonable testing is fine; activation data or wear beyond testing is not.
        checks = [(g.activated, "law.not_intact.activated"), (g.used, "law.not_intact.used")]
    elif category in SOFT_GOODS:
        checks = [(not g.tags_intact, "law.not_intact.tags_removed"), (g.washed, "law.not_intact.washed"),
                  (g.used, "law.not_intact.used")]
    else:
        checks = [(g.used, "law.not_intact.used")]
    return next((code for failed, code in checks if failed), None)


def l5_not_intact_by_category(d: Draft) -> None:
    """L5 — what "not intact" means for each kind of goods (办法 9)."""
    f = d.facts
    if not d.buyer_side:
        d.record("L5", NOT_APPLICABLE, no_reason_na_code(d))
        return
    if f.category in _EXEMPT_JUDGED:
        d.record("L5", NOT_APPLICABLE, "policy.na.category", category=f.category)
        return
    code = _category_damage(f.category, f.goods)
    if code:
        d.no_reason_blockers.append(code)
        d.record("L5", FAIL, code, category=f.category)
    else:
        d.record("L5", PASS, "law.intact.category_ok", category=f.category)


def settle_no_reason(d: Draft, code: str) -> None:
    """Open the no-reason return once a window is open and nothing blocks it."""
    if d.buyer_side and not d.no_reason_blockers:
        d.grant({K.RETURN_REFUND}, code)


# --- The return and the refund ---------------------------------------------------------------------


def _has_return_leg(d: Draft) -> bool:
    return d.facts.delivered and d.facts.case_kind in RETURN_LEG_KINDS


def l6_return_address(d: Draft) -> None:
    """L6 — the merchant gives a return address and contact promptly (办法 11; penalty after 15 days)."""
    if _has_return_leg(d):
        d.record("L6", PASS, "law.return_address.due", days=15)
    else:
        d.record("L6", NOT_APPLICABLE, "policy.na.no_return_leg")


def l7_gifts(d: Draft) -> None:
    """L7 — gifts come back, or their pre-stated price is deducted; a missing gift never blocks (办法 12)."""
    f = d.facts
    if not f.gift_included or not _has_return_leg(d):
        d.record("L7", NOT_APPLICABLE, "policy.na.no_gift")
    elif f.gift_returned:
        d.record("L7", PASS, "law.gift.returned")
    else:
        d.record("L7", PASS, "law.gift.deduct_price")


def l8_refund_after_receipt(d: Draft) -> None:
    """L8 — refund within 7 days of receiving the return (消保法 25, 办法 13; penalty after 15)."""
    if d.facts.delivered and d.facts.case_kind == K.RETURN_REFUND:
        d.record("L8", PASS, "law.refund_due.after_receipt", days=7)
    elif _has_return_leg(d):  # an exchange or repair: the goods come back, no money goes out
        d.record("L8", NOT_APPLICABLE, "policy.na.not_a_refund")
    else:
        d.record("L8", NOT_APPLICABLE, "policy.na.no_return_leg")


def _money_applies(d: Draft) -> bool:
    return d.facts.case_kind in REFUND_REMEDIES


def l9_original_route(d: Draft) -> None:
    """L9 — refund through the original payment routes, pro rata (办法 14–15)."""
    if _money_applies(d) and d.facts.paid_fen is not None:
        d.record("L9", PASS, "law.refund.original_route")
    else:
        d.record("L9", NOT_APPLICABLE, "policy.na.no_money_facts")


def l10_card_fee(d: Draft) -> None:
    """L10 — a card or instalment fee the buyer paid may be kept (办法 16)."""
    if _money_applies(d) and d.facts.card_fee_fen is not None:
        d.record("L10", PASS, "law.refund.card_fee_kept", fee=d.facts.card_fee_fen)
    else:
        d.record("L10", NOT_APPLICABLE, "policy.na.no_money_facts")


def l11_amount_paid(d: Draft) -> None:
    """L11 — the refund is what was actually paid; a partial return from a deal is re-priced (办法 17)."""
    f = d.facts
    if not _money_applies(d):
        d.record("L11", NOT_APPLICABLE, "policy.na.no_money_facts")
    elif f.paid_fen is not None and (f.requested_refund_fen or 0) > f.paid_fen:
        d.hard_fails.append("law.refund.exceeds_paid")
        d.record("L11", FAIL, "law.refund.exceeds_paid", requested=f.requested_refund_fen, paid=f.paid_fen)
    elif f.in_bundle:
        d.record("L11", PASS, "law.refund.bundle_repriced")
    elif f.paid_fen is not None:
        d.record("L11", PASS, "law.refund.amount_paid", paid=f.paid_fen)
    else:
        d.record("L11", NOT_APPLICABLE, "policy.na.no_money_facts")


def l12_freight(d: Draft) -> None:
    """L12 — the buyer pays a no-reason return's freight unless agreed otherwise (消保法 25, 办法 18 ¶1).

    The outbound leg is settled apart, whoever later pays the return leg (free returns, 运费险): a
    return refunds the goods' price (消保法 25 "商品价款", 办法 13), so freight the buyer paid stays
    paid; a partial return that leaves the rest below a free-shipping threshold has the waived freight
    deducted (办法 18 ¶2). The merchant's fault costs the buyer nothing either way (消保法 24).
    """
    f = d.facts
    if not _has_return_leg(d) or not (d.buyer_side or d.merchant_fault):
        d.record("L12", NOT_APPLICABLE, "policy.na.no_return_leg")
        return
    if d.merchant_fault:
        d.set_freight("merchant", "law.freight.merchant_pays")
        d.record("L12", PASS, "law.freight.merchant_pays")
        return
    code, outbound = "law.freight.buyer_pays_return", None
    if f.case_kind == K.RETURN_REFUND and f.partial_return_breaks_free_shipping:
        code, outbound = "law.freight.outbound_deducted", "law.freight.threshold_outbound"
    elif f.case_kind == K.RETURN_REFUND and not f.free_shipping:
        code, outbound = "law.freight.buyer_paid_outbound", "law.freight.outbound_not_refunded"
    if outbound:
        d.bear_outbound(outbound)
    d.set_freight("buyer", code, covers_outbound=outbound is not None)
    d.record("L12", PASS, code)


def l13_return_method(d: Draft) -> None:
    """L13 — the buyer chooses how to send it back; paid pickup only with consent (办法 19)."""
    if _has_return_leg(d):
        d.record("L13", PASS, "law.return_method.free_choice")
    else:
        d.record("L13", NOT_APPLICABLE, "policy.na.no_return_leg")


# --- Merchant's fault and undelivered goods --------------------------------------------------------


def defect_stage(d: Draft) -> tuple[str, frozenset[str]]:
    """三包 ladder for a defect: ≤7 days return/exchange/repair, ≤15 exchange/repair, warranty repair
    (消保法 24; 部分商品修理更换退货责任规定 8–10), counted from the day after signing."""
    f, shop = d.facts, d.rules.shop
    warranty = max(shop.warranty_days, 0) if isinstance(shop.warranty_days, int) else 0
    if f.requested_at <= days_after(f.signed_at, LAW_DEFECT_RETURN_DAYS):
        return "law.quality.return_window", frozenset({K.RETURN_REFUND, K.EXCHANGE, K.REPAIR})
    if f.requested_at <= days_after(f.signed_at, LAW_DEFECT_EXCHANGE_DAYS):
        return "law.quality.exchange_window", frozenset({K.EXCHANGE, K.REPAIR})
    if f.requested_at <= days_after(f.signed_at, warranty):
        return "law.quality.repair_window", frozenset({K.REPAIR})
    return "law.quality.warranty_expired", frozenset()


#: What the law gives for faults that are not defects, whatever the day (消保法 24, 电子商务法 20).
_FAULT_REMEDIES: dict[str, tuple[str, frozenset[str]]] = {
    # The buyer got something else: take it back, and send the right item or refund.
    Reason.WRONG_ITEM: ("law.merchant_fault.wrong_item", frozenset({K.RETURN_REFUND, K.EXCHANGE})),
    # Not what the listing said (消保法 23): the buyer did not get what was bought, as with a wrong item,
    # and nothing can be repaired into it (民法典 610): take it back, refund or send what was described.
    Reason.NOT_AS_DESCRIBED: (
        "law.merchant_fault.not_as_described", frozenset({K.RETURN_REFUND, K.EXCHANGE}),
    ),
    # Part never arrived: send it, or refund that part.
    Reason.MISSING_ITEM: ("law.merchant_fault.missing_item", frozenset({K.RESHIP, K.REFUND_ONLY})),
    # Transit risk is the merchant's until delivery: replace, take back, or refund.
    Reason.DAMAGED_IN_TRANSIT: (
        "law.merchant_fault.damaged_in_transit",
        frozenset({K.REFUND_ONLY, K.RETURN_REFUND, K.EXCHANGE, K.RESHIP}),
    ),
}


def l14_merchant_fault(d: Draft) -> None:
    """L14 — defects and other merchant faults: the merchant pays transport (消保法 24)."""
    f = d.facts
    if not d.merchant_fault:
        code = "policy.na.not_merchant_fault"
        if not f.delivered or d.situation == SITUATION_SIGNED_NOT_RECEIVED:
            code = no_reason_na_code(d)
        d.record("L14", NOT_APPLICABLE, code)
        return
    days = shanghai_days_between(f.signed_at, f.requested_at)
    if f.reason in DEFECT_REASONS:
        code, remedies = defect_stage(d)
    else:
        code, remedies = _FAULT_REMEDIES[f.reason]
    if not remedies:
        d.record("L14", FAIL, code, days_since_signing=days, warranty_days=d.rules.shop.warranty_days)
        return
    d.grant(remedies, code)
    d.record("L14", PASS, code, days_since_signing=days, remedies=sorted(remedies))


def l18_undelivered(d: Draft) -> None:
    """L18 — until the buyer signs, the goods are the merchant's risk: a refund is always open
    (电子商务法 20). Signed for but not received: refund or reship while the signature is checked."""
    if d.situation == SITUATION_NOT_SHIPPED:
        d.grant({K.REFUND_ONLY}, "law.undelivered.not_shipped")
        d.record("L18", PASS, "law.undelivered.not_shipped")
    elif d.situation == SITUATION_IN_TRANSIT:
        d.grant({K.REFUND_ONLY}, "law.undelivered.in_transit")
        d.record("L18", PASS, "law.undelivered.in_transit")
    elif d.situation == SITUATION_SIGNED_NOT_RECEIVED:
        d.grant({K.REFUND_ONLY, K.RESHIP}, "law.undelivered.signed_not_received")
        d.record("L18", PASS, "law.undelivered.signed_not_received")
    else:
        d.record("L18", NOT_APPLICABLE, "policy.na.delivered")


def settle_law_window(d: Draft) -> None:
    if d.in_law_window:
        settle_no_reason(d, "law.no_reason.within_window")


#: In checklist order. `settle_law_window` opens the return once L1–L5 have all had their say.
LAW_RULES: tuple[Callable[[Draft], None], ...] = (
    l1_no_reason_window, l2_absolute_exemptions, l3_conditional_exemptions, l4_intact,
    l5_not_intact_by_category, settle_law_window, l6_return_address, l7_gifts, l8_refund_after_receipt,
    l9_original_route, l10_card_fee, l11_amount_paid, l12_freight, l13_return_method, l14_merchant_fault,
    l18_undelivered,
)

CODES = frozenset({
    "law.no_reason.within_window", "law.no_reason.window_passed",
    "law.exempt.custom_made", "law.exempt.fresh", "law.exempt.newspaper", "law.exempt.digital_download",
    "law.exempt.media_unsealed", "law.exempt.media_sealed", "law.exempt.none",
    "law.conditional_exempt.not_allowed", "law.conditional_exempt.not_confirmed",
    "law.conditional_exempt.confirmed", "law.conditional_exempt.disclosed_flaw",
    "law.not_intact.accessories_missing", "law.not_intact.seal_broken", "law.not_intact.activated",
    "law.not_intact.used", "law.not_intact.tags_removed", "law.not_intact.washed",
    "law.intact.ok", "law.intact.opened_for_inspection", "law.intact.category_ok",
    "law.return_address.due", "law.gift.returned", "law.gift.deduct_price", "law.refund_due.after_receipt",
    "law.refund.original_route", "law.refund.card_fee_kept", "law.refund.exceeds_paid",
    "law.refund.bundle_repriced", "law.refund.amount_paid",
    "law.freight.merchant_pays", "law.freight.buyer_pays_return", "law.freight.outbound_deducted",
    "law.freight.buyer_paid_outbound", "law.freight.threshold_outbound", "law.freight.outbound_not_refunded",
    "law.return_method.free_choice",
    "law.quality.return_window", "law.quality.exchange_window", "law.quality.repair_window",
    "law.quality.warranty_expired",
    "law.merchant_fault.wrong_item", "law.merchant_fault.not_as_described", "law.merchant_fault.missing_item",
    "law.merchant_fault.damaged_in_transit",
    "law.undelivered.not_shipped", "law.undelivered.in_transit", "law.undelivered.signed_not_received",
    "policy.na.not_delivered", "policy.na.merchant_fault", "policy.na.category", "policy.na.no_return_leg",
    "policy.na.no_gift", "policy.na.no_money_facts", "policy.na.not_merchant_fault", "policy.na.delivered",
    "policy.na.not_received", "policy.na.not_a_refund",
})
