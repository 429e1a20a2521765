import pytest

from aftersales.cases.domain.states import (
    KINDS_IN_STATUS,
    OPEN_STATUSES,
    TERMINAL,
    TRANSITIONS,
    Action,
    Actor,
    Kind,
    PlatformRoute,
    Status,
    allowed_actions,
    find_transition,
    next_status,
    platform_route,
    reachable,
    reported_status,
)
from aftersales.core.errors import ConflictError, DomainError, PermissionDeniedError

ROW_KIND_PAIRS = [(row, kind) for row in TRANSITIONS for kind in sorted(row.kinds)]


def _id(pair):
    row, kind = pair
    return f"{kind}:{row.source}-{row.action}->{row.target}"


@pytest.mark.parametrize("pair", ROW_KIND_PAIRS, ids=[_id(p) for p in ROW_KIND_PAIRS])
def test_every_transition_row_moves_for_its_actors_and_refuses_the_others(pair):
    row, kind = pair
    for actor in Actor:
        if actor in row.actors:
            assert next_status(kind, row.source, row.action, actor) == row.target
            assert row.action in allowed_actions(kind, row.source, actor)
        else:
            with pytest.raises(PermissionDeniedError) as err:
                next_status(kind, row.source, row.action, actor)
            assert err.value.code == "case.actor_not_allowed"
            assert err.value.params == {"action": row.action.value, "actor": actor.value}
            assert err.value.status == 403


def test_every_move_not_in_the_table_is_a_conflict_with_its_code():
    refused = 0
    for kind in Kind:
        for status in Status:
            for action in Action:
                if find_transition(kind, status, action) is not None:
                    continue
                with pytest.raises(ConflictError) as err:
                    next_status(kind, status, action, Actor.PLATFORM)
                assert err.value.code == "case.illegal_transition"
                assert err.value.params == {
                    "action": action.value,
                    "status": status.value,
                    "kind": kind.value,
                }
                assert err.value.status == 409
                refused += 1
    assert refused > 500  # most combinations are illegal


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_terminal_statuses_allow_nothing(status):
    for kind in Kind:
        for actor in Actor:
            assert allowed_actions(kind, status, actor) == []
        for action in Action:
            with pytest.raises(ConflictError):
                next_status(kind, status, action, Actor.PLATFORM)


def test_the_table_only_holds_reachable_moves_and_every_open_status_can_end():
    for kind in Kind:
        statuses = reachable(kind)
        expected = {s for s, kinds in KINDS_IN_STATUS.items() if kind in kinds} | {
            Status.COMPLETED,
            Status.CLOSED,
        }
        assert statuses == expected, kind
    for row in TRANSITIONS:
        for kind in row.kinds:
            assert row.source in reachable(kind)
    for status in OPEN_STATUSES:
        for kind in KINDS_IN_STATUS[status]:
            assert find_transition(kind, status, Action.CLOSE).target == Status.CLOSED
    assert {row.action for row in TRANSITIONS} == set(Action)


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        (Kind.REFUND_ONLY, Status.REFUNDING),
        (Kind.PARTIAL_REFUND, Status.REFUNDING),
        (Kind.PRICE_PROTECTION, Status.REFUNDING),
        (Kind.RETURN_REFUND, Status.AWAITING_RETURN),
        (Kind.EXCHANGE, Status.AWAITING_RETURN),
        (Kind.REPAIR, Status.AWAITING_RETURN),
        (Kind.RESHIP, Status.FULFILLING),
    ],
)
def test_approval_leads_where_the_kind_needs(kind, target):
    for actor in (Actor.MERCHANT, Actor.SYSTEM, Actor.PLATFORM):
        assert next_status(kind, Status.REQUESTED, Action.APPROVE, actor) == target
    with pytest.raises(PermissionDeniedError):
        next_status(kind, Status.REQUESTED, Action.APPROVE, Actor.BUYER)


def test_return_flow_happy_paths():
    k = Kind.RETURN_REFUND
    s = next_status(k, Status.REQUESTED, Action.APPROVE, Actor.MERCHANT)
    s = next_status(k, s, Action.SHIP_RETURN, Actor.BUYER)
    s = next_status(k, s, Action.RECEIVE_RETURN, Actor.WAREHOUSE)
    s = next_status(k, s, Action.PASS_INSPECTION, Actor.WAREHOUSE)
    assert next_status(k, s, Action.REFUND_SUCCEEDED, Actor.PLATFORM) == Status.COMPLETED
    # An exchange goes back out to the buyer instead of refunding.
    s = next_status(Kind.EXCHANGE, Status.RETURN_RECEIVED, Action.PASS_INSPECTION, Actor.MERCHANT)
    assert s == Status.FULFILLING
    s = next_status(Kind.EXCHANGE, s, Action.SHIP_REPLACEMENT, Actor.WAREHOUSE)
    assert next_status(Kind.EXCHANGE, s, Action.CONFIRM_RECEIPT, Actor.SYSTEM) == Status.COMPLETED


def test_special_moves():
    # A parcel that arrives before its tracking number was entered.
    assert next_status("return_refund", "awaiting_return", "receive_return", "warehouse") == "return_received"
    # Asking for evidence leaves the status alone.
    assert (
        next_status(Kind.REFUND_ONLY, Status.REQUESTED, Action.REQUEST_EVIDENCE, Actor.MERCHANT)
        == Status.REQUESTED
    )
    assert next_status(Kind.REFUND_ONLY, Status.REJECTED, Action.RESUBMIT, Actor.BUYER) == Status.REQUESTED
    assert next_status(Kind.EXCHANGE, Status.RETURN_RECEIVED, Action.FAIL_INSPECTION, Actor.WAREHOUSE) == (
        Status.REJECTED_AFTER_RETURN
    )
    # Rulings: money kinds are refunded (possibly 退款不退货), goods kinds fulfilled.
    assert next_status(Kind.RETURN_REFUND, Status.ARBITRATION, Action.RULE_FOR_BUYER, Actor.PLATFORM) == (
        Status.REFUNDING
    )
    assert (
        next_status(Kind.RESHIP, Status.ARBITRATION, Action.RULE_FOR_BUYER, Actor.PLATFORM)
        == Status.FULFILLING
    )
    assert (
        next_status(Kind.REPAIR, Status.ARBITRATION, Action.RULE_FOR_MERCHANT, Actor.PLATFORM)
        == Status.CLOSED
    )


def test_escalation_and_withdrawal_limits():
    with pytest.raises(ConflictError):
        next_status(Kind.REFUND_ONLY, Status.ARBITRATION, Action.ESCALATE, Actor.BUYER)
    with pytest.raises(ConflictError):  # the refund is being paid: too late to withdraw
        next_status(Kind.REFUND_ONLY, Status.REFUNDING, Action.WITHDRAW, Actor.BUYER)
    assert next_status(Kind.REFUND_ONLY, Status.REFUNDING, Action.CLOSE, Actor.PLATFORM) == Status.CLOSED
    assert next_status(Kind.RETURN_REFUND, Status.REJECTED_AFTER_RETURN, Action.ESCALATE, Actor.BUYER) == (
        Status.ARBITRATION
    )
    assert next_status(Kind.REPAIR, Status.ARBITRATION, Action.WITHDRAW, Actor.BUYER) == Status.CLOSED


def test_allowed_actions_are_the_buttons_in_table_order():
    assert allowed_actions(Kind.RETURN_REFUND, Status.REQUESTED, Actor.MERCHANT) == [
        Action.APPROVE,
        Action.REJECT,
        Action.REQUEST_EVIDENCE,
        Action.ESCALATE,
        Action.CLOSE,
    ]
    assert allowed_actions(Kind.RETURN_REFUND, Status.REQUESTED, Actor.BUYER) == [
        Action.ESCALATE,
        Action.WITHDRAW,
    ]
    assert allowed_actions(Kind.RETURN_REFUND, Status.RETURN_RECEIVED, Actor.WAREHOUSE) == [
        Action.PASS_INSPECTION,
        Action.FAIL_INSPECTION,
    ]
    assert allowed_actions(Kind.REFUND_ONLY, Status.AWAITING_RETURN, Actor.MERCHANT) == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("swap", "requested", "approve", "merchant"), "kind"),
        (("exchange", "lost", "approve", "merchant"), "status"),
        (("exchange", "requested", "fly", "merchant"), "action"),
        (("exchange", "requested", "approve", "cat"), "actor"),
    ],
)
def test_unknown_values_are_refused_with_a_code(args, field):
    with pytest.raises(DomainError) as err:
        next_status(*args)
    assert err.value.code == "case.unknown_value"
    assert err.value.params["field"] == field


# -- what a platform reports: the table's moves, walked -------------------------------------------


def _walk(kind: str, source: str, target: str) -> list[str]:
    return [row.action.value for row in platform_route(kind, source, target).steps]


@pytest.mark.parametrize(("kind", "source", "target", "steps"), [
    ("refund_only", "requested", "completed", ["approve", "refund_succeeded"]),
    ("return_refund", "requested", "completed", ["approve", "receive_return", "pass_inspection", "refund_succeeded"]),
    ("return_refund", "requested", "return_in_transit", ["approve", "ship_return"]),
    ("return_refund", "arbitration", "completed", ["rule_for_buyer", "refund_succeeded"]),
    ("refund_only", "requested", "arbitration", ["escalate"]),
    # a close is reported as a close: never guessed to be a withdrawal or a ruling for the merchant
    ("refund_only", "requested", "closed", ["close"]),
    ("return_refund", "arbitration", "closed", ["close"]),
    ("exchange", "requested", "completed",
     ["approve", "receive_return", "pass_inspection", "ship_replacement", "confirm_receipt"]),
    ("refund_only", "refunding", "refunding", []),
])
def test_a_platform_status_is_reached_by_the_tables_moves(kind, source, target, steps):
    route = platform_route(kind, source, target)
    assert _walk(kind, source, target) == steps and not route.correction
    status = source
    for row in route.steps:  # each step is a row of the table, in an unbroken chain
        assert find_transition(kind, status, row.action) == row
        status = row.target
    assert status == target


def test_arbitration_is_walked_only_when_the_platform_reports_it():
    # requested → completed of a return is never shortened through an escalation and a ruling
    assert "escalate" not in _walk("return_refund", "requested", "completed")
    assert "rule_for_buyer" not in _walk("return_refund", "rejected", "refunding")


@pytest.mark.parametrize(("kind", "source", "target"), [
    ("refund_only", "completed", "requested"),  # reopened by the platform
    ("refund_only", "closed", "refunding"),
    ("return_refund", "refunding", "awaiting_return"),  # a step back
])
def test_where_the_table_has_no_way_the_platform_corrects_the_status(kind, source, target):
    assert platform_route(kind, source, target) == PlatformRoute((), correction=True)


def test_a_reported_move_needs_a_row_of_the_table_but_not_the_actor():
    # the merchant refused in the platform's workbench; the platform reports it
    assert reported_status("refund_only", "requested", "reject") == Status.REJECTED
    with pytest.raises(ConflictError) as caught:
        reported_status("refund_only", "completed", "approve")
    assert caught.value.code == "case.illegal_transition"


def test_a_fast_refund_keeps_the_return_waiting_for_its_parcel():
    k = Kind.RETURN_REFUND
    # The money is a fact of the case: the return stays on its way, to be received and inspected.
    assert next_status(k, Status.RETURN_IN_TRANSIT, Action.FAST_REFUND, Actor.SYSTEM) == Status.RETURN_IN_TRANSIT
    assert next_status(k, Status.RETURN_IN_TRANSIT, Action.RECEIVE_RETURN, Actor.WAREHOUSE) == Status.RETURN_RECEIVED
    # Only the shop's rule makes it, only once the buyer sent the goods, only on a return to refund.
    for status in (Status.REQUESTED, Status.AWAITING_RETURN, Status.RETURN_RECEIVED, Status.REFUNDING):
        with pytest.raises(ConflictError):
            next_status(k, status, Action.FAST_REFUND, Actor.SYSTEM)
    for kind in (Kind.EXCHANGE, Kind.REPAIR):
        with pytest.raises(ConflictError):
            next_status(kind, Status.RETURN_IN_TRANSIT, Action.FAST_REFUND, Actor.SYSTEM)
    with pytest.raises(PermissionDeniedError):
        next_status(k, Status.RETURN_IN_TRANSIT, Action.FAST_REFUND, Actor.BUYER)
    # A platform's status never implies it.
    assert Action.FAST_REFUND not in {row.action for row in platform_route(k, Status.REQUESTED, Status.COMPLETED).steps}
