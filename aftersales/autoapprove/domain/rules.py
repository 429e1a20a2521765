"""The owner's auto-approve rules (自动同意规则), pure: which rule agrees to a request, if any.

A rule names the kind of request it agrees to, the state of the goods, the most money it lets go and
whom it trusts. It only ever agrees: a request no rule fits is left for a person, never refused. And it
only agrees to what the policy engine allowed for the case (the law, the platform, the shop's own rules:
the case's stored decision must be eligible and offer the remedy asked for), never to a buyer the owner
watches, and never on a case a platform decides (a platform's case is agreed on the platform).

Two kinds of rule read a request awaiting review: 仅退款 (agree and refund at once) and 退货退款 (agree to
the return). The third, 极速退款 (fast refund, as on 淘宝/抖店), reads a return already agreed to: once the
buyer has sent the goods back with a tracking number, it refunds what the refund rule allows before the
parcel arrives; the case still waits for the parcel, which the warehouse receives and inspects as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aftersales.core.errors import DomainError

#: 极速退款: refund a return agreed to, sent back with a tracking number, before it arrives.
FAST_REFUND = "fast_refund"
#: What a rule agrees to: 仅退款 (agree and refund at once), 退货退款 (agree to the return) or 极速退款.
REMEDIES = ("refund_only", "return_refund", FAST_REFUND)
#: The kind of case each rule reads, and the status the case waits in for it.
CASE_KIND = {"refund_only": "refund_only", "return_refund": "return_refund", FAST_REFUND: "return_refund"}
AWAITED_STATUS = {"refund_only": "requested", "return_refund": "requested", FAST_REFUND: "return_in_transit"}
#: The state of the goods a rule is for ("" = any).
GOODS = ("", "not_shipped", "in_transit", "received")
#: Whom a rule agrees for: anyone the owner does not watch, or only buyers the owner trusts.
TRUST = ("anyone", "trusted")
#: A rule's trust unless the owner says otherwise: money sent before the goods are back goes to trusted
#: buyers only.
DEFAULT_TRUST = {"refund_only": "anyone", "return_refund": "anyone", FAST_REFUND: "trusted"}
NAME_LIMIT = 60
#: A rule's cap: at most ¥10,000 (an auto-approval is for small, routine money).
MAX_CAP_FEN = 1_000_000


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    remedy: str
    goods_status: str
    max_fen: int
    trust: str


@dataclass(frozen=True)
class Request:
    """What a rule reads of a case: one awaiting review, or (for a fast refund) a return on its way back."""

    kind: str
    status: str
    goods_status: str
    amount_fen: int  # what agreeing would refund, by the refund rule
    standing: str  # the owner's word on the buyer: "", "trusted", "watched"
    decision: dict  # the policy engine's stored decision for the case
    platform_decides: bool = False  # a platform's case (imported or synced): agreed on the platform
    evidence_asked: bool = False  # staff asked the buyer for photos: a person reads the answer
    return_tracked: bool = False  # the buyer (or staff for them) entered the return's tracking number
    granted_fen: int = 0  # refund already granted on the case


def policy_allows(decision: dict, remedy: str) -> bool:
    """The policy engine found the request eligible and offers `remedy` for it."""
    return bool(decision and decision.get("eligible") and remedy in (decision.get("remedies") or []))


def misfit(rule: Rule, request: Request) -> str | None:
    """Why `rule` does not agree to `request` (a short code), or None when it does."""
    fast = rule.remedy == FAST_REFUND
    if request.status != AWAITED_STATUS[rule.remedy]:
        return "not_awaiting_receipt" if fast else "not_awaiting_review"
    if request.platform_decides:
        return "platform_decides"
    if request.evidence_asked:
        return "evidence_asked"
    if request.kind != CASE_KIND[rule.remedy]:
        return "other_kind"
    if fast and not request.return_tracked:
        return "no_return_tracking"
    if fast and request.granted_fen > 0:
        return "already_refunded"
    if rule.goods_status and request.goods_status != rule.goods_status:
        return "other_goods_status"
    if request.standing == "watched":
        return "buyer_watched"
    if rule.trust == "trusted" and request.standing != "trusted":
        return "buyer_not_trusted"
    if request.amount_fen <= 0 or request.amount_fen > rule.max_fen:
        return "over_cap"
    if not policy_allows(request.decision, CASE_KIND[rule.remedy]):
        return "policy_does_not_allow"
    return None


def pick(rules: Sequence[Rule], request: Request) -> Rule | None:
    """The first of `rules` (in the owner's order) that agrees to `request`, or None."""
    return next((rule for rule in rules if misfit(rule, request) is None), None)


def check_rule(*, name: str, remedy: str, goods_status: str, max_fen: int, trust: str) -> None:
    """Refuse a rule the owner cannot save, with a coded error."""
    if not name.strip():
        raise DomainError("input.required", field="name")
    if len(name) > NAME_LIMIT:
        raise DomainError("input.too_long", field="name", limit=NAME_LIMIT)
    if remedy not in REMEDIES:
        raise DomainError("input.invalid_choice", field="remedy", value=remedy)
    if goods_status not in GOODS:
        raise DomainError("input.invalid_choice", field="goods_status", value=goods_status)
    if trust not in TRUST:
        raise DomainError("input.invalid_choice", field="trust", value=trust)
    if isinstance(max_fen, bool) or not isinstance(max_fen, int) or max_fen <= 0:
        raise DomainError("autoapprove.cap_required")
    if max_fen > MAX_CAP_FEN:
        raise DomainError("autoapprove.cap_too_high", cap=max_fen, limit=MAX_CAP_FEN)
    # Goods not yet shipped cannot be returned: such a rule would never agree to anything.
    if CASE_KIND[remedy] == "return_refund" and goods_status == "not_shipped":
        raise DomainError("autoapprove.return_before_shipment")
