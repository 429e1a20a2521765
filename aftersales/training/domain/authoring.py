"""Writing a scenario file from one of the shop's own closed cases (本店真实案例), buyer data masked.

Pure: the caller brings plain facts of the case; this module writes the TOML text in the library's
format (so the same loader checks it) with an ideal path drawn from the policy engine's decision —
approve what the law grants, refuse with the law's reason what it does not — and one named wrong path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from aftersales.cases.domain.policy_facts import MERCHANT_FAULT_REASONS
from aftersales.intelligence.reasons.classify import urgency_of
from aftersales.training.domain.scenarios import PHOTO_REASONS

#: The persona a buyer's words call for, by urgency (intelligence.reasons: 0 calm … 3 threatens a complaint).
PERSONA_BY_URGENCY = {0: "calm", 1: "hurry", 2: "angry", 3: "threatening"}
#: The ladder rung (and what it costs) that calms each persona, as in personas.toml `needs_step`.
CALMING_RUNG = {"angry": ("member_discount", 1000), "threatening": ("red_envelope", 1000)}
ESCALATES = {"hurry", "angry", "threatening"}


@dataclass(frozen=True)
class CaseFacts:
    number: str
    platform: str
    product: str
    category: str  # the law category
    unit_price_fen: int
    quantity: int
    paid_fen: int
    freight_fen: int
    order_state: str  # not_shipped | in_transit | signed
    signed_days_before: int
    kind: str
    reason: str
    note: str  # the buyer's words
    buyer_names: tuple[str, ...]  # nick, name: taken out of the words
    eligible: bool
    reason_codes: tuple[str, ...]  # the policy decision's codes


_DIGITS = re.compile(r"\d[\d\- ]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def mask(text: str, names: tuple[str, ...]) -> str:
    """The buyer's words without what identifies them: phone and order numbers, e-mail, their names."""
    masked = _EMAIL.sub("***", _DIGITS.sub("***", text or ""))
    for name in names:
        if name and len(name) >= 2:
            masked = masked.replace(name, "买家")
    return masked.strip() or "（买家未留言）"


def refusal_reason(codes: tuple[str, ...]) -> str:
    """The refusal reason the law's own codes give (exempt goods, not intact, the window passed)."""
    joined = " ".join(codes)
    if ".exempt." in joined:
        return "exempt_category"
    if ".not_intact." in joined:
        return "not_intact"
    if "window_passed" in joined:
        return "beyond_window"
    return "other"


def ideal_steps(f: CaseFacts, persona: str) -> list[dict]:
    at_fault = f.reason in MERCHANT_FAULT_REASONS
    steps: list[dict] = [{"action": "reply", "template": "apology" if at_fault else "solution"}]
    if not f.eligible:
        steps.append({"action": "reject", "reason": refusal_reason(f.reason_codes)})
        if persona in ESCALATES:
            steps.append({"action": "note"})  # the evidence the platform will ask for
        return steps
    if f.reason in PHOTO_REASONS:
        steps.append({"action": "request_evidence"})
    if persona in CALMING_RUNG:
        rung, cost = CALMING_RUNG[persona]
        steps.append({"action": "compensate", "rung": rung, "amount_fen": cost})
    steps.append({"action": "approve"})
    if f.kind in ("return_refund", "exchange", "repair"):
        steps += [{"action": "receive_return", "at": 2000}, {"action": "pass_inspection"}]
    if f.kind in ("exchange", "repair", "reship"):
        steps.append({"action": "ship_replacement"})
    else:
        steps += [{"action": "grant_refund"}, {"action": "execute_refund"}]
    return steps


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_]+", key) else json.dumps(key)


def _table(name: str, values: dict) -> list[str]:
    return [f"[{name}]", *(f"{_key(k)} = {_value(v)}" for k, v in values.items())]


def scenario_source(f: CaseFacts, *, key: str, position: int) -> str:
    """The TOML text of a scenario made from the case `f`."""
    words = mask(f.note, f.buyer_names)
    persona = PERSONA_BY_URGENCY[min(urgency_of(words), 3)]
    ideal = ideal_steps(f, persona)
    if f.eligible:
        wrong = {"name": "refuses what the law grants", "fails": "lawful",
                 "steps": [ideal[0], {"action": "reject", "reason": "other"}]}
    else:
        wrong = {"name": "never answers", "fails": "time", "steps": [{"action": "note", "at": 100000}]}
    lines = [
        f"# Made from the shop's case {f.number}; the buyer's data is masked.",
        f"key = {_value(key)}", 'course = "shop_cases"', f"position = {position}", f"persona = {_value(persona)}",
        f"title = {_value({'zh-hans': f'本店案例 {f.number}', 'en': f'Shop case {f.number}'})}",
        "brief = " + _value({
            "zh-hans": "本店一张已结束的真实售后单（买家信息已隐藏）。按法律和店铺规则处理。",
            "en": "A real, finished case of this shop (the buyer's data masked). Handle it by the law and "
                  "the shop's rules."}),
        "",
        *_table("order", {
            "platform": f.platform, "product": {"zh-hans": f.product, "en": f.product}, "category": f.category,
            "unit_price_fen": f.unit_price_fen, "quantity": f.quantity, "paid_fen": f.paid_fen,
            "freight_fen": f.freight_fen, "state": f.order_state, "signed_days_before": f.signed_days_before}),
        "",
        *_table("request", {"kind": f.kind, "reason": f.reason,
                            "note": {"zh-hans": words, "en": f"(in the buyer's words) {words}"}}),
        "",
        *_table("expect", {"compensation": persona in CALMING_RUNG}),
        "",
    ]
    for step in ideal:
        lines += ["[[ideal]]", *(f"{_key(k)} = {_value(v)}" for k, v in step.items())]
    lines += ["", "[[wrong]]", *(f"{_key(k)} = {_value(v)}" for k, v in wrong.items()), ""]
    return "\n".join(lines)
