"""10,000 deadlines: the clock moves across all of them and none is missed or handled twice; and two
sweepers racing on PostgreSQL handle each case exactly once."""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections

from aftersales.cases import timers
from aftersales.cases.models import Case, CaseEvent
from aftersales.notifications.models import Message
from tests.integration.test_timers_support import T0, bulk_cases, make_shop, make_staff

#: (platform, status, kind, stage), how many, other fields, and the events each case must end with,
#: once each. Reminders, escalations and overdue notices are written a batch at a time; the
#: platform's own actions go one case at a time through the services (with their buyer messages).
#: The JD cases were reminded before a restart: only the row's stamp is left, and no second reminder
#: may follow it.
MIX = [
    (("own", "requested", "exchange", "merchant_review"), 4700, {"one_order": True},
     ["deadline_escalation", "deadline_passed", "deadline_reminder"]),
    (("jd", "return_received", "return_refund", "legal_refund_after_receipt"), 4700,
     {"reminded_at": T0, "one_order": True},
     ["deadline_escalation", "deadline_passed"]),
    (("douyin", "requested", "refund_only", "merchant_review"), 200, {},
     ["approve", "deadline_escalation", "deadline_passed", "deadline_reminder"]),
    (("taobao", "awaiting_return", "return_refund", "buyer_return_shipment"), 200, {},
     ["close", "deadline_passed"]),
    (("pdd", "awaiting_buyer_receipt", "exchange", "buyer_confirm_receipt"), 200, {},
     ["confirm_receipt", "deadline_passed"]),
]


def events_by_case(case_ids) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for case_id, action in CaseEvent.objects.filter(case_id__in=case_ids).values_list("case_id", "action"):
        found[case_id].append(action)
    return found


@pytest.mark.django_db
def test_ten_thousand_deadlines_none_missed_none_twice():
    shop = make_shop("big", reminder_hours=4)
    make_staff(shop, "owner", "owner")
    agent = make_staff(shop, "agent", "agent")
    rng = random.Random(5)
    window = timedelta(hours=48)
    expected: dict[int, list[str]] = {}
    made_per: list[int] = []
    for (platform, status, kind, stage), count, fields, wanted in MIX:
        made_per.append(count)
        deadlines = [
            T0 + timedelta(seconds=rng.randrange(3600 * 5, int(window.total_seconds()))) for _ in range(count)
        ]
        made = bulk_cases(
            shop,
            count,
            platform=platform,
            status=status,
            kind=kind,
            stage=stage,
            deadlines=deadlines,
            assignee=agent if platform == "douyin" else None,  # the assignee and the owners hear of it
            prefix=f"K{platform}",
            **fields,
        )
        expected.update({case.pk: wanted for case in made})
    assert len(expected) == sum(made_per) == 10_000

    totals: Counter = Counter()
    now = T0
    while now <= T0 + window + timedelta(hours=1):
        with time_machine.travel(now, tick=False):
            totals.update(timers.sweep().counts)
            assert timers.sweep().handled == 0  # a second sweep at the same moment finds nothing
        now += timedelta(hours=1)  # reminders 4h and escalations 1h ahead: each window holds a sweep

    found = events_by_case(expected)
    wrong = {
        pk: sorted(found.get(pk, [])) for pk, want in expected.items() if sorted(found.get(pk, [])) != want
    }
    assert not wrong, f"{len(wrong)} cases missed or handled twice, e.g. {list(wrong.items())[:3]}"
    assert totals["error"] == 0
    own, jd, douyin = made_per[:3]
    assert totals["reminded"] == own + douyin
    assert totals["escalated"] == own + jd + douyin
    assert totals["overdue"] == own + jd
    assert (totals["auto_approve"], totals["auto_close"], totals["auto_confirm"]) == tuple(made_per[2:])
    assert not Case.objects.filter(pk__in=expected, deadline_at__lte=now, escalated_at__isnull=True).exists()
    # One staff message per reminder (the assignee, or the owner), none for the buyers' own clocks.
    assert Message.objects.filter(template="staff.deadline_reminder").count() == own + douyin


def _race(worker_count: int, now, batch_size: int) -> list[Counter]:
    results: list[Counter] = [Counter() for _ in range(worker_count)]
    barrier = threading.Barrier(worker_count)

    def work(slot: int) -> None:
        try:
            barrier.wait()
            while True:
                report = timers.sweep(now, batch_size=batch_size)
                results[slot].update(report.counts)
                if not report.handled:
                    return
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(worker_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_on_postgresql_handle_each_case_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are PostgreSQL's; SQLite serialises writers instead")
    shop = make_shop("race", reminder_hours=4)
    make_staff(shop, "owner", "owner")
    n, m = 600, 1500  # platform actions (one by one), reminders (in batches)
    due = [T0 + timedelta(seconds=i) for i in range(m)]
    expiring = bulk_cases(
        shop,
        n,
        platform="taobao",
        status="awaiting_return",
        kind="return_refund",
        stage="buyer_return_shipment",
        deadlines=due[:n],
        prefix="X",
    )
    reminding = bulk_cases(
        shop,
        m,
        platform="own",
        status="requested",
        kind="refund_only",
        stage="merchant_review",
        deadlines=[d + timedelta(hours=3) for d in due],
        prefix="R",
    )

    results = _race(2, T0 + timedelta(hours=1), batch_size=25)

    found = events_by_case([c.pk for c in expiring + reminding])
    assert all(sorted(found[c.pk]) == ["close", "deadline_passed"] for c in expiring)
    assert all(found[c.pk] == ["deadline_reminder"] for c in reminding)
    total = sum(results, Counter())
    assert total["auto_close"] == n and total["reminded"] == m and total["error"] == 0
    assert all(r["auto_close"] + r["reminded"] > 0 for r in results), f"one worker did nothing: {results}"
