"""The simulated buyer and platform: scripted, deterministic reactions to what the trainee does.

`react` answers one trainee step with what the buyer (and, in an arbitration, the platform) does next;
`tick` is what the clock brings when nobody acts (the platform auto-approves an unanswered request,
the buyer loses patience). The console applies these steps to the training case through the same
services a real buyer, platform or timer would use; `simulate` plays a whole path here, without a
database, so the library can be checked in unit tests. Statuses follow `cases.domain.states`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aftersales.care.domain.ladder import step_of
from aftersales.cases.domain.deadlines import next_deadline
from aftersales.cases.domain.states import Action, Actor, Kind, Status, allowed_actions, next_status
from aftersales.training.domain.scenarios import Scenario, Step

#: Simulated minutes that pass for each real second a trainee spends on a training case.
SIM_MINUTES_PER_SECOND = 1

#: Step → the state-machine move it makes (no entry: the status stays).
MOVES: dict[tuple[str, str], tuple[Action, Actor]] = {
    ("trainee", "approve"): (Action.APPROVE, Actor.MERCHANT),
    ("trainee", "reject"): (Action.REJECT, Actor.MERCHANT),
    ("trainee", "request_evidence"): (Action.REQUEST_EVIDENCE, Actor.MERCHANT),
    ("trainee", "receive_return"): (Action.RECEIVE_RETURN, Actor.WAREHOUSE),
    ("trainee", "pass_inspection"): (Action.PASS_INSPECTION, Actor.WAREHOUSE),
    ("trainee", "fail_inspection"): (Action.FAIL_INSPECTION, Actor.WAREHOUSE),
    ("trainee", "execute_refund"): (Action.REFUND_SUCCEEDED, Actor.MERCHANT),
    ("trainee", "ship_replacement"): (Action.SHIP_REPLACEMENT, Actor.MERCHANT),
    ("trainee", "escalate"): (Action.ESCALATE, Actor.MERCHANT),
    ("trainee", "close"): (Action.CLOSE, Actor.MERCHANT),
    ("buyer", "ship_return"): (Action.SHIP_RETURN, Actor.BUYER),
    ("buyer", "escalate"): (Action.ESCALATE, Actor.BUYER),
    ("buyer", "confirm_receipt"): (Action.CONFIRM_RECEIPT, Actor.BUYER),
    ("buyer", "withdraw"): (Action.WITHDRAW, Actor.BUYER),
    ("platform", "rule_for_buyer"): (Action.RULE_FOR_BUYER, Actor.PLATFORM),
    ("platform", "rule_for_merchant"): (Action.RULE_FOR_MERCHANT, Actor.PLATFORM),
    ("platform", "auto_approve"): (Action.APPROVE, Actor.SYSTEM),
}
REFUSALS = frozenset({"reject", "close", "fail_inspection"})
DECISIONS = frozenset({"approve", "reject", "close", "grant_refund", "execute_refund", "ship_replacement",
                       "compensate", "fail_inspection", "pass_inspection"})
#: Reasons a refusal may give once the buyer's own evidence or the returned goods fail.
EVIDENCE_GROUNDS = frozenset({"evidence_insufficient", "inspection_failed", "buyer_fault", "not_intact"})


def say(line: str, at: int, actor: str = "buyer") -> Step:
    return Step(action="say", at=at, actor=actor, line=line)


def stage_deadline_minutes(scenario: Scenario) -> int:
    """Minutes the platform gives the merchant to answer the request before it approves by itself."""
    due = next_deadline(scenario.platform, Status.REQUESTED, Kind(scenario.kind), scenario.requested_at,
                        shipped=scenario.shipped)
    return int((due.due_at - scenario.requested_at) / timedelta(minutes=1))


def trainee_steps(history: list[Step]) -> list[Step]:
    return [s for s in history if s.actor == "trainee"]


def grounds_for_refusal(scenario: Scenario, history: list[Step], lawful_request: bool) -> bool:
    """May the merchant refuse now? Only when the law does not grant the request, or the buyer's own
    evidence failed (asked for photos, none or unconvincing came), or the returned goods failed."""
    if not lawful_request:
        return True
    asked = any(s.action == "request_evidence" for s in trainee_steps(history))
    if asked and scenario.photos in ("none", "unconvincing"):
        return True
    inspected = any(s.action == "receive_return" for s in trainee_steps(history))
    return inspected and scenario.returned == "used"


@dataclass
class SimCase:
    """The training case as the simulator sees it: its kind, its status, and everything that happened."""

    scenario: Scenario
    lawful_request: bool
    status: str = Status.REQUESTED.value
    history: list[Step] | None = None

    def __post_init__(self) -> None:
        self.history = list(self.history or [])

    def can(self, step: Step) -> bool:
        move = MOVES.get((step.actor, step.action))
        if move is None:
            return True
        action, actor = move
        return action in allowed_actions(Kind(self.scenario.kind), Status(self.status), actor)

    def apply(self, step: Step) -> None:
        """Record `step` and move the status as the state machine says; raises on an illegal move."""
        move = MOVES.get((step.actor, step.action))
        if move is not None:
            action, actor = move
            self.status = next_status(Kind(self.scenario.kind), Status(self.status), action, actor).value
        self.history.append(step)


def react(case: SimCase, step: Step) -> list[Step]:
    """What the buyer and the platform do after the trainee's `step` (already applied to `case`)."""
    s, at, action = case.scenario, step.at + 1, step.action
    persona, out = s.persona, []
    if action == "reply":
        if step.template == "progress":
            out.append(say("thanks_update", at))
        elif s.compensation and not any(x.action == "compensate" for x in trainee_steps(case.history)):
            out.append(say("wants_compensation", at))
        elif step.template in _calming(s):
            out.append(say("calmed", at))
        else:
            out.append(say("unmoved", at))
    elif action == "request_evidence":
        if s.photos == "none":
            out.append(say("photos_refused", at))
        else:
            out += [Step("send_photos", at, "buyer"), say("photos_sent", at)]
    elif action in REFUSALS:
        grounded = grounds_for_refusal(s, case.history, case.lawful_request)
        if (not grounded or persona.escalates_on_refusal) and _may(case, "buyer", "escalate"):
            out += [say("escalating", at), Step("escalate", at, "buyer")]
        elif case.status != Status.COMPLETED.value:
            # A buyer who accepts the reasons takes the request back, which ends the case.
            out += [say("accepts_refusal", at), Step("withdraw", at + 1, "buyer")]
    elif action == "approve":
        if case.status == Status.AWAITING_RETURN.value:
            out += [Step("ship_return", at + 60, "buyer"), say("return_shipped", at + 60)]
        elif case.status != Status.REFUNDING.value:  # a refund to come: the buyer thanks once it is paid
            out.append(say("thanks", at))
    elif action == "compensate":
        calmed = step_of(step.rung) >= persona.needs_step
        out.append(say("accepts_compensation" if calmed else "wants_more", at))
    elif action == "ship_replacement":
        out += [Step("confirm_receipt", at + 60 * 24, "buyer"), say("thanks", at + 60 * 24)]
    elif action == "execute_refund":
        out.append(say("thanks", at))
    elif action in ("evidence", "note") and case.status == Status.ARBITRATION.value:
        grounded = grounds_for_refusal(s, case.history, case.lawful_request)
        ruling = "rule_for_merchant" if grounded else "rule_for_buyer"
        out += [Step(ruling, at + 60, "platform"), say(f"platform_{ruling}", at + 60, "platform")]
    return out


def tick(case: SimCase, minute: int) -> list[Step]:
    """What the clock brings by `minute` when the trainee has not acted: the platform's auto-approval
    of an unanswered request, the buyer's impatience (once)."""
    s, out = case.scenario, []
    acted = trainee_steps(case.history)
    said = {x.line for x in case.history if x.action == "say"}
    if not acted and minute > s.persona.patience_minutes and "impatient" not in said:
        out.append(say("impatient", s.persona.patience_minutes + 1))
    deadline = stage_deadline_minutes(s)
    if case.status == Status.REQUESTED.value and minute > deadline and _may(case, "platform", "auto_approve"):
        out += [Step("auto_approve", deadline + 1, "platform"), say("platform_auto_approved", deadline + 1,
                                                                    "platform")]
    return out


def _may(case: SimCase, actor: str, action: str) -> bool:
    return case.can(Step(action, 0, actor))


def _calming(s: Scenario) -> set[str]:
    """Which replies calm this buyer: an apology when the shop is at fault or the buyer is upset."""
    if s.apology_first or s.persona.urgency >= 2:
        return {"apology"}
    return {"apology", "solution"}


def play(case: SimCase, step: Step) -> list[Step]:
    """Apply one trainee step and everything it sets off; returns the buyer's and platform's steps."""
    happened = tick(case, step.at)
    for event in happened:
        case.apply(event)
    case.apply(step)
    answers = react(case, step)
    for event in answers:
        if case.can(event):
            case.apply(event)
    return happened + answers


def simulate(scenario: Scenario, steps: tuple[Step, ...] | list[Step], lawful_request: bool | None = None
             ) -> SimCase:
    """Play a whole trainee path (the ideal one, a wrong one) and return the case it leaves."""
    if lawful_request is None:
        lawful_request = scenario.decision().eligible
    case = SimCase(scenario, lawful_request)
    for step in steps:
        play(case, step)
    return case
