"""The policy engine: may this buyer have this remedy, who pays the freight, and why.

    decision = evaluate(Facts.from_dict(body), default_ruleset("taobao"), now)
    decision.eligible, decision.remedies, decision.return_freight_payer, explain(decision, "en")

Pure: no database, no clock of its own. Rules run law → platform → shop (policy_law, policy_layers);
the decision lists every one of them with its outcome and a reason code. The shop may be more
generous than the law, never less (`validate_shop_rules` refuses the rest when a rule is saved).
"""

from __future__ import annotations

from datetime import datetime

from aftersales.cases.domain.policy_decision import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    Decision,
    Draft,
    RuleOutcome,
    situation_of,
)
from aftersales.cases.domain.policy_facts import REMEDY_ORDER, RETURN_LEG_KINDS, Facts, Goods
from aftersales.cases.domain.policy_law import LAW_RULES
from aftersales.cases.domain.policy_layers import PLATFORM_RULES, SHOP_RULES
from aftersales.cases.domain.policy_rules import (
    LAW_VERSION,
    RuleSet,
    ShopRules,
    Violation,
    default_ruleset,
    validate_shop_rules,
)
from aftersales.core.clock import require_aware
from aftersales.core.errors import DomainError
from aftersales.core.messages import normalize_language, translate

__all__ = [
    "FAIL", "NOT_APPLICABLE", "PASS", "REMEDY_ORDER", "Decision", "Facts", "Goods", "RuleOutcome", "RuleSet",
    "ShopRules", "Violation", "default_ruleset", "evaluate", "explain", "validate_shop_rules",
]

KIND_NOT_OFFERED = "policy.kind_not_offered"


def evaluate(facts: Facts, rules: RuleSet, now: datetime) -> Decision:
    """Judge `facts` under the law, then `rules.platform`'s rules, then `rules.shop`.

    `now` is when the judgement is made (kept on the decision); the windows are measured at
    `facts.requested_at`, the moment the buyer asked, so a replay later gives the same answer.
    """
    if not isinstance(facts, Facts):
        raise DomainError("policy.invalid_field", field="facts", value=type(facts).__name__)
    require_aware(now, "now")
    if str(rules.platform) != str(facts.platform):
        raise DomainError("policy.platform_mismatch", facts=str(facts.platform), rules=str(rules.platform))
    draft = Draft(facts=facts, rules=rules, now=now, situation=situation_of(facts))
    for rule in (*LAW_RULES, *PLATFORM_RULES[str(rules.platform)], *SHOP_RULES):
        rule(draft)
    return _decide(draft)


def _decide(d: Draft) -> Decision:
    kind = str(d.facts.case_kind)
    eligible = kind in d.remedies and not d.hard_fails
    payer = d.freight_payer if eligible and kind in RETURN_LEG_KINDS else None
    # Apart from the return leg: a shop's free returns or 运费险 pay that leg, not the outbound one.
    outbound = bool(payer and d.outbound_freight_deducted)
    return Decision(
        eligible=eligible,
        case_kind=kind,
        remedies=d.ordered_remedies(),
        return_freight_payer=payer,
        no_reason_window_ends_at=d.window_ends_at,
        rules=list(d.outcomes),
        reason_codes=_reason_codes(d, kind, eligible, payer, outbound),
        rule_version=d.rules.version,
        law_version=LAW_VERSION,
        outbound_freight_deducted=outbound,
        evaluated_at=d.now,
    )


def _reason_codes(d: Draft, kind: str, eligible: bool, payer: str | None, outbound: bool) -> list[str]:
    """Eligible: the rules that opened this remedy (law first), then the freight — the return leg, and
    the outbound leg when the buyer bears it and the return leg's code does not already say so. Not:
    what failed, then — when the remedy is simply not among those offered — `policy.kind_not_offered`
    followed by the rules that opened the others."""
    if eligible:
        codes = _in_rule_order(d, d.granted_by.get(kind, []))
        if payer and d.freight_code:
            codes.append(d.freight_code)
        if outbound and d.outbound_code and not d.freight_code_covers_outbound:
            codes.append(d.outbound_code)
        return list(dict.fromkeys(codes))
    codes = list(d.hard_fails) + [o.code for o in d.outcomes if o.outcome == FAIL]
    if kind not in d.remedies:
        codes.append(KIND_NOT_OFFERED)
        codes += _in_rule_order(d, [c for remedy in d.ordered_remedies() for c in d.granted_by[remedy]])
    return list(dict.fromkeys(codes))  # unique, first mention first


def _in_rule_order(d: Draft, codes: list[str]) -> list[str]:
    first = {}
    for index, outcome in enumerate(d.outcomes):
        first.setdefault(outcome.code, index)
    return sorted(dict.fromkeys(codes), key=lambda code: first.get(code, len(first)))


def explain(decision: Decision, lang: str = "zh-hans") -> str:
    """One paragraph for a person: the verdict, why, and what else the buyer may choose.

    Ineligible: the verdict, what failed, the alternatives, then what opened those alternatives.
    """
    lang = normalize_language(lang)
    verdict = "policy.explain.eligible" if decision.eligible else "policy.explain.not_eligible"
    parts = [translate(verdict, lang, kind=decision.case_kind)]
    codes = list(decision.reason_codes)
    after: list[str] = []
    if KIND_NOT_OFFERED in codes:
        cut = codes.index(KIND_NOT_OFFERED)
        codes, after = codes[:cut], codes[cut + 1 :]
    parts += [translate(code, lang, **decision.params_for(code)) for code in codes]
    if not decision.eligible:
        others = [r for r in decision.remedies if r != decision.case_kind]
        if others:
            parts.append(translate("policy.explain.alternatives", lang, kinds=others))
        else:
            parts.append(translate("policy.explain.no_alternatives", lang))
        parts += [translate(code, lang, **decision.params_for(code)) for code in after]
    return ("" if lang == "zh-hans" else " ").join(p for p in parts if p)


CODES = frozenset({
    KIND_NOT_OFFERED, "policy.platform_mismatch", "policy.explain.eligible", "policy.explain.not_eligible",
    "policy.explain.alternatives", "policy.explain.no_alternatives",
})
