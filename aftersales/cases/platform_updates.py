"""A platform case follows what its platform says (an export file or a pull): the cases verbs for it.

The platform is the source of truth of its own cases. What it reports is handed here as a
`PlatformView` (canonical values, mapped by `platforms.importing`) and applied by `follow_platform`:

- the facts that are not the status (the platform's raw texts, remedy, reason, amount asked, the
  return's tracking number, the platform's deadline) are compared with the case; what differs is
  written with one `platform_sync` event (actor platform) listing the changes and the raw texts;
- the status moves by the state machine: `states.platform_route` gives the table's moves from where
  the case stands to where the platform says it is, and each is written as its own move (`approve`,
  `receive_return`, `refund_succeeded` …) by the platform. Only where the table has no way there does
  the platform's correction apply — the state machine declares it — as one `platform_sync` move.

The same view again changes nothing and writes nothing. Money is not written here: the importer books
what the platform granted and paid through the refund ledger (`refunds.services.record_platform_refund`),
which this verb calls back (`book_money`) once the case stands in `refunding` (before the refund's
success ends it), so the ledger's events come between the grant's move and the case's completion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from aftersales import natural_keys
from aftersales.cases.buyer_words import read_words
from aftersales.cases.domain.states import TERMINAL, Action, Actor, Status, platform_route
from aftersales.cases.kernel import (
    By,
    case_number,
    locked,
    move,
    new_cases_of,
    record_event,
    refresh_deadline,
    save_case,
)
from aftersales.cases.models import Case, CaseLine
from aftersales.cases.refund_rule import cap_for_new_case
from aftersales.core import clock
from aftersales.core.choices import ArbitrationStatus, ReturnLogistics
from aftersales.core.errors import ConflictError
from aftersales.orders.goods import line_goods_status
from aftersales.orders.models import Order

PLATFORM = By(Actor.PLATFORM)
_TERMINAL = {s.value for s in TERMINAL}

#: What a platform sync compares and, when it differs, overwrites (the status moves on its own).
SYNC_FIELDS = (
    "platform_status_raw", "platform_type_raw", "kind", "reason", "reason_raw", "requested_fen",
    "return_tracking_no", "return_carrier", "return_logistics", "arbitration_status", "deadline_at",
    "deadline_stage", "deadline_source", "closed_at", "goods_status",
)  # fmt: skip

_FOLLOW_THE_STATUS = frozenset({"deadline_at", "deadline_stage", "deadline_source", "closed_at", "arbitration_status"})

#: What each reported move sets beside the status (as the verbs of the same moves do).
_ARBITRATION_AFTER = {
    Action.ESCALATE: ArbitrationStatus.REQUESTED.value,
    Action.RULE_FOR_BUYER: ArbitrationStatus.RULED_FOR_BUYER.value,
}


@dataclass(frozen=True)
class PlatformView:
    """A platform case as its platform reports it now, in canonical values (texts already fitted)."""

    status: str
    status_raw: str = ""
    #: A later step the platform's status also covers (京东 待处理: the return received, or the exchange
    #: being sent): a case already there stays there.
    status_also: str = ""
    kind: str = ""
    kind_raw: str = ""
    reason: str = ""  # empty: the platform did not say
    reason_raw: str = ""
    requested_fen: int | None = None
    return_tracking_no: str = ""  # normalised
    return_carrier: str = ""
    goods_status: str | None = None  # applied to a case seen for the first time only
    deadline_at: datetime | None = None  # the platform's own deadline of the current step
    entered_at: datetime | None = None  # when the case entered its status, as far as the platform tells
    closed_at: datetime | None = None  # when it ended, as the platform tells
    #: Kept with every event it causes: the platform's own texts and where they came from.
    payload: dict = field(default_factory=dict)


@transaction.atomic(savepoint=False)  # the caller's savepoint (one row of an import) undoes it whole
def follow_platform(shop, case: int | Case, view: PlatformView, *, created: bool = False,
                    now: datetime | None = None, book_money: Callable[[], object] | None = None) -> bool:
    """Bring a platform case (its id, or the case held) to what its platform says. Returns whether
    anything was written.

    Call inside the writer's transaction. A case opened in memory (`kernel.NewCases`, a page of new
    cases) is brought there in memory and written with its page. `book_money` (the importer's booking
    in the refund ledger) is called once: when the walk stands in `refunding`, else at the end."""
    case = locked(shop, case)
    now = max(now or clock.now(), case.created_at)
    before = {name: getattr(case, name) for name in SYNC_FIELDS}
    source = case.status
    _apply_facts(case, view, created)
    written = booked = False
    money_pending = book_money is not None
    if view.status != source and view.status_also != source:
        route = platform_route(case.kind, source, view.status)
        if route.correction:
            _correct(case, view, now)
        for step in route.steps:
            if money_pending and step.action == Action.REFUND_SUCCEEDED:
                booked = _book(case, book_money)
                money_pending = False
            if step.action in _ARBITRATION_AFTER:
                case.arbitration_status = _ARBITRATION_AFTER[step.action]
            move(case, step.action, PLATFORM, reported=True, now=now, payload={**view.payload, "reported": True})
        written = True
    if case.status == Status.ARBITRATION.value and case.arbitration_status == ArbitrationStatus.NONE.value:
        case.arbitration_status = ArbitrationStatus.REQUESTED.value
    _close_and_deadline(case, view, source)
    # Deadlines, the end and the arbitration follow a move; they are news only when the status stayed.
    compared = [name for name in SYNC_FIELDS if not (written and name in _FOLLOW_THE_STATUS)]
    changes = {name: [_plain(before[name]), _plain(getattr(case, name))]
               for name in compared if getattr(case, name) != before[name]}
    if changes or written:
        if changes:
            case.version += 1
        save_case(case)
    if changes:
        record_event(case, PLATFORM, "platform_sync", from_status=case.status, to_status=case.status,
                     reason_code="platform_fields", payload={**view.payload, "changes": changes}, now=now)
        written = True
    if money_pending:
        booked = _book(case, book_money)
    return written or booked


@transaction.atomic
def open_reported_case(shop, *, order_id: int, line_id: int, quantity: int, kind: str, reason: str,
                       buyer_note: str, platform_case_id: str, asked_at: datetime) -> tuple[Case, bool]:
    """(the case, whether it is new): a platform case our rules would not have opened (its units are
    already in another open case …), recorded as the platform reports it — no policy decision, nothing
    asked yet. Created once: the platform's case id is the natural key, and a concurrent import that
    wrote it first is answered with its case."""
    order = Order.objects.select_for_update(no_key=True).get(shop=shop, pk=order_id)
    key = {"shop": shop, "platform": order.platform, "platform_case_id": platform_case_id}

    def create() -> Case:
        line = order.lines.get(pk=line_id)
        goods_status = line_goods_status(order, line).value  # the one line the platform reported
        cap = cap_for_new_case(order, [(line, quantity)], kind=kind, reason=reason)  # the refund rule
        case = Case.objects.create(
            shop=shop, number=f"tmp-{clock.now().timestamp()}-{order.pk}", order=order, buyer_id=order.buyer_id,
            platform=order.platform, platform_case_id=platform_case_id, kind=kind,
            status=Status.REQUESTED.value, goods_status=goods_status, reason=reason,
            buyer_note=buyer_note, wanted_remedy=kind, requested_fen=0, refund_cap_fen=cap, created_at=asked_at,
            **read_words(buyer_note),
        )
        case.number = case_number(case)
        refresh_deadline(case, asked_at)
        case.save()
        CaseLine.objects.create(case=case, order_line=line, quantity=quantity, goods_status=goods_status)
        record_event(case, By(Actor.BUYER), "open", to_status=Status.REQUESTED.value, note=buyer_note,
                     now=asked_at, payload={"lines": [[line.pk, quantity]], "as_reported": True})
        return case

    return natural_keys.create_once(lambda: Case.objects.filter(**key).first(), create, same=lambda _case: True,
                                    conflict=lambda: ConflictError("case.exists", platform_case_id=platform_case_id))


def _apply_facts(case: Case, view: PlatformView, created: bool) -> None:
    case.platform_status_raw = view.status_raw
    case.platform_type_raw = view.kind_raw
    if view.kind:
        case.kind = view.kind
    if view.reason:
        case.reason, case.reason_raw = view.reason, view.reason_raw
    if view.requested_fen is not None:
        case.requested_fen = view.requested_fen
    if view.return_tracking_no:
        case.return_tracking_no = view.return_tracking_no
        case.return_carrier = view.return_carrier or case.return_carrier
        if case.return_logistics == ReturnLogistics.NONE.value:
            case.return_logistics = ReturnLogistics.SHIPPED.value
    if created and view.goods_status:
        case.goods_status = view.goods_status
        # The platform's after-sale is about one line: that line's goods are where it says.
        page = new_cases_of(case)
        if page is None:
            CaseLine.objects.filter(case=case).update(goods_status=view.goods_status)
        else:
            for line in page.lines_of(case):
                line.goods_status = view.goods_status


def _correct(case: Case, view: PlatformView, now: datetime) -> None:
    """The platform's correction (states.PlatformRoute.correction): one `platform_sync` move."""
    source = case.status
    case.status = view.status
    case.version += 1
    save_case(case)
    record_event(case, PLATFORM, "platform_sync", from_status=source, to_status=case.status,
                 reason_code="platform_status", payload={**view.payload, "correction": True}, now=now)


def _book(case: Case, book_money: Callable[[], object]) -> bool:
    """The ledger books on its own locked row: save ours first, then read back what it wrote (a case
    opened in memory books nothing: the page writer leaves those with money to the one-by-one path)."""
    if new_cases_of(case) is not None:
        raise ValueError("money is booked on a stored case")
    case.save()
    booked = bool(book_money())
    case.refresh_from_db()
    return booked


def _close_and_deadline(case: Case, view: PlatformView, source: str) -> None:
    status_changed = case.status != source
    if case.status in _TERMINAL:
        if status_changed or case.closed_at is None:
            case.closed_at = view.closed_at or clock.now()
    else:
        case.closed_at = None
    platform_deadline = view.deadline_at if case.status not in _TERMINAL else None
    new_platform_deadline = platform_deadline is not None and (
        case.deadline_source != "platform" or case.deadline_at != platform_deadline
    )
    if status_changed or new_platform_deadline:
        # Without a platform deadline the fallback table runs from when the case entered the status.
        refresh_deadline(case, view.entered_at or clock.now(), platform_deadline)


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value
