"""What the policy engine answers (`Decision`), and the working sheet its rules fill in (`Draft`).

A decision lists every rule it looked at — law first, then the platform, then the shop — with an
outcome and a reason code. Codes, never sentences: `core.messages` renders them in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aftersales.cases.domain.policy_facts import (
    BUYER_SIDE_REASONS,
    MERCHANT_FAULT_REASONS,
    REMEDY_ORDER,
    Facts,
)
from aftersales.cases.domain.policy_rules import RuleSet
from aftersales.core.choices import Reason

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "not_applicable"


def _plain(value: object) -> object:
    """JSON-safe copy of a parameter: datetimes become ISO 8601, tuples and sets lists."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class RuleOutcome:
    id: str  # "L1".."L18", "P.taobao.exchange_freight", "S.no_reason_days"
    outcome: str  # "pass" | "fail" | "not_applicable"
    code: str
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"id": self.id, "outcome": self.outcome, "code": self.code, "params": _plain(self.params)}


@dataclass(frozen=True)
class Decision:
    eligible: bool  # the remedy the buyer asked for (`case_kind`) is allowed
    case_kind: str
    remedies: list[str]  # every remedy allowed, canonical order
    return_freight_payer: str | None  # "buyer" | "merchant" | "insurer" (运费险); None: nothing travels back
    no_reason_window_ends_at: datetime | None  # the effective (shop-extended) 七日无理由 end
    rules: list[RuleOutcome]
    reason_codes: list[str]  # the codes that explain the answer, most important first
    rule_version: str  # RuleSet.version
    law_version: str
    #: The buyer also bears the outbound freight (L12, TB §53/54), whoever pays the return leg.
    outbound_freight_deducted: bool = False
    evaluated_at: datetime | None = None

    def rule(self, rule_id: str) -> RuleOutcome | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def params_for(self, code: str) -> dict:
        """The parameters of the first rule that produced `code` (for rendering reason codes)."""
        for outcome in self.rules:
            if outcome.code == code:
                return outcome.params
        if code == "policy.kind_not_offered":
            return {"kind": self.case_kind, "remedies": list(self.remedies)}
        return {}

    def to_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "case_kind": self.case_kind,
            "remedies": list(self.remedies),
            "return_freight_payer": self.return_freight_payer,
            "no_reason_window_ends_at": _plain(self.no_reason_window_ends_at),
            "outbound_freight_deducted": self.outbound_freight_deducted,
            "rules": [r.to_dict() for r in self.rules],
            "reason_codes": list(self.reason_codes),
            "rule_version": self.rule_version,
            "law_version": self.law_version,
            "evaluated_at": _plain(self.evaluated_at),
        }


SITUATION_NOT_SHIPPED = "not_shipped"
SITUATION_IN_TRANSIT = "in_transit"
SITUATION_SIGNED_NOT_RECEIVED = "signed_not_received"
SITUATION_MERCHANT_FAULT = "merchant_fault"
SITUATION_BUYER_SIDE = "buyer_side"


def situation_of(facts: Facts) -> str:
    """Which branch of the law governs: where the goods are, and whose fault the request is."""
    if not facts.shipped:
        return SITUATION_NOT_SHIPPED
    if not facts.delivered:
        return SITUATION_IN_TRANSIT
    if facts.reason == Reason.NOT_RECEIVED:
        return SITUATION_SIGNED_NOT_RECEIVED
    if facts.reason in MERCHANT_FAULT_REASONS:
        return SITUATION_MERCHANT_FAULT
    assert facts.reason in BUYER_SIDE_REASONS, facts.reason
    return SITUATION_BUYER_SIDE


@dataclass
class Draft:
    """The working sheet: each rule records its outcome and may grant remedies or set the freight."""

    facts: Facts
    rules: RuleSet
    now: datetime
    situation: str
    remedies: set[str] = field(default_factory=set)
    granted_by: dict[str, list[str]] = field(default_factory=dict)  # remedy -> codes that granted it
    no_reason_blockers: list[str] = field(default_factory=list)  # exemptions, not intact (L2–L5)
    hard_fails: list[str] = field(default_factory=list)  # refuse the request whatever the remedy (L11)
    in_law_window: bool = False
    window_ends_at: datetime | None = None
    freight_payer: str | None = None
    freight_code: str | None = None
    #: `freight_code` already says the buyer bears the outbound freight too (one sentence for both legs).
    freight_code_covers_outbound: bool = False
    outbound_freight_deducted: bool = False  # the buyer bears the outbound freight (L12, TB §53/54)
    outbound_code: str | None = None  # why, said of the outbound leg alone
    outcomes: list[RuleOutcome] = field(default_factory=list)

    @property
    def buyer_side(self) -> bool:
        return self.situation == SITUATION_BUYER_SIDE

    @property
    def merchant_fault(self) -> bool:
        return self.situation == SITUATION_MERCHANT_FAULT

    def record(self, rule_id: str, outcome: str, code: str, **params: object) -> RuleOutcome:
        result = RuleOutcome(rule_id, outcome, code, params)
        self.outcomes.append(result)
        return result

    def grant(self, remedies: set[str] | frozenset[str] | tuple[str, ...], code: str) -> None:
        for remedy in remedies:
            self.remedies.add(str(remedy))
            codes = self.granted_by.setdefault(str(remedy), [])
            if code not in codes:
                codes.append(code)

    def set_freight(self, payer: str, code: str, *, covers_outbound: bool = False) -> None:
        """Who pays the return leg. A later rule (free returns, 运费险) may move it; what the buyer bears
        of the outbound leg (`bear_outbound`) stays, because the law settles it apart (办法 18 ¶2)."""
        self.freight_payer, self.freight_code = payer, code
        self.freight_code_covers_outbound = covers_outbound

    def bear_outbound(self, code: str) -> None:
        """The buyer bears the outbound freight: it is not refunded, or the waived freight is deducted."""
        self.outbound_freight_deducted, self.outbound_code = True, code

    def ordered_remedies(self) -> list[str]:
        return [str(k) for k in REMEDY_ORDER if str(k) in self.remedies]
