"""The demo a newcomer opens looks like a team that keeps up: most open cases that wait on the shop are
on time, and none is days overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.cases.domain.deadlines import BUYER_STAGES
from aftersales.cases.domain.states import TERMINAL
from aftersales.cases.models import Case
from aftersales.core import clock
from aftersales.demo.builder import build_demo

pytestmark = pytest.mark.django_db


def test_the_demo_inbox_is_mostly_on_time():
    build_demo(orders=200)
    now = clock.now()
    ours = (Case.objects.exclude(status__in=[s.value for s in TERMINAL])
            .exclude(deadline_stage__in=[str(s) for s in BUYER_STAGES]).exclude(deadline_at=None))
    total = ours.count()
    late = ours.filter(deadline_at__lt=now)
    assert total >= 20
    assert late.count() <= total * 0.2, (late.count(), total)
    assert not ours.filter(deadline_at__lt=now - timedelta(days=2)).exists()
