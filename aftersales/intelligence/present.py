"""The advice and the signals of a case as a person reads them: sentences in the reader's language.

The one edge where `advice.domain` and `signals.domain` codes become text; the case page, the inbox
and `GET /api/v1/cases/{id}` all call these.
"""

from __future__ import annotations

from django.utils import translation

from aftersales.analytics.domain.abuse import Signal as AnalyticsSignal
from aftersales.analytics.labels import signal_text
from aftersales.core.messages import normalize_language, translate
from aftersales.intelligence.advice.domain import OPTION_ORDER
from aftersales.intelligence.advice.selectors import CaseAdvice, advice_for_case, advice_for_cases
from aftersales.intelligence.signals.domain import Signals
from aftersales.intelligence.signals.selectors import signals_for_case, signals_for_cases
from aftersales.web.labels import label


def advice_payload(found: CaseAdvice | None, lang: str = "zh-hans") -> dict | None:
    """The advice of one case, every figure with its label and every reason as a sentence."""
    if found is None:
        return None
    lang = normalize_language(lang)
    advice = found.advice
    best = advice.best
    return {
        "recommended": best.remedy if best else None,
        "asked": found.facts.asked,
        "actionable": found.actionable,
        "summary": " ".join(translate(r.code, lang, **r.params) for r in advice.reasons),
        "reasons": [{"code": r.code, "params": dict(r.params), "text": translate(r.code, lang, **r.params)}
                    for r in advice.reasons],
        "options": [
            {
                "remedy": o.remedy, "label": translate(f"advice.option.{o.remedy}", lang), "kind": o.kind,
                "basis": o.basis, "refund_fen": o.refund_fen, "cost_fen": o.cost_fen,
                "needs_agreement": o.needs_agreement, "recommended": o is best,
                "lines": [{"code": line.code, "label": translate(f"advice.cost.{line.code}", lang),
                           "fen": line.fen} for line in o.lines],
            }
            for o in advice.options
        ],
        "basis": dict(found.basis),
    }


def signal_sentence(code: str, params: dict, lang: str) -> str:
    """One signal as a sentence: the analytics' buyer signals in their own words, the others here."""
    if f"signals.{code}" in _OWN:
        if code == "case_failed_checks":  # checklist codes (tags_intact…) read as the warehouse's labels
            with translation.override(lang):
                params = {**params, "checks": [str(label("check", c)) for c in params.get("checks", ())]}
        return translate(f"signals.{code}", lang, **params)
    with translation.override(lang):
        return str(signal_text(AnalyticsSignal(code, params)))


def signals_payload(found: Signals, lang: str = "zh-hans") -> dict:
    lang = normalize_language(lang)
    items = []
    for s in found.items:
        what = signal_sentence(s.code, s.params, lang)
        ask = translate("signals.trusted" if found.standing == "trusted" else f"signals.asks.{s.asks}", lang)
        items.append({"code": s.code, "scope": s.scope, "asks": s.asks, "params": dict(s.params),
                      "text": what, "ask": ask})
    return {"standing": found.standing, "asks_for_goods": found.asks_for_goods, "items": items,
            "summary": translate("signals.none", lang) if not items else ""}


_OWN = frozenset({
    "signals.shared_phone", "signals.watched", "signals.quick_claim_high_value", "signals.reason_mismatch",
    "signals.case_empty_or_wrong", "signals.case_failed_checks",
})


def advice_and_signals(case) -> tuple[CaseAdvice | None, Signals]:
    """Both for one case: the signals first, since they decide whether a return may be waived."""
    found = signals_for_case(case)
    return advice_for_case(case, waive_blocked=found.asks_for_goods), found


def case_intelligence(case, lang: str = "zh-hans") -> dict:
    """What `GET /api/v1/cases/{id}` and the case page show: {"advice": …, "signals": …}."""
    advice, found = advice_and_signals(case)
    return {"advice": advice_payload(advice, lang), "signals": signals_payload(found, lang)}


def advice_summaries(shop, cases, lang: str | None = None) -> dict[int, dict]:
    """The inbox's column: per open case its recommended option, cost and how many signals it raises."""
    cases = list(cases)
    if not cases:
        return {}
    lang = normalize_language(lang or translation.get_language())
    found = signals_for_cases(shop, cases)
    blocked = {pk for pk, s in found.items() if s.asks_for_goods}
    out = {}
    for pk, item in advice_for_cases(shop, cases, blocked=blocked).items():
        best = item.advice.best
        if best is None:
            continue
        trusted = found[pk].standing == "trusted"
        out[pk] = {"remedy": best.remedy, "label": translate(f"advice.option.{best.remedy}", lang),
                   "cost_fen": best.cost_fen, "needs_agreement": best.needs_agreement,
                   "signals": 0 if trusted else len(found[pk].items)}
    return out


def advice_choices(lang: str | None = None) -> list[tuple[str, str]]:
    """The remedies the inbox's bulk "apply the advice" can be asked to apply."""
    lang = normalize_language(lang)
    return [(remedy, translate(f"advice.option.{remedy}", lang)) for remedy in OPTION_ORDER]
