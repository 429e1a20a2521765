"""The deadline sweeper: remind, escalate, and act for the platform when its timer runs out.

Every open case carries the deadline of its current step (`deadline_at`, set by kernel.move). For
each case one sweep does at most one of three things, and the case row itself records that it was
done, so the sweep is idempotent and survives restarts:

- remind — `reminded_at`: the assignee (the owners if nobody is assigned), `Shop.reminder_hours`
  before a deadline on the merchant's side;
- escalate — `escalated_at`: the owners, ESCALATE_BEFORE before it;
- expire — when the deadline has passed: do what the platform does by itself (auto-approve,
  auto-close, auto-refund, auto-confirm) through the real services as the SYSTEM actor, or, when
  nothing happens by itself (our own legal 7-day refund clock, an own-shop case), escalate to the
  owners as overdue. An overdue escalation stamps `escalated_at` at or after the deadline; that is
  how a later sweep knows the deadline was dealt with. A move sets a new deadline and clears both
  stamps. While the platform arbitrates, its clock is its own: nothing is reminded or overdue.

A case whose deadline had already passed when its platform state was taken (an import of an old
export: `deadlines.behind_platform`) is left alone: the platform's timer acted on it before the shop had
it; a fresh export or a pull says what it did.

Only real shops are swept: a training shop's cases (`Shop.training_of`) follow the training simulator's
clock, so the real platform never auto-approves a trainee's abandoned case.

Several workers may sweep at once: due cases are claimed in batches with
`SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL), and what to do is decided again from the locked row,
so a case that another worker has just handled is left alone. On SQLite every write transaction is
serialised (BEGIN IMMEDIATE), so the second worker sees the first one's stamps.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.module_loading import import_string

from aftersales.accounts.models import Shop
from aftersales.cases import kernel, services
from aftersales.cases.domain import deadlines
from aftersales.cases.domain.deadlines import DefaultAction, Stage, default_action, timer_actions
from aftersales.cases.domain.states import OPEN_STATUSES, Action, Actor, Status
from aftersales.cases.models import Case, CaseEvent
from aftersales.cases.selectors import behind_platform_q
from aftersales.cases.subscribers import Batch, publish
from aftersales.core import clock, labels
from aftersales.core.errors import DomainError

logger = logging.getLogger("aftersales.timers")

#: The owners hear about a merchant-side deadline this long before it passes.
ESCALATE_BEFORE = timedelta(minutes=int(getattr(settings, "AFTERSALES_ESCALATE_MINUTES", 60)))
#: Cases claimed (and locked) per transaction.
BATCH_SIZE = 100

#: Steps where the buyer must act: nobody on staff is reminded, only the expiry is handled.
BUYER_STAGES = frozenset(s.value for s in deadlines.BUYER_STAGES)
#: Steps where the platform has the case (arbitration): it rules; nothing is due from the sweeper, and a
#: deadline passing there is nobody's overdue at the shop.
PLATFORM_STAGES = frozenset(s.value for s in deadlines.PLATFORM_STAGES)
#: Our own clocks (the law's, not a platform's): when they pass we escalate, we never act.
OWN_CLOCKS = frozenset({Stage.LEGAL_REFUND_AFTER_RECEIPT.value, Stage.REFUND_PAYOUT.value})
TIMEOUT_NOTE = "超时：按平台规则由系统处理"


class Step(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"
    EXPIRE = "expire"


def on_expiry(case: Case) -> DefaultAction:
    """What happens by itself when the case's current deadline passes."""
    stage = case.deadline_stage
    if not stage:
        return DefaultAction.NONE
    if stage in OWN_CLOCKS and case.deadline_source != "platform":
        return DefaultAction.NONE  # e.g. refund within 7 days of receiving the return: a person must pay
    try:
        return default_action(case.platform, stage)
    except (DomainError, ValueError):
        return DefaultAction.NONE


def due_step(case: Case, now: datetime, reminder_lead: timedelta,
             escalate_lead: timedelta = ESCALATE_BEFORE) -> Step | None:
    """The one thing to do for `case` at `now`, or None. Decided from the row alone (pure)."""
    due = case.deadline_at
    if due is None or case.status not in OPEN_STATUSES or case.deadline_stage in PLATFORM_STAGES:
        return None
    if deadlines.behind_platform(due, case.platform_seen_at):
        return None  # the platform's timer acted before we had the case: only its newer word moves it
    if due <= now:
        if case.escalated_at is None or case.escalated_at < due:
            return Step.EXPIRE
        return None
    if case.deadline_stage in BUYER_STAGES or case.escalated_at is not None:
        return None
    if due - escalate_lead <= now:
        return Step.ESCALATE
    if reminder_lead > timedelta(0) and due - reminder_lead <= now and case.reminded_at is None:
        return Step.REMIND
    return None


def due_cases(now: datetime, escalate_lead: timedelta = ESCALATE_BEFORE) -> QuerySet[Case]:
    """Open cases with something to do at `now` (the SQL form of `due_step`)."""
    open_ = [s.value for s in OPEN_STATUSES]
    expired = Q(deadline_at__lte=now) & (Q(escalated_at__isnull=True) | Q(escalated_at__lt=F("deadline_at")))
    staff_side = Q(escalated_at__isnull=True) & ~Q(deadline_stage__in=BUYER_STAGES)
    near = Q(deadline_at__lte=now + escalate_lead)
    horizon = now + escalate_lead
    lead_hours = Shop.objects.filter(reminder_hours__gt=0).values_list("reminder_hours", flat=True).distinct()
    for hours in lead_hours:
        near |= Q(shop__reminder_hours=hours, deadline_at__lte=now + timedelta(hours=hours),
                  reminded_at__isnull=True)
        horizon = max(horizon, now + timedelta(hours=hours))
    # The outer bound lets the database walk the deadline index instead of every open case. A training
    # shop's cases are left out: the training simulator plays their buyer and platform, clocks included.
    open_cases = Case.objects.filter(deadline_at__lte=horizon, status__in=open_, shop__in=Shop.objects.real())
    return (open_cases.filter(expired | (staff_side & near)).exclude(deadline_stage__in=PLATFORM_STAGES)
            .exclude(behind_platform_q()))


@dataclass
class Done:
    case_id: int
    number: str
    step: Step
    stage: str
    outcome: str


@dataclass
class SweepReport:
    now: datetime
    counts: Counter = field(default_factory=Counter)
    done: list[Done] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    batch: Batch = field(default_factory=Batch, repr=False)  # the subscribers' lookups, shared by a sweep

    @property
    def handled(self) -> int:
        return len(self.done)

    def summary(self) -> str:
        parts = [f"{key}={value}" for key, value in sorted(self.counts.items())]
        return f"{clock.to_shanghai(self.now):%Y-%m-%d %H:%M:%S} " + (" ".join(parts) or "nothing due")


def sweep(now: datetime | None = None, *, batch_size: int = BATCH_SIZE,
          limit: int | None = None) -> SweepReport:
    """One pass over every due case. Safe to run in several processes at once."""
    now = now or clock.now()
    report = SweepReport(now=now)
    shops: dict[int, Shop] = {}
    after: tuple[datetime, int] | None = None
    while limit is None or report.handled < limit:
        size = batch_size if limit is None else min(batch_size, limit - report.handled)
        with transaction.atomic():
            claimed = _claim(now, after, size)
            if not claimed:
                break
            after = (claimed[-1].deadline_at, claimed[-1].pk)
            _load_shops(shops, claimed)
            _handle_batch(claimed, shops, now, report)
        if len(claimed) < size:
            break
    return report


def _claim(now: datetime, after: tuple[datetime, int] | None, size: int) -> list[Case]:
    qs = due_cases(now)
    if after is not None:
        qs = qs.filter(Q(deadline_at__gt=after[0]) | Q(deadline_at=after[0], pk__gt=after[1]))
    qs = qs.order_by("deadline_at", "pk").select_for_update(skip_locked=True, of=("self",))
    return list(qs[:size])


def _load_shops(shops: dict[int, Shop], cases: list[Case]) -> None:
    missing = {c.shop_id for c in cases} - shops.keys()
    if missing:
        shops.update(Shop.objects.in_bulk(missing))


def _handle_batch(claimed: list[Case], shops: dict[int, Shop], now: datetime, report: SweepReport) -> None:
    """Notices (reminders, escalations, overdue) are written together; platform actions one by one."""
    notices: list[tuple[Case, Step]] = []
    actions: list[Case] = []
    for case in claimed:
        case.shop = shops[case.shop_id]
        step = due_step(case, now, timedelta(hours=case.shop.reminder_hours))
        if step is None:  # another worker got there first, or the deadline moved
            continue
        if step == Step.EXPIRE and timer_actions(on_expiry(case), case.status, case.kind):
            actions.append(case)
        else:
            notices.append((case, step))
    if notices:
        try:
            with transaction.atomic():
                _write_notices(notices, now, report)
        except Exception:  # find the case that fails, and let the others through
            logger.exception("deadline notices failed as a batch; writing them one by one")
            for notice in notices:
                _guarded(notice[0], report, lambda n=notice: _write_notices([n], now, report))
    for case in actions:
        _guarded(case, report, lambda c=case: _expire(c, now, report))


def _guarded(case: Case, report: SweepReport, work) -> None:
    try:
        with transaction.atomic():
            work()
    except Exception as exc:  # one bad case must not stop the sweep; it is tried again next time
        logger.exception("deadline sweep failed on case %s", case.pk)
        report.counts["error"] += 1
        report.errors.append(f"{case.number}: {type(exc).__name__}: {exc}")


def _timer_payload(case: Case, expiry: DefaultAction) -> dict:
    return {"stage": case.deadline_stage, "deadline_at": case.deadline_at.isoformat(),
            "source": case.deadline_source, "on_expiry": expiry.value}


#: The event each notice writes, and how the report counts it.
_NOTICE = {
    Step.REMIND: ("deadline_reminder", "reminded"),
    Step.ESCALATE: ("deadline_escalation", "escalated"),
    Step.EXPIRE: ("deadline_passed", "overdue"),
}
OVERDUE_TEXT = "仍未处理，须人工处理（已超时）。"


def _write_notices(notices: list[tuple[Case, Step]], now: datetime, report: SweepReport,
                   failed: str | None = None) -> None:
    """Stamp the cases and write their events and messages: what kernel.record_event does, for many
    cases in a few statements."""
    reminded = [case.pk for case, step in notices if step == Step.REMIND]
    escalated = [case.pk for case, step in notices if step != Step.REMIND]
    if reminded:
        Case.objects.filter(pk__in=reminded).update(reminded_at=now)
    if escalated:  # an overdue notice is an escalation stamped at or after the deadline
        Case.objects.filter(pk__in=escalated).update(
            escalated_at=now, reminded_at=Coalesce("reminded_at", Value(now, output_field=DateTimeField())))
    events = []
    for case, step in notices:
        action, outcome = _NOTICE[step]
        payload = _timer_payload(case, on_expiry(case))
        if step == Step.EXPIRE:
            payload.update(outcome="overdue", actions=[], notify_staff=True, outcome_text=OVERDUE_TEXT)
            if failed:
                payload["failed"] = failed
        events.append(CaseEvent(
            case=case, shop_id=case.shop_id, action=action, actor=Actor.SYSTEM.value, from_status=case.status,
            to_status=case.status, reason_code="overdue" if step == Step.EXPIRE else "", payload=payload,
            created_at=now))
    events = CaseEvent.objects.bulk_create(events)
    if any(event.pk is None for event in events):  # pragma: no cover - every supported database returns ids
        raise RuntimeError("the database did not return the new event ids")
    publish(events, report.batch)
    for case, step in notices:
        outcome = _NOTICE[step][1]
        report.counts[outcome] += 1
        report.done.append(Done(case.pk, case.number, step, case.deadline_stage, outcome))


def _expire(case: Case, now: datetime, report: SweepReport) -> None:
    """The deadline has passed and the platform acts by itself: carry that out through the services.
    Should the move not fit the case (the platform's default is refused), the owners get it as overdue."""
    expiry = on_expiry(case)
    steps = timer_actions(expiry, case.status, case.kind)
    try:
        with transaction.atomic():
            passed = CaseEvent.objects.create(
                case=case, shop_id=case.shop_id, action="deadline_passed", actor=Actor.SYSTEM.value,
                from_status=case.status, to_status=case.status, reason_code="timeout", created_at=now,
                payload={**_timer_payload(case, expiry), "outcome": expiry.value,
                         "actions": [s.value for s in steps],
                         "notify_staff": case.deadline_stage not in BUYER_STAGES,
                         "outcome_text": _outcome_text(expiry)})
            publish([passed], report.batch)  # as kernel.record_event, with the sweep's cached lookups
            for action in steps:
                _act(case.shop, case.pk, action, now)
    except DomainError as exc:
        logger.warning("timer action %s failed on case %s: %s", expiry.value, case.pk, exc.code)
        _write_notices([(case, Step.EXPIRE)], now, report, failed=exc.code)
        return
    report.counts[expiry.value] += 1
    report.done.append(Done(case.pk, case.number, Step.EXPIRE, case.deadline_stage, expiry.value))


def _outcome_text(expiry: DefaultAction) -> str:
    done = labels.label(labels.CONSEQUENCE, expiry.value, "zh-hans").replace("到期后", "").rstrip("。")
    return f"已按平台规则处理：{done}。"


def _act(shop: Shop, case_id: int, action: Action, now: datetime) -> None:
    """Carry out one move of the platform's default through the services, as the SYSTEM actor."""
    by = services.SYSTEM
    if action == Action.APPROVE:
        case = services.approve_case(shop, case_id, by, note=TIMEOUT_NOTE, now=now)
    elif action == Action.CLOSE:
        case = services.close_case(shop, case_id, by, reason_code="timeout", note=TIMEOUT_NOTE, now=now)
    elif action == Action.CONFIRM_RECEIPT:
        case = services.confirm_receipt(shop, case_id, by, now=now)
    elif action in (Action.RECEIVE_RETURN, Action.PASS_INSPECTION):
        # The platform deems the parcel received / the second review passed; no parcel or
        # inspection is invented at our warehouse.
        with transaction.atomic():
            case = kernel.lock_case(shop, case_id)
            kernel.move(case, action, by, reason_code="timeout", note=TIMEOUT_NOTE, now=now)
            if action == Action.PASS_INSPECTION:  # refunded before receipt (极速退款): nothing to pay again
                services.complete_if_refunded_before_receipt(case, now=now)
    else:  # pragma: no cover - timer_actions yields only the moves above
        raise DomainError("timer.unsupported_action", action=action.value)
    if case.status == Status.REFUNDING.value and action in (Action.APPROVE, Action.PASS_INSPECTION):
        _grant_platform_refund(shop, case, now)


#: What the platform does when its timer moved a case into `refunding` (it pays by itself): the refunds
#: app records the grant. Named by path and resolved on first use, like the case subscribers
#: (cases/subscribers.py), so the cases app does not import the refunds app that builds on it.
PLATFORM_REFUND = "aftersales.refunds.timers.grant_platform_refund"


@cache
def _platform_refund():
    return import_string(PLATFORM_REFUND)


def _grant_platform_refund(shop: Shop, case: Case, now: datetime) -> None:
    """The platform pays out by itself: record the grant so that the money owed shows on the case."""
    _platform_refund()(shop, case, now=now, note=TIMEOUT_NOTE)
