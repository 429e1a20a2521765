"""Abuse signals that explain themselves (异常信号): per buyer and per case, each with its numbers. Pure.

No score and no verdict. A signal names what was seen, with the figures that raised it, and what to
ask for — evidence (photos, the carrier's proof) or the goods back for inspection. Law first: a signal
never refuses a lawful request by itself; the most it changes is that the shop does not waive the
return of goods it may want to inspect (see `advice.domain.AdviceFacts.waive_blocked`).

The buyer's history is judged by the analytics rules (`analytics.domain.abuse.buyer_signals`, with the
Wilson lower bound of `analytics.domain.rates`); this module adds what only a case shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aftersales.analytics.domain.abuse import BuyerFigures, buyer_signals
from aftersales.intelligence.reasons.agreement import reads_otherwise

ASK_EVIDENCE = "evidence"  # photos, a video of unpacking, the carrier's proof of delivery
ASK_INSPECTION = "inspection"  # take the goods back and inspect them before refunding

#: A claim this soon after signing for goods this valuable is worth a photo (hours, fen).
QUICK_CLAIM_HOURS = 24
HIGH_VALUE_FEN = 50_000
#: This many buyer accounts of the shop sharing one phone number.
SHARED_PHONE_ACCOUNTS = 2

#: What each of the analytics' buyer signals asks for.
_BUYER_ASKS = {
    "high_return_rate": ASK_INSPECTION,
    "many_cases": ASK_INSPECTION,
    "refund_without_return": ASK_INSPECTION,
    "not_received_but_signed": ASK_EVIDENCE,
    "failed_inspections": ASK_INSPECTION,
    "empty_or_wrong_item": ASK_INSPECTION,
}

TRUSTED, WATCHED = "trusted", "watched"


@dataclass(frozen=True)
class CaseClaim:
    """What one case shows: when it was asked after signing, for how much, and why."""

    hours_after_signing: int | None  # None: not signed for
    value_fen: int  # paid for the lines claimed
    reason_picked: str
    reason_suggested: str | None = None  # from the buyer's own words, where a classifier gave one
    suggestion_confidence: float = 1.0  # the classifier's (1.0 once staff corrected it)
    failed_checks: tuple[str, ...] = ()  # inspection of this case: the checklist items that failed
    graded_d: bool = False  # this case's inspection failed as not our item: empty, or a different item


@dataclass(frozen=True)
class Signal:
    code: str
    scope: str  # buyer | case
    asks: str  # evidence | inspection
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Signals:
    items: tuple[Signal, ...]
    standing: str = ""  # "", trusted, watched (set by the owner)

    @property
    def asks_for_goods(self) -> bool:
        """Whether the shop should see the goods before refunding: never waive this return.

        A trusted buyer's signals are still shown, but ask for nothing; a watched buyer always asks.
        """
        if self.standing == TRUSTED:
            return False
        return self.standing == WATCHED or bool(self.items)

    def to_dict(self) -> dict:
        return {
            "standing": self.standing,
            "asks_for_goods": self.asks_for_goods,
            "items": [{"code": s.code, "scope": s.scope, "asks": s.asks, "params": dict(s.params)}
                      for s in self.items],
        }


def signals_of(
    buyer: BuyerFigures | None,
    shop_returned: int,
    shop_sold: int,
    claim: CaseClaim | None,
    *,
    accounts_sharing_phone: int = 1,
    standing: str = "",
) -> Signals:
    """Every signal a buyer (over their history) and a case raise, buyer's first."""
    found: list[Signal] = []
    if buyer is not None:
        for s in buyer_signals(buyer, shop_returned, shop_sold):
            found.append(Signal(s.code, "buyer", _BUYER_ASKS.get(s.code, ASK_INSPECTION), dict(s.params)))
    if accounts_sharing_phone >= SHARED_PHONE_ACCOUNTS:
        found.append(Signal("shared_phone", "buyer", ASK_EVIDENCE, {"accounts": accounts_sharing_phone}))
    if standing == WATCHED:
        found.append(Signal("watched", "buyer", ASK_INSPECTION))
    if claim is not None:
        found += _claim_signals(claim)
    return Signals(tuple(found), standing)


def _claim_signals(claim: CaseClaim) -> list[Signal]:
    found = []
    hours = claim.hours_after_signing
    if hours is not None and 0 <= hours < QUICK_CLAIM_HOURS and claim.value_fen >= HIGH_VALUE_FEN:
        found.append(Signal("quick_claim_high_value", "case", ASK_EVIDENCE, {
            "hours": hours, "value": claim.value_fen, "limit_hours": QUICK_CLAIM_HOURS,
            "high_value": HIGH_VALUE_FEN}))
    if reads_otherwise(claim.reason_picked, claim.reason_suggested, claim.suggestion_confidence):
        found.append(Signal("reason_mismatch", "case", ASK_EVIDENCE, {
            "picked": claim.reason_picked, "suggested": claim.reason_suggested}))
    if claim.graded_d:
        found.append(Signal("case_empty_or_wrong", "case", ASK_EVIDENCE))
    if claim.failed_checks:
        found.append(Signal("case_failed_checks", "case", ASK_EVIDENCE, {"checks": list(claim.failed_checks)}))
    return found


CODES = frozenset({
    "signals.shared_phone", "signals.watched", "signals.quick_claim_high_value", "signals.reason_mismatch",
    "signals.case_empty_or_wrong", "signals.case_failed_checks", "signals.asks.evidence",
    "signals.asks.inspection", "signals.trusted", "signals.none",
})
