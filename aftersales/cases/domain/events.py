"""Every kind of case event, with who may read it, its label and the message it sends — pure, as data.

A case event (`CaseEvent.action`) is the one typed seam between the case and everything that follows
a change: the buyer's portal timeline, the console timeline, the outbox, the exports and the API all
read this table instead of keeping their own lists. A kind that is not here cannot be recorded
(`cases.kernel.record_event` refuses it), so a new kind is added here first, with its labels in
`aftersales/core/messages.toml` (`event.<kind>`, zh-hans and en — a unit test checks both).

Audience:
- `buyer`: the buyer sees it on the portal (and may be told of it by message);
- `staff`: the shop's own bookkeeping (notes, tags, deadline notices): staff only;
- `system`: written by machines to keep records straight (imports): staff see it, buyers never.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aftersales.cases.domain.states import Action
from aftersales.core.errors import DomainError


class Audience(StrEnum):
    BUYER = "buyer"
    STAFF = "staff"
    SYSTEM = "system"


#: Facts about a case that do not move its status. The moves are the state machine's own actions
#: (states.Action), one kind each, taken from there so the two lists cannot drift apart.
_FACT_KINDS = (
    "open",
    "evidence",
    "grant_refund",
    "execute_refund",
    "refund_settled",
    "refund_failed",
    "reply",
    "rating",
    "note",
    "tags",
    "follow_up_on",
    "follow_up_off",
    "assign",
    "ready_to_refund",
    "fast_refund_inspection_failed",
    "compensation",
    "compensation_requested",
    "compensation_declined",
    "deadline_reminder",
    "deadline_escalation",
    "deadline_passed",
    "platform_sync",
    "order_line_replaced",
    "switch_remedy",
    "platform_submitted",
    "platform_refused",
    "correct_reason",
    "reimburse_return_freight",
    "return_freight_paid",
)

EventKind = StrEnum(
    "EventKind",
    [(action.name, action.value) for action in Action] + [(kind.upper(), kind) for kind in _FACT_KINDS],
)


@dataclass(frozen=True)
class EventSpec:
    kind: EventKind
    audience: Audience
    #: The outbox template this kind sends (None: no message). The outbox may pick a variant from
    #: the event itself (an approval of a refund or of a return), never a template of another kind.
    message: str | None = None

    @property
    def label_key(self) -> str:
        """The catalogue entry (core/messages.toml) that names this kind on every page and export."""
        return f"event.{self.kind.value}"

    @property
    def buyer_visible(self) -> bool:
        return self.audience == Audience.BUYER


E, B, S, Y = EventKind, Audience.BUYER, Audience.STAFF, Audience.SYSTEM

EVENT_KINDS: dict[EventKind, EventSpec] = {
    spec.kind: spec
    for spec in (
        EventSpec(E.APPROVE, B, "case.approved_refund"),
        EventSpec(E.REJECT, B, "case.rejected"),
        EventSpec(E.REQUEST_EVIDENCE, B, "evidence.requested"),
        EventSpec(E.RESUBMIT, B),
        EventSpec(E.SHIP_RETURN, B),
        EventSpec(E.RECEIVE_RETURN, B, "return.received"),
        # Refunded before the return arrived: the buyer reads it (the refund's own events tell the money);
        # the rule that did it is in the payload, for staff.
        EventSpec(E.FAST_REFUND, B),
        EventSpec(E.PASS_INSPECTION, B),
        EventSpec(E.FAIL_INSPECTION, B, "case.rejected_after_return"),
        EventSpec(E.ESCALATE, B),
        EventSpec(E.RULE_FOR_BUYER, B, "arbitration.ruled_for_buyer"),
        EventSpec(E.RULE_FOR_MERCHANT, B, "arbitration.ruled_for_merchant"),
        EventSpec(E.REFUND_SUCCEEDED, B, "refund.settled"),
        EventSpec(E.SHIP_REPLACEMENT, B, "replacement.shipped"),
        EventSpec(E.CONFIRM_RECEIPT, B, "case.completed"),
        EventSpec(E.WITHDRAW, B),
        EventSpec(E.CLOSE, B, "case.closed"),
        EventSpec(E.OPEN, B),
        EventSpec(E.EVIDENCE, B),
        EventSpec(E.GRANT_REFUND, B),
        EventSpec(E.EXECUTE_REFUND, B, "refund.executed"),
        EventSpec(E.REFUND_SETTLED, B, "refund.settled"),
        # A failed payment is retried by staff; the buyer hears when the money arrives.
        EventSpec(E.REFUND_FAILED, S),
        EventSpec(E.REPLY, B, "case.reply"),
        EventSpec(E.RATING, B),
        EventSpec(E.NOTE, S),
        EventSpec(E.TAGS, S),
        EventSpec(E.FOLLOW_UP_ON, S),
        EventSpec(E.FOLLOW_UP_OFF, S),
        EventSpec(E.ASSIGN, S),
        EventSpec(E.READY_TO_REFUND, S),
        # A return refunded before it arrived failed its inspection: the owners follow it up.
        EventSpec(E.FAST_REFUND_INSPECTION_FAILED, S, "staff.fast_refund_inspection_failed"),
        EventSpec(E.COMPENSATION, S),
        # An agent asked for compensation above their limit: the owners are asked to approve it.
        EventSpec(E.COMPENSATION_REQUESTED, S, "staff.compensation_requested"),
        # The owner declined it: the agent who asked is told.
        EventSpec(E.COMPENSATION_DECLINED, S, "staff.compensation_declined"),
        EventSpec(E.DEADLINE_REMINDER, S, "staff.deadline_reminder"),
        EventSpec(E.DEADLINE_ESCALATION, S, "staff.deadline_escalation"),
        EventSpec(E.DEADLINE_PASSED, S, "staff.deadline_passed"),
        EventSpec(E.PLATFORM_SYNC, Y),
        EventSpec(E.ORDER_LINE_REPLACED, Y),
        # The remedy changed with the buyer's agreement: the buyer sees the new one.
        EventSpec(E.SWITCH_REMEDY, B),
        # A staff decision handed to the platform: the move is made when the platform confirms it.
        EventSpec(E.PLATFORM_SUBMITTED, S),
        # The platform refused a decision pushed to it: staff must act again.
        EventSpec(E.PLATFORM_REFUSED, S),
        # Staff say what the buyer's words really mean (training data for the reason reader).
        EventSpec(E.CORRECT_REASON, S),
        # The shop pays the buyer's return freight: its own movement beside the refund (refunds.freight).
        EventSpec(E.REIMBURSE_RETURN_FREIGHT, B),
        EventSpec(E.RETURN_FREIGHT_PAID, B),
    )
}

#: What the buyer's portal shows, exactly.
BUYER_VISIBLE: frozenset[str] = frozenset(k.value for k, s in EVENT_KINDS.items() if s.buyer_visible)
#: Kinds whose message goes to staff rather than to the buyer.
STAFF_MESSAGES: frozenset[str] = frozenset(
    k.value for k, s in EVENT_KINDS.items() if s.message and s.audience != Audience.BUYER
)


def event_spec(kind: str) -> EventSpec:
    """The spec of `kind`; raises `case.unknown_event_kind` for a kind nobody declared."""
    try:
        return EVENT_KINDS[EventKind(kind)]
    except ValueError:
        raise DomainError("case.unknown_event_kind", kind=str(kind)) from None


def is_buyer_visible(kind: str) -> bool:
    return kind in BUYER_VISIBLE


CODES = frozenset({"case.unknown_event_kind"})
