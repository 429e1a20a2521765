"""The deadline sweeper: remind once, escalate once, and act as the platform when its timer passes."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from aftersales.cases import kernel, services, timers
from aftersales.cases.domain.deadlines import Stage
from aftersales.cases.models import Case, CaseEvent
from aftersales.core.errors import ConflictError
from aftersales.notifications.models import Message
from tests.integration.test_timers_support import (
    MERCHANT,
    T0,
    bulk_cases,
    frozen_clock,  # noqa: F401 - a fixture
    make_order,
    make_shop,
    make_staff,
    open_case,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def actions(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True))


@pytest.fixture
def shop():
    shop = make_shop(reminder_hours=4)
    make_staff(shop, "owner", "owner", email="owner@example.com")
    return shop


def test_reminds_then_escalates_then_the_platform_auto_approves(shop):
    agent = make_staff(shop, "agent", "agent")
    case = open_case(shop, make_order(shop, platform="douyin"))  # refund only: Douyin reviews in 48h
    services.assign_case(shop, case.pk, MERCHANT, assignee=agent, now=T0)
    case.refresh_from_db()
    due = case.deadline_at
    assert (case.deadline_stage, case.deadline_source) == ("merchant_review", "fallback")
    assert due == T0 + timedelta(hours=48)

    assert timers.sweep(due - timedelta(hours=5)).handled == 0
    report = timers.sweep(due - timedelta(hours=4))
    assert report.counts == {"reminded": 1}
    assert timers.sweep(due - timedelta(hours=3)).handled == 0  # once per deadline
    reminder = Message.objects.get(template="staff.deadline_reminder")
    assert reminder.recipient_user == agent and reminder.audience == "staff"

    assert timers.sweep(due - timedelta(minutes=59)).counts == {"escalated": 1}
    assert timers.sweep(due - timedelta(minutes=1)).handled == 0
    escalations = Message.objects.filter(template="staff.deadline_escalation")
    assert {m.recipient_user.username for m in escalations} == {"owner", "agent"}

    report = timers.sweep(due)
    assert report.counts == {"auto_approve": 1}
    case.refresh_from_db()
    assert case.status == "refunding"
    assert actions(case)[-3:] == ["deadline_passed", "approve", "grant_refund"]
    approve = CaseEvent.objects.get(case=case, action="approve")
    assert approve.actor == "system" and approve.created_at == due
    assert case.refund_granted_fen == case.requested_fen > 0  # the platform pays out: recorded as a grant
    # The new step has its own deadline, and the stamps are cleared for it.
    assert case.deadline_stage == "refund_payout" and case.reminded_at is None and case.escalated_at is None
    assert Message.objects.filter(case=case, audience="buyer", template="case.approved_refund").count() == 1
    assert timers.sweep(due + timedelta(minutes=1)).handled == 0


def test_unassigned_case_reminds_the_owners(shop):
    case = open_case(shop, make_order(shop, platform="douyin"))
    timers.sweep(case.deadline_at - timedelta(hours=3))
    reminders = Message.objects.filter(template="staff.deadline_reminder")
    assert [m.recipient_user.username for m in reminders] == ["owner"]


def test_the_legal_refund_clock_is_escalated_never_acted_on(shop):
    [case] = bulk_cases(shop, 1, platform="douyin", status="return_received", kind="return_refund",
                        stage=Stage.LEGAL_REFUND_AFTER_RECEIPT.value, deadlines=[T0 + timedelta(days=1)])
    report = timers.sweep(T0 + timedelta(days=2))
    assert report.counts == {"overdue": 1}
    case.refresh_from_db()
    assert case.status == "return_received"  # nobody refunded by timer
    assert case.escalated_at == T0 + timedelta(days=2) >= case.deadline_at
    passed = CaseEvent.objects.get(case=case, action="deadline_passed")
    assert passed.payload["outcome"] == "overdue" and passed.payload["on_expiry"] == "none"
    assert Message.objects.filter(case=case, template="staff.deadline_passed").count() == 1
    assert timers.sweep(T0 + timedelta(days=3)).handled == 0  # the overdue stamp is after the deadline


def test_a_platform_deadline_on_the_second_review_refunds_as_the_platform_does(shop):
    [case] = bulk_cases(shop, 1, platform="douyin", status="return_received", kind="return_refund",
                        stage=Stage.LEGAL_REFUND_AFTER_RECEIPT.value, source="platform",
                        deadlines=[T0 + timedelta(hours=1)])
    assert timers.sweep(T0 + timedelta(hours=2)).counts == {"auto_refund": 1}
    case.refresh_from_db()
    assert case.status == "refunding"
    assert actions(case) == ["deadline_passed", "pass_inspection"]  # nothing to grant on a zero request
    assert not case.inspections.exists()  # no inspection is invented


def test_buyer_overdue_return_closes_the_case_without_bothering_staff(shop):
    case = open_case(shop, make_order(shop, platform="taobao"), kind="return_refund")
    services.approve_case(shop, case.pk, MERCHANT, now=T0)
    case.refresh_from_db()
    assert case.deadline_stage == "buyer_return_shipment"
    assert timers.sweep(case.deadline_at - timedelta(minutes=30)).handled == 0  # no staff reminder
    report = timers.sweep(case.deadline_at)
    assert report.counts == {"auto_close": 1}
    case.refresh_from_db()
    assert case.status == "closed" and case.deadline_at is None
    close = CaseEvent.objects.get(case=case, action="close")
    assert (close.actor, close.reason_code) == ("system", "timeout")
    assert not Message.objects.filter(case=case, audience="staff").exists()
    closed = Message.objects.get(case=case, template="case.closed")
    assert "超时" in closed.body


def test_arbitration_is_the_platform_s_clock_nothing_is_reminded_or_overdue(shop):
    case = open_case(shop, make_order(shop, platform="jd"))
    services.escalate_case(shop, case.pk, MERCHANT, now=T0)
    case.refresh_from_db()
    assert (case.status, case.deadline_stage) == ("arbitration", "arbitration_evidence")
    before = actions(case)
    assert timers.sweep(case.deadline_at - timedelta(minutes=30)).handled == 0
    assert timers.sweep(case.deadline_at + timedelta(days=2)).handled == 0
    assert actions(case) == before
    assert not Message.objects.filter(case=case, audience="staff").exists()


def test_exchange_auto_confirms_receipt(shop):
    [case] = bulk_cases(shop, 1, platform="pdd", status="awaiting_buyer_receipt", kind="exchange",
                        stage=Stage.BUYER_CONFIRM_RECEIPT.value, deadlines=[T0])
    assert timers.sweep(T0).counts == {"auto_confirm": 1}
    case.refresh_from_db()
    assert case.status == "completed"
    assert Message.objects.filter(case=case, template="case.completed").count() == 1


def test_own_shop_review_is_escalated_as_overdue(shop):
    case = open_case(shop, make_order(shop, platform="own"))
    assert timers.sweep(case.deadline_at + timedelta(hours=1)).counts == {"overdue": 1}
    case.refresh_from_db()
    assert case.status == "requested"


def test_a_refused_timer_action_falls_back_to_an_overdue_escalation(shop, monkeypatch):
    case = open_case(shop, make_order(shop, platform="douyin"))

    def refuse(*args, **kwargs):
        raise ConflictError("case.illegal_transition", action="approve", status="requested",
                            kind="refund_only")

    monkeypatch.setattr(services, "approve_case", refuse)
    assert timers.sweep(case.deadline_at).counts == {"overdue": 1}
    passed = CaseEvent.objects.filter(case=case, action="deadline_passed")
    assert [p.payload["outcome"] for p in passed] == ["overdue"]  # the failed attempt left no trace
    assert passed[0].payload["failed"] == "case.illegal_transition"
    case.refresh_from_db()
    assert case.status == "requested"


def test_a_new_deadline_from_the_platform_starts_over(shop):
    case = open_case(shop, make_order(shop, platform="douyin"))
    timers.sweep(case.deadline_at - timedelta(minutes=30))
    case.refresh_from_db()
    assert case.reminded_at and case.escalated_at
    later = case.deadline_at + timedelta(days=1)
    kernel.refresh_deadline(case, T0, platform_deadline=later)  # an import brings the platform's own
    case.save()
    assert timers.sweep(later - timedelta(hours=3)).counts == {"reminded": 1}


def test_each_deadline_is_handled_once_however_often_the_sweep_runs(shop):
    n = 300
    deadlines = [T0 + timedelta(minutes=7 * i) for i in range(n)]
    cases = bulk_cases(shop, n, platform="own", status="requested", kind="refund_only",
                       stage="merchant_review", deadlines=deadlines)
    now = T0 - timedelta(hours=5)
    while now <= deadlines[-1] + timedelta(minutes=10):
        timers.sweep(now, batch_size=17)
        timers.sweep(now, batch_size=17)  # a second worker, or a restart, at the same moment
        now += timedelta(minutes=10)
    counts = CaseEvent.objects.filter(case__in=cases).values_list("case_id", "action")
    per_case: dict[int, list[str]] = {}
    for case_id, action in counts:
        per_case.setdefault(case_id, []).append(action)
    assert all(sorted(a) == ["deadline_escalation", "deadline_passed", "deadline_reminder"]
               for a in per_case.values())
    assert len(per_case) == n


def test_run_timers_once_prints_what_it_did(shop):
    case = open_case(shop, make_order(shop, platform="douyin"))
    out = StringIO()
    with time_machine.travel(case.deadline_at + timedelta(minutes=1), tick=False):
        call_command("run-timers", "--once", stdout=out)
    text = out.getvalue()
    assert "auto_approve=1" in text
    assert case.number in text and "merchant_review" in text


def test_the_worker_has_an_every_minute_task():
    from huey.contrib.djhuey import HUEY

    from aftersales.notifications import tasks

    names = {task.name for task in HUEY._registry.periodic_tasks}
    assert {"aftersales.sweep_deadlines", "aftersales.deliver_outbox"} <= names
    assert isinstance(tasks.sweep_deadlines.call_local(), str)
    assert isinstance(tasks.deliver_outbox.call_local(), str)


def test_a_training_shop_s_overdue_case_is_left_to_the_training_simulator(shop):
    # A trainee's sandbox of the real shop: its buyer and platform are simulated, never the real sweeper.
    training = make_shop("training", training_of=shop)
    real = open_case(shop, make_order(shop, platform="douyin"))
    practice = open_case(training, make_order(training, platform="douyin"))
    assert real.deadline_at == practice.deadline_at == T0 + timedelta(hours=48)
    before = actions(practice)

    report = timers.sweep(real.deadline_at + timedelta(hours=1))

    assert report.counts == {"auto_approve": 1} and [d.case_id for d in report.done] == [real.pk]
    real.refresh_from_db()
    practice.refresh_from_db()
    assert real.status == "refunding"
    assert (practice.status, practice.reminded_at, practice.escalated_at) == ("requested", None, None)
    assert actions(practice) == before
    assert not Message.objects.filter(case=practice).exists()
    assert practice.pk not in timers.due_cases(real.deadline_at + timedelta(hours=1)).values_list("pk", flat=True)
