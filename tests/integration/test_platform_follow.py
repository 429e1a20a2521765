"""A platform case follows its platform through the cases verbs: the table's moves reported by the
platform, the platform's correction where the table has no way, nothing written for news already known."""

from __future__ import annotations

import pytest
from django.db import transaction

from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case, CaseEvent
from aftersales.cases.platform_updates import PlatformView, follow_platform
from aftersales.cases.services import By, open_case
from aftersales.core.errors import DomainError
from aftersales.notifications.models import Message
from aftersales.platforms.sync.models import PlatformCommand

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(shop, order) -> Case:
    line = order.lines.get(platform_line_id="DY0001-2")
    return open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="refund_only", reason="quality_defect",
                     by=By(Actor.BUYER), platform_case_id="PC-1", enforce_policy=False)


def events(case: Case) -> list[tuple[str, str, str, str]]:
    return [(e.action, e.actor, e.from_status, e.to_status) for e in CaseEvent.objects.filter(case=case).order_by("pk")]


def test_a_refusal_made_in_the_platforms_workbench_is_the_platforms_reported_reject(shop, case):
    view = PlatformView(status="rejected", status_raw="商家拒绝", kind="refund_only", kind_raw="仅退款")
    assert follow_platform(shop, case.pk, view) is True
    case.refresh_from_db()
    assert case.status == "rejected" and case.platform_status_raw == "商家拒绝"
    assert events(case)[1:] == [("reject", "platform", "requested", "rejected"),
                                ("platform_sync", "platform", "rejected", "rejected")]
    version = case.version
    # the same news again writes nothing
    assert follow_platform(shop, case.pk, view) is False
    case.refresh_from_db()
    assert case.version == version and len(events(case)) == 3
    # a move reported by the platform is never pushed back to it
    assert not PlatformCommand.objects.exists()


def test_a_finished_case_reopened_by_the_platform_is_its_correction(shop, case):
    follow_platform(shop, case.pk, PlatformView(status="completed", status_raw="退款成功", kind="refund_only"))
    case.refresh_from_db()
    assert (case.status, case.deadline_at) == ("completed", None) and case.closed_at is not None
    follow_platform(shop, case.pk, PlatformView(status="requested", status_raw="待商家处理", kind="refund_only"))
    case.refresh_from_db()
    assert case.status == "requested" and case.closed_at is None and case.deadline_at is not None
    correction = CaseEvent.objects.filter(case=case, action="platform_sync").order_by("pk")
    assert [(e.from_status, e.to_status, e.reason_code) for e in correction] == [
        ("completed", "completed", "platform_fields"),
        ("completed", "requested", "platform_status"),
        ("requested", "requested", "platform_fields"),
    ]
    assert correction[1].payload["correction"] is True


def test_a_view_that_cannot_be_applied_changes_nothing(shop, case):
    before = (case.status, case.version, len(events(case)), Message.objects.count())
    # an unknown status is refused by the state machine (in the caller's savepoint, as the importer does)
    with pytest.raises(DomainError) as refused, transaction.atomic():
        follow_platform(shop, case.pk, PlatformView(status="lost", status_raw="?", kind="refund_only"))
    assert refused.value.code == "case.unknown_value"
    case.refresh_from_db()
    assert (case.status, case.version, len(events(case)), Message.objects.count()) == before
