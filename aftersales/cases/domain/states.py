"""The canonical after-sale case (售后单) state machine, as data.

Every platform's status codes map onto `Status` (platforms-and-law §2). A move is allowed only if a
row of `TRANSITIONS` names the case's kind, its current status, the action and the actor. Anything
else raises with a code and changes nothing — the services layer persists only after `next_status`
has answered.

Money, return logistics, inspection and arbitration details are separate fields of the case, not more
states (DESIGN §2): `refunding` means "the decision to pay is made", not "the money has moved".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aftersales.core.errors import ConflictError, DomainError, PermissionDeniedError


class Status(StrEnum):
    REQUESTED = "requested"  # 待商家处理
    AWAITING_RETURN = "awaiting_return"  # 待买家退货
    RETURN_IN_TRANSIT = "return_in_transit"  # 退货在途
    RETURN_RECEIVED = "return_received"  # 商家已收到退货, 待质检
    REFUNDING = "refunding"  # 退款中
    FULFILLING = "fulfilling"  # 待商家发出换货/补寄/维修件
    AWAITING_BUYER_RECEIPT = "awaiting_buyer_receipt"  # 待买家收货
    COMPLETED = "completed"  # 售后成功
    REJECTED = "rejected"  # 商家拒绝 (first review)
    REJECTED_AFTER_RETURN = "rejected_after_return"  # 商家二次拒绝 (inspection failed)
    ARBITRATION = "arbitration"  # 平台介入
    CLOSED = "closed"  # 售后关闭 (withdrawn, overdue, ruled for the merchant)


class Kind(StrEnum):
    REFUND_ONLY = "refund_only"  # 仅退款
    RETURN_REFUND = "return_refund"  # 退货退款
    EXCHANGE = "exchange"  # 换货
    RESHIP = "reship"  # 补发/补寄
    REPAIR = "repair"  # 维修
    PARTIAL_REFUND = "partial_refund"  # 部分退款, the buyer keeps the goods
    PRICE_PROTECTION = "price_protection"  # 价保


class Actor(StrEnum):
    BUYER = "buyer"
    MERCHANT = "merchant"
    PLATFORM = "platform"
    CARRIER = "carrier"
    WAREHOUSE = "warehouse"
    SYSTEM = "system"  # a timer: the platform's or our own fallback


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_EVIDENCE = "request_evidence"
    RESUBMIT = "resubmit"
    SHIP_RETURN = "ship_return"
    RECEIVE_RETURN = "receive_return"
    FAST_REFUND = "fast_refund"  # 极速退款: refunded before the return arrives
    PASS_INSPECTION = "pass_inspection"
    FAIL_INSPECTION = "fail_inspection"
    ESCALATE = "escalate"
    RULE_FOR_BUYER = "rule_for_buyer"
    RULE_FOR_MERCHANT = "rule_for_merchant"
    REFUND_SUCCEEDED = "refund_succeeded"
    SHIP_REPLACEMENT = "ship_replacement"
    CONFIRM_RECEIPT = "confirm_receipt"
    WITHDRAW = "withdraw"
    CLOSE = "close"


S = Status
TERMINAL: frozenset[Status] = frozenset({S.COMPLETED, S.CLOSED})
OPEN_STATUSES: frozenset[Status] = frozenset(s for s in Status if s not in TERMINAL)

ALL_KINDS: frozenset[Kind] = frozenset(Kind)
#: Approval pays money straight away: nothing comes back.
REFUND_KINDS: frozenset[Kind] = frozenset({Kind.REFUND_ONLY, Kind.PARTIAL_REFUND, Kind.PRICE_PROTECTION})
#: Approval asks the buyer to send the goods back first.
RETURN_KINDS: frozenset[Kind] = frozenset({Kind.RETURN_REFUND, Kind.EXCHANGE, Kind.REPAIR})
#: The merchant sends goods out (an exchange, a reshipment, the repaired item).
FULFIL_KINDS: frozenset[Kind] = frozenset({Kind.EXCHANGE, Kind.RESHIP, Kind.REPAIR})
#: The remedy is money: a ruling for the buyer means a refund (possibly 退款不退货).
MONEY_KINDS: frozenset[Kind] = REFUND_KINDS | {Kind.RETURN_REFUND}



def gives_what_was_asked(remedy: Kind | str, asked: Kind | str) -> bool:
    """Whether remedy `remedy` gives a buyer who asked for `asked` what they asked for, or more: their
    money without sending the goods back (a price protection is a refund). Any other remedy is an offer
    the buyer has to agree to."""
    asked = Kind.REFUND_ONLY.value if asked == Kind.PRICE_PROTECTION.value else str(asked)
    remedy = str(remedy)
    return remedy == asked or (remedy == Kind.REFUND_ONLY.value and asked == Kind.RETURN_REFUND.value)


#: Which kinds can ever be in each open status; the generic rows (escalate, withdraw, close) are
#: generated from this so that the table holds no row for an unreachable (kind, status).
KINDS_IN_STATUS: dict[Status, frozenset[Kind]] = {
    S.REQUESTED: ALL_KINDS,
    S.REJECTED: ALL_KINDS,
    S.ARBITRATION: ALL_KINDS,
    S.AWAITING_RETURN: RETURN_KINDS,
    S.RETURN_IN_TRANSIT: RETURN_KINDS,
    S.RETURN_RECEIVED: RETURN_KINDS,
    S.REJECTED_AFTER_RETURN: RETURN_KINDS,
    S.REFUNDING: MONEY_KINDS,
    S.FULFILLING: FULFIL_KINDS,
    S.AWAITING_BUYER_RECEIPT: FULFIL_KINDS,
}


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Status
    target: Status
    kinds: frozenset[Kind]
    actors: frozenset[Actor]


def _row(action: Action, source: Status, target: Status, kinds, actors) -> Transition:
    return Transition(action, source, target, frozenset(kinds), frozenset(actors))


A, R = Action, Actor
_MERCHANT_SIDE = {R.MERCHANT, R.WAREHOUSE}

_SPECIFIC: tuple[Transition, ...] = (
    # First review (一审). SYSTEM = the platform's timer auto-approving an unanswered request.
    _row(A.APPROVE, S.REQUESTED, S.REFUNDING, REFUND_KINDS, {R.MERCHANT, R.SYSTEM, R.PLATFORM}),
    _row(A.APPROVE, S.REQUESTED, S.AWAITING_RETURN, RETURN_KINDS, {R.MERCHANT, R.SYSTEM, R.PLATFORM}),
    _row(A.APPROVE, S.REQUESTED, S.FULFILLING, {Kind.RESHIP}, {R.MERCHANT, R.SYSTEM, R.PLATFORM}),
    _row(A.REJECT, S.REQUESTED, S.REJECTED, ALL_KINDS, {R.MERCHANT}),
    # Asking for photos is an event on the case; the status does not move.
    _row(A.REQUEST_EVIDENCE, S.REQUESTED, S.REQUESTED, ALL_KINDS, {R.MERCHANT}),
    _row(A.RESUBMIT, S.REJECTED, S.REQUESTED, ALL_KINDS, {R.BUYER}),
    # The return leg. A merchant may enter the tracking number on the buyer's behalf (代客填单).
    _row(A.SHIP_RETURN, S.AWAITING_RETURN, S.RETURN_IN_TRANSIT, RETURN_KINDS,
         {R.BUYER, R.CARRIER, R.MERCHANT}),
    # 极速退款: the shop's rule refunds a return it agreed to once the buyer has sent it with a tracking
    # number, before it arrives. The money is a fact of the case, not a step (above): the case keeps
    # waiting for the parcel, with its deadline, and is received and inspected as any other return
    # (services.refund_before_receipt; the refund itself is the refunds app's, by the refund rule).
    _row(A.FAST_REFUND, S.RETURN_IN_TRANSIT, S.RETURN_IN_TRANSIT, {Kind.RETURN_REFUND}, {R.SYSTEM}),
    # SYSTEM: the platform deems the parcel received when the merchant lets its clock run out.
    _row(A.RECEIVE_RETURN, S.RETURN_IN_TRANSIT, S.RETURN_RECEIVED, RETURN_KINDS,
         {R.WAREHOUSE, R.CARRIER, R.MERCHANT, R.SYSTEM}),
    # The parcel arrived before anyone entered its tracking number (无信息件 matched later).
    _row(A.RECEIVE_RETURN, S.AWAITING_RETURN, S.RETURN_RECEIVED, RETURN_KINDS,
         {R.WAREHOUSE, R.CARRIER, R.MERCHANT, R.SYSTEM}),
    # Inspection (质检). SYSTEM: the platform refunds when the second review times out (超时自动退款).
    _row(A.PASS_INSPECTION, S.RETURN_RECEIVED, S.REFUNDING, {Kind.RETURN_REFUND},
         _MERCHANT_SIDE | {R.SYSTEM}),
    _row(A.PASS_INSPECTION, S.RETURN_RECEIVED, S.FULFILLING, {Kind.EXCHANGE, Kind.REPAIR},
         _MERCHANT_SIDE | {R.SYSTEM}),
    _row(A.FAIL_INSPECTION, S.RETURN_RECEIVED, S.REJECTED_AFTER_RETURN, RETURN_KINDS, _MERCHANT_SIDE),
)

_RULINGS: tuple[Transition, ...] = (
    _row(A.RULE_FOR_BUYER, S.ARBITRATION, S.REFUNDING, MONEY_KINDS, {R.PLATFORM}),
    _row(A.RULE_FOR_BUYER, S.ARBITRATION, S.FULFILLING, FULFIL_KINDS, {R.PLATFORM}),
    _row(A.RULE_FOR_MERCHANT, S.ARBITRATION, S.CLOSED, ALL_KINDS, {R.PLATFORM}),
    # Money and goods reaching the buyer end the case.
    _row(A.REFUND_SUCCEEDED, S.REFUNDING, S.COMPLETED, MONEY_KINDS, {R.MERCHANT, R.PLATFORM, R.SYSTEM}),
    _row(A.SHIP_REPLACEMENT, S.FULFILLING, S.AWAITING_BUYER_RECEIPT, FULFIL_KINDS, _MERCHANT_SIDE),
    _row(A.CONFIRM_RECEIPT, S.AWAITING_BUYER_RECEIPT, S.COMPLETED, FULFIL_KINDS,
         {R.BUYER, R.SYSTEM, R.PLATFORM}),
)

#: The merchant's moves a platform decides on a case it syncs through its open API: agreeing, refusing,
#: confirming the return, refunding or refusing after it, shipping the replacement. On such a case the
#: move is sent to the platform first and made only once the platform confirms it; until then the case
#: stays where it is, marked as awaiting the platform (`Case.awaiting_platform`, shown as 等平台确认),
#: and takes no other staff move. A refusal by the platform leaves it where it was.
PLATFORM_DECIDED: frozenset[Action] = frozenset({
    A.APPROVE, A.REJECT, A.RECEIVE_RETURN, A.PASS_INSPECTION, A.FAIL_INSPECTION, A.SHIP_REPLACEMENT,
})
#: Who may propose such a move (the platform, its timers and the buyer move the case themselves).
STAFF_ACTORS: frozenset[Actor] = frozenset(_MERCHANT_SIDE)


def platform_decides(action: Action | str, actor: Actor | str) -> bool:
    """Whether `action` by `actor`, on a case a connected platform syncs, waits for the platform."""
    return _coerce(Action, action, "action") in PLATFORM_DECIDED and _coerce(Actor, actor, "actor") in STAFF_ACTORS


#: 平台介入 can be asked for at any open step except arbitration itself.
_ESCALATE_FROM: tuple[Status, ...] = (
    S.REJECTED, S.REJECTED_AFTER_RETURN, S.REQUESTED, S.AWAITING_RETURN, S.RETURN_IN_TRANSIT,
    S.RETURN_RECEIVED, S.REFUNDING, S.FULFILLING, S.AWAITING_BUYER_RECEIPT,
)
#: Open statuses in a stable order for the generated rows.
_OPEN_ORDER: tuple[Status, ...] = tuple(s for s in Status if s not in TERMINAL)


def _generic_rows() -> tuple[Transition, ...]:
    rows = [
        _row(A.ESCALATE, s, S.ARBITRATION, KINDS_IN_STATUS[s], {R.BUYER, R.MERCHANT, R.PLATFORM})
        for s in _ESCALATE_FROM
    ]
    # Once the refund is being paid the buyer can no longer take the request back.
    rows += [
        _row(A.WITHDRAW, s, S.CLOSED, KINDS_IN_STATUS[s], {R.BUYER}) for s in _OPEN_ORDER if s != S.REFUNDING
    ]
    # CLOSE: the merchant (e.g. resolved offline), a timer (buyer overdue) or the platform.
    closers = {R.MERCHANT, R.SYSTEM, R.PLATFORM}
    rows += [_row(A.CLOSE, s, S.CLOSED, KINDS_IN_STATUS[s], closers) for s in _OPEN_ORDER]
    return tuple(rows)


TRANSITIONS: tuple[Transition, ...] = _SPECIFIC + _RULINGS + _generic_rows()


def _index(rows: tuple[Transition, ...]) -> dict[tuple[Kind, Status, Action], Transition]:
    index: dict[tuple[Kind, Status, Action], Transition] = {}
    for row in rows:
        for kind in row.kinds:
            key = (kind, row.source, row.action)
            if key in index:  # two rows for one move would make the table ambiguous
                raise AssertionError(f"duplicate transition {key}")
            index[key] = row
    return index


_BY_KEY = _index(TRANSITIONS)


def _coerce(enum: type[StrEnum], value: object, field: str):
    try:
        return enum(value)
    except ValueError:
        raise DomainError("case.unknown_value", field=field, value=str(value)) from None


def find_transition(kind: Kind | str, status: Status | str, action: Action | str) -> Transition | None:
    """The row for this move, whoever makes it; None if the status does not allow the action."""
    return _BY_KEY.get(
        (_coerce(Kind, kind, "kind"), _coerce(Status, status, "status"), _coerce(Action, action, "action"))
    )


def next_status(kind: Kind | str, status: Status | str, action: Action | str, actor: Actor | str) -> Status:
    """Where `action` by `actor` takes a case of `kind` now in `status`; raises if it may not.

    ConflictError `case.illegal_transition` — the status does not allow this action for this kind.
    PermissionDeniedError `case.actor_not_allowed` — it does, but not by this actor.
    """
    kind, status = _coerce(Kind, kind, "kind"), _coerce(Status, status, "status")
    action, actor = _coerce(Action, action, "action"), _coerce(Actor, actor, "actor")
    row = _BY_KEY.get((kind, status, action))
    if row is None:
        raise ConflictError(
            "case.illegal_transition", action=action.value, status=status.value, kind=kind.value
        )
    if actor not in row.actors:
        raise PermissionDeniedError("case.actor_not_allowed", action=action.value, actor=actor.value)
    return row.target


def reported_status(kind: Kind | str, status: Status | str, action: Action | str) -> Status:
    """Where a move the platform reports takes the case (a step of `platform_route`): the table must
    have the row, whoever's row it is — the platform speaks for the party who acted in its workbench."""
    kind, status, action = _coerce(Kind, kind, "kind"), _coerce(Status, status, "status"), _coerce(
        Action, action, "action")
    row = _BY_KEY.get((kind, status, action))
    if row is None:
        raise ConflictError("case.illegal_transition", action=action.value, status=status.value, kind=kind.value)
    return row.target


def allowed_actions(kind: Kind | str, status: Status | str, actor: Actor | str) -> list[Action]:
    """The actions `actor` may take now, in table order: the buttons the UI shows."""
    kind, status = _coerce(Kind, kind, "kind"), _coerce(Status, status, "status")
    actor = _coerce(Actor, actor, "actor")
    seen: list[Action] = []
    for row in TRANSITIONS:
        if row.source == status and kind in row.kinds and actor in row.actors and row.action not in seen:
            seen.append(row.action)
    return seen


def reachable(kind: Kind | str) -> frozenset[Status]:
    """Statuses a case of `kind` can reach from `requested` (used by tests and the docs)."""
    kind = _coerce(Kind, kind, "kind")
    found, todo = {S.REQUESTED}, [S.REQUESTED]
    while todo:
        status = todo.pop()
        for row in TRANSITIONS:
            if row.source == status and kind in row.kinds and row.target not in found:
                found.add(row.target)
                todo.append(row.target)
    return frozenset(found)




# -- what a platform reports -------------------------------------------------------------------------
#
# A platform case's status is the platform's: its workbench is where the buyer, the merchant and the
# platform's own timers act, and an export or a pull tells only where the case stands now. The case
# follows it by the rows of this table, each step written as its own move by the platform (it is the
# platform that reports it). Arbitration is walked only when the platform says so (to or from it);
# a close is reported as a close, never guessed to be the buyer's withdrawal or a ruling.

#: Moves never inferred from a status alone: the platform must report arbitration itself, a withdrawal
#: and a ruling for the merchant read like any close, and asking for photos or refunding before the
#: return arrives moves nothing.
_NOT_INFERRED = frozenset({A.REQUEST_EVIDENCE, A.FAST_REFUND, A.WITHDRAW, A.RULE_FOR_MERCHANT, A.ESCALATE,
                           A.RULE_FOR_BUYER})


@dataclass(frozen=True)
class PlatformRoute:
    """How a case follows its platform from `source` to `target`.

    `steps`: the table's moves, in order. `correction`: no chain of moves leads there (the platform
    reopened a finished case, or stepped back after changing the remedy); the platform's word still
    stands, and the case is set to `target` by one `platform_sync` correction — a move only the platform
    makes, only on its own case, and only where the table has no way.
    """

    steps: tuple[Transition, ...]
    correction: bool = False


def platform_route(kind: Kind | str, source: Status | str, target: Status | str) -> PlatformRoute:
    """The shortest chain of the table's moves taking a case of `kind` from `source` to `target`
    (rows in table order break ties), or the platform's correction when there is none."""
    kind, source, target = _coerce(Kind, kind, "kind"), _coerce(Status, source, "status"), _coerce(
        Status, target, "status")
    if source == target:
        return PlatformRoute(())
    allowed = set(Action) - _NOT_INFERRED
    if target == S.ARBITRATION:
        allowed.add(A.ESCALATE)
    if source == S.ARBITRATION:
        allowed.add(A.RULE_FOR_BUYER)
    rows = [row for row in TRANSITIONS if kind in row.kinds and row.action in allowed]
    came_from: dict[Status, Transition | None] = {source: None}
    frontier = [source]
    while frontier and target not in came_from:
        following: list[Status] = []
        for status in frontier:
            for row in rows:
                if row.source == status and row.target not in came_from:
                    came_from[row.target] = row
                    following.append(row.target)
        frontier = following
    if target not in came_from:
        return PlatformRoute((), correction=True)
    steps: list[Transition] = []
    status = target
    while (row := came_from[status]) is not None:
        steps.append(row)
        status = row.source
    return PlatformRoute(tuple(reversed(steps)))


CODES = frozenset({"case.illegal_transition", "case.actor_not_allowed", "case.unknown_value",
                   "case.awaiting_platform"})
