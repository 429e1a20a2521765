"""Scoring a trainee's path: five criteria, each 0–100 with the reason as a code and its parameters.

- lawful: the policy engine's decision. A request the law grants, refused without grounds, is 0
  whatever else happened.
- cost: what the path cost the shop (refunds, compensation, goods sent out, less goods that came back
  resaleable) against the ideal path's cost, whose refund is what the refund rule allows
  (`refunds.domain.refundable`).
- time: the first answer against the buyer's patience; the request against the platform's stage
  deadline (a request left too long is approved by the platform: 0).
- care: an apology first when the shop is at fault; the replies a good agent sends; the
  compensation ladder climbed in order from the rung the buyer's mood calls for; the follow-up flag.
- evidence: photos asked for before deciding when they decide the case; goods inspected before the
  money goes back; evidence given to the platform in an arbitration.

Pure. The edge renders each code with `training.domain.texts.render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aftersales.care.domain.ladder import start_step, step_of
from aftersales.refunds.domain.refundable import OrderLineMoney, gift_deduction, line_refundable
from aftersales.training.domain.scenarios import CRITERIA, Scenario, Step
from aftersales.training.domain.simulation import (
    DECISIONS,
    EVIDENCE_GROUNDS,
    REFUSALS,
    SimCase,
    grounds_for_refusal,
    simulate,
    stage_deadline_minutes,
    trainee_steps,
)

PASS_LEVEL = 80
#: What the trainee does that the buyer does not see: it is no answer to them.
SILENT = frozenset({"note", "follow_up", "evidence"})  # the default: a criterion passes at 80, the owner may set another level


@dataclass(frozen=True)
class Criterion:
    name: str
    score: int  # 0–100
    code: str  # the sentence, e.g. "training.lawful.ok"
    params: dict = field(default_factory=dict)
    reasons: tuple[tuple[str, dict], ...] = ()  # every deduction, as (code, params)


@dataclass(frozen=True)
class Scorecard:
    criteria: tuple[Criterion, ...]
    cost_fen: int
    ideal_cost_fen: int

    def __getitem__(self, name: str) -> Criterion:
        return next(c for c in self.criteria if c.name == name)

    def as_dict(self) -> dict[str, int]:
        return {c.name: c.score for c in self.criteria}

    def passed(self, level: int = PASS_LEVEL) -> bool:
        """A scenario passes when every criterion reaches `level` (lawful never below it)."""
        return all(c.score >= level for c in self.criteria)


# ---------------------------------------------------------------------------------------------
# Money


def refund_rule_fen(scenario: Scenario) -> int:
    """What the refund rule lets this case refund: what was paid for the goods (plus the freight when
    nothing was shipped), less the pre-stated price of a gift the buyer keeps."""
    line = OrderLineMoney("main", scenario.unit_price_fen, scenario.quantity, scenario.paid_fen)
    amount = line_refundable(line, scenario.quantity)
    if scenario.order_state == "not_shipped":
        amount += scenario.freight_fen
    if scenario.gift is not None and scenario.keeps_gift:
        gift = OrderLineMoney("gift", scenario.gift_price_fen, 1, 0, is_gift=True)
        amount -= gift_deduction([gift], {"gift": 1})
    return max(amount, 0)


def path_cost(scenario: Scenario, history: list[Step]) -> int:
    """Money out (refunds, compensation, goods sent to the buyer) less resaleable goods that came back.

    Every path is counted on one basis, net of the goods that come back: a return the platform forces
    after ruling for the buyer (退货退款) brings the goods back as surely as an inspection passed, so
    its refund is netted against them just as the ideal path's is.
    """
    unit_value = scenario.paid_fen // scenario.quantity
    cost, goods_back = 0, False
    for step in history:
        if step.action == "grant_refund" and step.actor == "trainee":
            cost += step.amount_fen if step.amount_fen is not None else refund_rule_fen(scenario)
        elif step.action == "compensate":
            cost += step.amount_fen or 0
        elif step.action == "ship_replacement":
            cost += unit_value * scenario.quantity
        elif step.action == "pass_inspection":
            goods_back = True
    # A ruling for the buyer refunds what the rule allows even if nobody on the shop's side grants it.
    ruled = any(s.action == "rule_for_buyer" for s in history)
    granted = any(s.action == "grant_refund" for s in history)
    if ruled and not granted and scenario.kind not in ("exchange", "reship", "repair"):
        cost += refund_rule_fen(scenario)
    if ruled and scenario.kind == "return_refund":
        goods_back = True
    if goods_back and scenario.returned == "as_sold":
        cost -= unit_value * scenario.quantity
    return cost


# ---------------------------------------------------------------------------------------------
# The criteria


def _lawful(s: Scenario, case: SimCase) -> Criterion:
    history = case.history
    for index, step in enumerate(history):
        if step.actor == "trainee" and step.action in REFUSALS:
            before = history[:index]
            grounded = grounds_for_refusal(s, before, case.lawful_request)
            if step.action == "close" and case.lawful_request:
                grounded = False  # closing a lawful request is a refusal that gives no reason at all
            if step.action == "reject" and case.lawful_request and step.reason not in EVIDENCE_GROUNDS:
                grounded = False
            if not grounded:
                return Criterion("lawful", 0, "training.lawful.refused_lawful",
                                 {"kind": s.kind, "action": step.action})
    if any(x.action == "rule_for_buyer" for x in history):
        return Criterion("lawful", 0, "training.lawful.lost_arbitration")
    return Criterion("lawful", 100, "training.lawful.ok" if case.lawful_request else "training.lawful.ok_exempt")


def remedy_of(s: Scenario, history: list[Step]) -> str | None:
    """The remedy the trainee's path carried out, in the advice engine's words; None: refused or none."""
    acted = {x.action for x in trainee_steps(history)}
    if "ship_replacement" in acted:
        return s.kind
    grants = [x for x in trainee_steps(history) if x.action == "grant_refund"]
    if grants or "approve" in acted:
        if s.kind in ("exchange", "reship", "repair", "partial_refund"):
            return s.kind
        return "return_refund" if "pass_inspection" in acted or s.kind == "return_refund" else "refund_only"
    return None


def _cost(s: Scenario, case: SimCase, ideal_cost: int, advice: dict[str, int] | None) -> tuple[Criterion, int]:
    cost = path_cost(s, case.history)
    scale = max(s.paid_fen, 1)
    reasons, score = [], 100
    excess = cost - ideal_cost
    if excess > 0:
        score = max(0, 100 - round(300 * excess / scale))  # 7% of the order thrown away fails
        reasons.append(("training.cost.over", {"cost": cost, "ideal": ideal_cost, "excess": excess}))
    # The advice engine's cheapest lawful remedy among those that give the buyer what was asked.
    remedy = remedy_of(s, case.history)
    if advice and remedy in advice:
        best = min(advice, key=lambda r: (advice[r], r))
        dearer = advice[remedy] - advice[best]
        if dearer > 0:
            score = min(score, max(0, 100 - round(300 * dearer / scale)))
            reasons.append(("training.cost.dearer_remedy", {"kind": remedy, "best": best, "excess": dearer}))
    if not reasons:
        return Criterion("cost", 100, "training.cost.ok", {"cost": cost}), cost
    return Criterion("cost", score, reasons[0][0], reasons[0][1], tuple(reasons)), cost


def _time(s: Scenario, case: SimCase) -> Criterion:
    history = case.history
    if any(x.action == "auto_approve" for x in history):
        return Criterion("time", 0, "training.time.auto_approved", {"hours": stage_deadline_minutes(s) // 60})
    answers = [x for x in trainee_steps(history) if x.action not in SILENT]
    first = answers[0].at if answers else None
    patience = s.persona.patience_minutes
    if first is None:
        return Criterion("time", 0, "training.time.no_answer")
    if first > patience:
        late = first - patience
        score = max(0, 70 - late // 30 * 10)
        return Criterion("time", score, "training.time.kept_waiting", {"minutes": first, "patience": patience})
    return Criterion("time", 100, "training.time.ok", {"minutes": first, "patience": patience})


def _care(s: Scenario, case: SimCase) -> Criterion:
    acted = trainee_steps(case.history)
    score, reasons = 100, []
    replies = [x for x in acted if x.action == "reply"]
    if s.apology_first:
        first_said = next((x for x in acted if x.action in DECISIONS or x.action in ("reply", "request_evidence")),
                          None)
        if first_said is None or first_said.action != "reply" or first_said.template != "apology":
            score -= 50
            reasons.append(("training.care.no_apology_first", {}))
    sent = {x.template for x in replies}
    missing = [t for t in s.templates if t not in sent]
    if missing:
        score -= 30 * len(missing)
        reasons.append(("training.care.template_missing", {"templates": missing}))
    given = [x for x in acted if x.action == "compensate"]
    if s.compensation and not given:
        score -= 50
        reasons.append(("training.care.no_compensation", {}))
    if given:
        steps = [step_of(x.rung) for x in given]
        if steps[0] > max(start_step(s.urgency), s.persona.needs_step if s.compensation else 0):
            score -= 40
            reasons.append(("training.care.ladder_skipped", {"rung": given[0].rung}))
        if s.compensation and max(steps) < s.persona.needs_step:
            score -= 40
            reasons.append(("training.care.not_calmed", {"rung": given[-1].rung}))
        if any(b < a for a, b in zip(steps, steps[1:], strict=False)):
            score -= 20
            reasons.append(("training.care.ladder_down", {}))
    if s.follow_up and not any(x.action == "follow_up" for x in acted):
        score -= 50
        reasons.append(("training.care.no_follow_up", {}))
    score = max(score, 0)
    if not reasons:
        return Criterion("care", 100, "training.care.ok")
    return Criterion("care", score, reasons[0][0], reasons[0][1], tuple(reasons))


def _evidence(s: Scenario, case: SimCase) -> Criterion:
    acted = trainee_steps(case.history)
    score, reasons = 100, []
    if s.needs_photos:
        asked_at = next((i for i, x in enumerate(acted) if x.action == "request_evidence"), None)
        decided_at = next((i for i, x in enumerate(acted) if x.action in DECISIONS - {"compensate"}), None)
        if decided_at is not None and (asked_at is None or asked_at > decided_at):
            score -= 70
            reasons.append(("training.evidence.no_photos", {}))
    if s.returned == "used" and any(x.action == "pass_inspection" for x in acted):
        score -= 80
        reasons.append(("training.evidence.inspection_passed_used", {}))
    arbitration = next((i for i, x in enumerate(case.history) if x.action == "escalate"), None)
    if arbitration is not None:
        after = case.history[arbitration:]
        if not any(x.actor == "trainee" and x.action in ("evidence", "note") for x in after):
            score -= 100
            reasons.append(("training.evidence.none_for_platform", {}))
    score = max(score, 0)
    if not reasons:
        # Praise only what was done: a refund before shipment needed neither photos nor an inspection.
        inspected = any(x.action in ("pass_inspection", "fail_inspection") for x in acted)
        asked = s.needs_photos
        code = {(True, True): "ok", (True, False): "ok_photos", (False, True): "ok_inspected",
                (False, False): "ok_nothing_to_prove"}[(asked, inspected)]
        return Criterion("evidence", 100, f"training.evidence.{code}")
    return Criterion("evidence", score, reasons[0][0], reasons[0][1], tuple(reasons))


def score_case(case: SimCase, ideal_cost_fen: int | None = None, advice: dict[str, int] | None = None
               ) -> Scorecard:
    """Score what happened on a (simulated or real) training case.

    `advice`: the advice engine's expected cost of each remedy that gives the buyer what was asked
    (remedy → fen), when it was consulted on the case; the path's remedy may cost no more than the
    cheapest of them.
    """
    s = case.scenario
    if ideal_cost_fen is None:
        ideal_cost_fen = ideal_cost(s, case.lawful_request)
    cost, spent = _cost(s, case, ideal_cost_fen, advice)
    criteria = (_lawful(s, case), cost, _time(s, case), _care(s, case), _evidence(s, case))
    assert tuple(c.name for c in criteria) == CRITERIA
    return Scorecard(criteria, spent, ideal_cost_fen)


def ideal_cost(scenario: Scenario, lawful_request: bool | None = None) -> int:
    """The cost of the scenario's ideal path: the cheapest lawful remedy the library knows for it."""
    return path_cost(scenario, simulate(scenario, scenario.ideal, lawful_request).history)


def score_path(scenario: Scenario, steps, lawful_request: bool | None = None,
               advice: dict[str, int] | None = None) -> Scorecard:
    return score_case(simulate(scenario, steps, lawful_request), advice=advice)
