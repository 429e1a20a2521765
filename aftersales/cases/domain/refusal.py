"""When refusing a request is a risk the shop owner must take, not an agent.

A request the policy engine found lawful as a seven-day no-reason return (七天无理由退货) — the buyer's
own reason, within the window, nothing blocking it — is one the platform will side with the buyer on if
the shop refuses it (平台判责). An agent may not refuse it; an owner may, having read the warning.
"""

from __future__ import annotations

NO_REASON_RULES = ("L2", "L3", "L4", "L5")


def lawful_no_reason(decision: dict) -> bool:
    """The case's stored policy decision says the request is a lawful no-reason return."""
    if not decision or not decision.get("eligible"):
        return False
    rules = {r.get("id"): r.get("outcome") for r in decision.get("rules", [])}
    if rules.get("L1") in (None, "not_applicable"):
        return False  # not the buyer's own reason (merchant fault, not delivered): L1 does not apply
    if any(rules.get(rule) == "fail" for rule in NO_REASON_RULES):
        return False
    return "return_refund" in decision.get("remedies", [])
