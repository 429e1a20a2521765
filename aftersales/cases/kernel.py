"""The case kernel: lock a case, move it through the state machine, record its events.

Private to the cases app (an import-linter contract, `.importlinter`, refuses any other importer):
every other app changes a case through a named verb of `aftersales.cases.services`, which locks the
case, checks the move with the state machine (`cases/domain/states.py`), writes the event and hands it
to the subscribers (`cases/subscribers.py`) in the caller's transaction. So what can happen to a case
is the list of verbs, read in one file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.cases.domain.deadlines import next_deadline
from aftersales.cases.domain.events import event_spec
from aftersales.cases.domain.states import (
    TERMINAL,
    Action,
    Actor,
    Kind,
    Status,
    next_status,
    platform_decides,
    reported_status,
)
from aftersales.cases.models import Case, CaseEvent, CaseLine
from aftersales.cases.subscribers import platform_gate, publish
from aftersales.core import clock
from aftersales.core.choices import GoodsStatus
from aftersales.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from aftersales.row_updates import set_columns


@dataclass(frozen=True)
class By:
    """Who is acting: the kind of actor and, for staff, the user."""

    actor: Actor
    user: object | None = None


SYSTEM = By(Actor.SYSTEM)


def lock_case(shop: Shop | int, case_id: int) -> Case:
    """The case of `shop` (the shop or its id), locked for the rest of the transaction."""
    try:
        # Only the case row (`of=self`), and FOR NO KEY UPDATE: rows that merely point at the case or its
        # order (events, facts) can still be inserted by others without waiting on this lock.
        case = (
            Case.objects.select_for_update(no_key=True, of=("self",))
            .select_related("order")
            .get(shop=shop, pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("case.not_found", case_id=case_id) from None
    case._held_in = _hold_mark()
    return case


def _hold_mark():
    """A token that lives exactly as long as this transaction (or the savepoint the lock was taken in):
    a no-op left to run on commit, which Django drops at commit and at rollback."""
    def held() -> None:
        return None

    transaction.on_commit(held)
    return held


def _still_held(mark) -> bool:
    pending = transaction.get_connection().run_on_commit
    return any(entry[1] is mark for entry in reversed(pending))


def locked(shop: Shop | int, case: Case | int) -> Case:
    """The case, locked: the very object when the caller holds it in this transaction already (it was
    locked by `lock_case`, e.g. through `services.hold_case`), so a verb neither locks nor reads twice
    and the caller's object stays current; otherwise it is locked and read now. Only inside a transaction:
    the change and whatever the caller wrote with it commit together (SQLite would not refuse the lock)."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("a case is changed inside the caller's transaction")
    if isinstance(case, Case):
        if new_cases_of(case) is not None:
            return case  # opened in memory and not written yet: no one else can see it
        mark = getattr(case, "_held_in", None)
        if mark is not None and case.shop_id == getattr(shop, "pk", shop) and _still_held(mark):
            return case
        case = case.pk
    return lock_case(shop, case)


def record_event(
    case: Case,
    by: By,
    action: str,
    *,
    from_status: str = "",
    to_status: str = "",
    reason_code: str = "",
    note: str = "",
    payload: dict | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Write one immutable event of a declared kind (cases/domain/events.py) and hand it to the
    subscribers (cases/subscribers.py: outbox, analytics …) in the same transaction."""
    kind = event_spec(action).kind  # an undeclared kind is refused before anything is written
    user = by.user if getattr(by.user, "is_authenticated", False) else None
    values = {
        "case": case, "shop_id": case.shop_id, "action": kind.value, "actor": by.actor.value, "actor_user": user,
        "from_status": from_status, "to_status": to_status or from_status, "reason_code": reason_code,
        "note": note, "payload": payload or {}, "created_at": now or clock.now(),
    }
    page = new_cases_of(case)
    if page is not None:  # written (and handed to the subscribers) with its case
        event = CaseEvent(**values)
        page.events.append(event)
        return event
    event = CaseEvent.objects.create(**values)
    publish([event])  # outbox, analytics, platform push: cases/subscribers.py
    return event


def save_case(case: Case) -> None:
    """Save a changed case; one opened in memory (`NewCases`) is written whole when its page is."""
    if new_cases_of(case) is None:
        case.save()


def case_number(case: Case) -> str:
    """The number people see: AS, the day it was opened (Beijing), its sequence."""
    return f"AS{clock.shanghai_date(case.created_at):%y%m%d}{case.pk:06d}"


def new_cases_of(case: Case) -> NewCases | None:
    """The page a case opened in memory waits in, or None once it is written (or for a stored case)."""
    return getattr(case, "_new_in", None)


@dataclass
class NewCases:
    """Cases opened in memory, written together: their rows, their lines and their events in a fixed
    number of statements, then the events handed to the subscribers (cases/subscribers.py) — for one
    case opened by a verb as for a page of a pull.

    Until `write`, the cases verbs work on such a case in memory: `record_event` keeps its events here
    and `save_case` leaves it to `write`, so a case opened and brought to what its platform says is
    written once, with exactly the rows and events of the same steps taken one statement at a time.
    Use inside the caller's transaction."""

    cases: list[Case] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    _lines: dict[int, list[CaseLine]] = field(default_factory=dict)  # id(case) → its lines

    def add(self, case: Case, lines: list[CaseLine]) -> None:
        case._new_in = self
        self.cases.append(case)
        self._lines[id(case)] = lines

    def lines_of(self, case: Case) -> list[CaseLine]:
        return self._lines[id(case)]

    def mark(self) -> tuple[int, int]:
        return len(self.cases), len(self.events)

    def undo(self, mark: tuple[int, int]) -> None:
        """Forget what was opened since `mark` (a refusal met half-way through a unit of the page)."""
        cases, events = mark
        for case in self.cases[cases:]:
            del self._lines[id(case)]
            case._new_in = None
        del self.cases[cases:], self.events[events:]

    def write(self) -> None:
        if not self.cases:
            return
        for case in self.cases:
            # Numbered by its id, which the INSERT gives: until then a unique placeholder.
            case.number = f"tmp-{uuid.uuid4().hex[:28]}"
        Case.objects.bulk_create(self.cases)
        for case in self.cases:
            case.number = case_number(case)
            case._new_in = None
        set_columns(Case, self.cases, ["number"])
        lines = [line for case in self.cases for line in self._lines[id(case)]]
        CaseLine.objects.bulk_create(lines)
        CaseEvent.objects.bulk_create(self.events)
        publish(self.events)  # outbox, analytics, platform push: cases/subscribers.py


def refresh_deadline(case: Case, now: datetime, platform_deadline: datetime | None = None) -> None:
    """The deadline of the step the case has just entered: the platform's own if it gave one."""
    if case.status in TERMINAL:
        case.deadline_at, case.deadline_stage, case.deadline_source = None, "", ""
        return
    returned_signed_at = None
    if case.status == Status.REFUNDING.value and case.pk:
        # The legal 7 days to refund run from when the returned goods arrived (消保法 25).
        first_parcel = case.parcels.order_by("received_at").first()
        returned_signed_at = first_parcel.received_at if first_parcel else None
    deadline = next_deadline(
        case.platform,
        Status(case.status),
        Kind(case.kind),
        now,
        shipped=case.goods_status != GoodsStatus.NOT_SHIPPED,
        platform_deadline=platform_deadline,
        returned_signed_at=returned_signed_at,
    )
    if deadline is None:
        case.deadline_at, case.deadline_stage, case.deadline_source = None, "", ""
    else:
        case.deadline_at = deadline.due_at
        case.deadline_stage = str(deadline.stage)
        case.deadline_source = deadline.source
    case.reminded_at = None
    case.escalated_at = None


def check_move(case: Case, action: Action, by: By) -> Status:
    """Where `action` by `by` would take the case; raises (before anything is written) if it may not.
    For a verb that writes the case's own rows (its lines) before it moves it."""
    return next_status(Kind(case.kind), Status(case.status), action, by.actor)


def move(
    case: Case,
    action: Action,
    by: By,
    *,
    reason_code: str = "",
    note: str = "",
    payload: dict | None = None,
    now: datetime | None = None,
    platform_deadline: datetime | None = None,
    reported: bool = False,
) -> CaseEvent:
    """Apply one transition of the state machine to a locked case and write its event. `reported`: the
    platform (`by`) reports a move made in its workbench (a step of `states.platform_route`): the table
    must have the row, whoever's it is, and it is made at once (it is the platform's own word).

    A staff move the platform decides (states.PLATFORM_DECIDED) on a case of a connected store is not
    made here: it is sent to the platform (a `platform_submitted` event, which the push turns into a
    command) and made by `confirm_platform_move` once the platform confirms it."""
    now = now or clock.now()
    source = Status(case.status)
    if reported:
        if by.actor != Actor.PLATFORM:
            raise PermissionDeniedError("case.actor_not_allowed", action=action.value, actor=by.actor.value)
        target = reported_status(Kind(case.kind), source, action)
        return make_move(case, action, target, by, reason_code=reason_code, note=note, payload=payload, now=now,
                          platform_deadline=platform_deadline)
    target = next_status(Kind(case.kind), source, action, by.actor)
    if case.platform_case_id and platform_decides(action, by.actor):
        if case.awaiting_platform:
            raise ConflictError("case.awaiting_platform", action=case.awaiting_platform)
        mode = platform_gate(case, action.value, target.value)
        if mode:
            return _submit_to_platform(case, action, target, by, mode=mode, reason_code=reason_code, note=note,
                                       payload=payload, now=now)
    return make_move(case, action, target, by, reason_code=reason_code, note=note, payload=payload, now=now,
                      platform_deadline=platform_deadline)


def make_move(case: Case, action: Action, target: Status, by: By, *, reason_code: str, note: str,
               payload: dict | None, now: datetime, platform_deadline: datetime | None = None) -> CaseEvent:
    source = Status(case.status)
    case.status = target.value
    if target in TERMINAL:
        case.closed_at = now
    refresh_deadline(case, now, platform_deadline)
    case.version += 1
    save_case(case)
    return record_event(
        case,
        by,
        action.value,
        from_status=source.value,
        to_status=target.value,
        reason_code=reason_code,
        note=note,
        payload=payload,
        now=now,
    )


def _submit_to_platform(case: Case, action: Action, target: Status, by: By, *, mode: str, reason_code: str,
                        note: str, payload: dict | None, now: datetime) -> CaseEvent:
    """Hand the move to the platform: the case keeps its status, marked as awaiting the platform — or,
    where the platform has no API for it (mode "no_api"), unmarked: the merchant does it in the
    platform's backend and the next pull brings the result."""
    if mode == "send":
        case.awaiting_platform = action.value
    case.version += 1
    save_case(case)
    return record_event(case, by, "platform_submitted", from_status=case.status, reason_code=reason_code,
                        note=note, now=now, payload={"action": action.value, "target": target.value,
                                                     "payload": payload or {}, "mode": mode})
