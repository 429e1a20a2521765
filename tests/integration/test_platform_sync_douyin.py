"""抖店 end to end against the contract simulator: pull, push, a refusal, a push message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case, CaseEvent
from aftersales.cases.services import By, approve_case, reject_case
from aftersales.core import clock
from aftersales.platforms.sync.models import PlatformCommand, StoreConnection
from aftersales.platforms.sync.pull import pull_store
from aftersales.platforms.sync.push import deliver_commands
from tests.integration.platform_sync_support import connected

pytestmark = pytest.mark.django_db
AGENT = By(Actor.MERCHANT)


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    from aftersales.platforms.connectors.base import BaseConnector

    monkeypatch.setattr(BaseConnector, "calls_per_second", 0.0)
    monkeypatch.setattr(BaseConnector, "backoff", 0.0)


def test_pull_writes_the_case_and_its_order_once(shop):
    sim, connection = connected(shop, "douyin")
    sim.add_case(kind="refund_only", amount_fen=12900, paid_fen=12900, reason="不想要了", title="碎花连衣裙")
    result = pull_store(connection)
    assert result.error == "" and result.created == 1
    case = Case.objects.get(shop=shop)
    assert (case.platform, case.status, case.kind, case.requested_fen) == ("douyin", "requested", "refund_only", 12900)
    assert case.order.lines.get().title == "碎花连衣裙"
    assert case.deadline_source == "platform"
    again = pull_store(connection, since=clock.now() - timedelta(hours=1))
    assert again.created == 0 and again.updated == 0 and again.unchanged == 1
    assert Case.objects.filter(shop=shop).count() == 1
    assert CaseEvent.objects.filter(case=case, action="platform_sync").count() == 1


def test_approval_goes_to_the_platform_and_comes_back(shop):
    sim, connection = connected(shop, "douyin")
    sim_case = sim.add_case(kind="refund_only", amount_fen=5000, paid_fen=5000)
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    approve_case(shop, case.pk, AGENT)
    command = PlatformCommand.objects.get(case=case)
    assert (command.action, command.state) == ("agree_refund", "pending")
    report = deliver_commands()
    assert report.done == 1
    assert sim.cases[sim_case.case_id].status == "completed"
    case.refresh_from_db()
    assert case.status == "completed"


def test_a_stale_or_forbidden_action_is_refused_and_the_case_goes_back(shop):
    sim, connection = connected(shop, "douyin")
    sim_case = sim.add_case(kind="refund_only", amount_fen=5000, paid_fen=5000)
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    sim_case.status = "arbitration"  # the platform took the case over meanwhile
    reject_case(shop, case.pk, AGENT, reason_code="evidence_insufficient")
    deliver_commands()
    command = PlatformCommand.objects.get(case=case)
    assert (command.state, command.result_kind, command.result_code) == ("rejected", "web_only", "11001")
    case.refresh_from_db()
    assert case.status == "arbitration"
    assert CaseEvent.objects.filter(case=case, action="platform_refused", reason_code="web_only").exists()


def test_expired_token_is_refreshed_and_a_refused_refresh_alerts_the_owner(shop):
    sim, connection = connected(shop, "douyin")
    sim.add_case()
    sim.expire_tokens()
    assert pull_store(connection).created == 1
    connection.refresh_from_db()
    assert connection.token_expires_at > clock.now()
    sim.expire_tokens()
    sim.refresh_tokens.clear()
    result = pull_store(connection)
    assert result.error.startswith("auth_failed")
    connection.refresh_from_db()
    assert connection.state == StoreConnection.AUTH_FAILED
