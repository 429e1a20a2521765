"""The live sync of all four platforms against the contract simulator.

Pull (overlapping windows, paging, a rate-limit answer, an expired token refreshed), the merchant's
actions pushed, a refusal surfaced on the case, 100 overlapping pulls without a duplicate, a pull
killed half-way resumed without loss or doubling.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case, CaseEvent
from aftersales.cases.services import By, approve_case, reject_case
from aftersales.core import clock
from aftersales.core.errors import ConflictError
from aftersales.notifications.models import Message
from aftersales.orders.models import Order
from aftersales.platforms.connectors.base import BaseConnector
from aftersales.platforms.sync.models import PlatformCommand, StoreConnection
from aftersales.platforms.sync.pull import pull_store
from aftersales.platforms.sync.push import deliver_commands
from tests.integration.platform_sync_support import connected

pytestmark = pytest.mark.django_db
PLATFORMS = ("douyin", "taobao", "jd", "pdd")
AGENT = By(Actor.MERCHANT)


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(BaseConnector, "calls_per_second", 0.0)
    monkeypatch.setattr(BaseConnector, "backoff", 0.0)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_paged_overlapping_pulls_write_every_case_once(shop, platform):
    sim, connection = connected(shop, platform)
    start = clock.now().replace(microsecond=0) - timedelta(hours=3)
    for i in range(25):
        sim.add_case(kind="refund_only", amount_fen=1000 + i, paid_fen=5000,
                     updated_at=start + timedelta(seconds=400 * i), applied_at=start + timedelta(seconds=400 * i))
    # Three of them share one second: paging goes on inside it rather than skipping any.
    for _ in range(3):
        sim.add_case(updated_at=start + timedelta(hours=2, seconds=1), applied_at=start)
    first = pull_store(connection, since=start - timedelta(minutes=1), page_size=2)
    assert (first.error, first.created) == ("", 28)
    assert first.pages >= 14
    # Windows that overlap the first one and each other write nothing more.
    second = pull_store(connection, since=start + timedelta(minutes=30))
    assert (second.created, second.updated) == (0, 0)
    assert Case.objects.filter(shop=shop).count() == 28
    assert Order.objects.filter(shop=shop).count() == 28
    if platform == "pdd":  # 30-minute windows for 拼多多
        assert first.windows >= 6


@pytest.mark.parametrize("platform", PLATFORMS)
def test_rate_limit_is_waited_out_and_expired_token_refreshed(shop, platform):
    sim, connection = connected(shop, platform)
    sim.add_case()
    sim.rate_limit_next = 2
    sim.expire_tokens()
    result = pull_store(connection)
    assert (result.error, result.created) == ("", 1)
    connection.refresh_from_db()
    assert connection.calls_failed.get("rate_limited") == 2
    assert connection.calls_failed.get("token_expired") == 1
    assert connection.rate_limit_waits == 2
    assert connection.token_expires_at > clock.now() + timedelta(hours=1)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_refused_refresh_stops_the_store_and_tells_the_owner(shop, platform):
    from aftersales.notifications.models import Message
    from tests.integration.console_support import member

    member(shop, "boss", "owner")
    sim, connection = connected(shop, platform)
    sim.expire_tokens()
    sim.refresh_tokens.clear()
    result = pull_store(connection)
    assert result.error.startswith("auth_failed")
    connection.refresh_from_db()
    assert connection.state == StoreConnection.AUTH_FAILED
    alert = Message.objects.get(template="platform.token_refresh_failed")
    assert alert.recipient == "boss" and "重新授权" in alert.body
    assert sim.app_secret not in alert.body


@pytest.mark.parametrize("platform", PLATFORMS)
def test_approving_a_refund_reaches_the_platform(shop, platform):
    sim, connection = connected(shop, platform)
    sim_case = sim.add_case(kind="refund_only", amount_fen=3000, paid_fen=3000)
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    approve_case(shop, case.pk, AGENT)
    assert deliver_commands().done == 1
    assert sim.cases[sim_case.case_id].status == "completed"
    case.refresh_from_db()
    assert case.status == "completed"
    assert PlatformCommand.objects.get(case=case).state == "done"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_agreeing_to_a_return_sends_the_return_address(shop, platform):
    sim, connection = connected(shop, platform)
    sim_case = sim.add_case(kind="return_refund")
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    approve_case(shop, case.pk, AGENT)
    assert deliver_commands().done == 1
    assert sim.cases[sim_case.case_id].status == "awaiting_return"
    case.refresh_from_db()
    assert case.status == "awaiting_return"


def test_taobao_refuses_refusing_a_seven_day_no_reason_refund(shop):
    sim, connection = connected(shop, "taobao")
    sim_case = sim.add_case(kind="return_refund", no_reason_7day=True)
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    reject_case(shop, case.pk, AGENT, reason_code="not_intact")
    held = Case.objects.get(pk=case.pk)
    # Never "rejected" locally: the refusal waits for the platform's answer.
    assert (held.status, held.awaiting_platform) == ("requested", "reject")
    assert deliver_commands().refused == 1
    command = PlatformCommand.objects.get(case=case)
    assert (command.state, command.result_kind) == ("rejected", "forbidden")
    case.refresh_from_db()
    assert case.status == "requested"  # the platform's status, not the one it refused
    assert sim.cases[sim_case.case_id].status == "requested"
    event = CaseEvent.objects.get(case=case, action="platform_refused")
    assert event.reason_code == "forbidden"
    assert case.awaiting_platform == ""
    assert not CaseEvent.objects.filter(case=case, action="reject").exists()
    assert not Message.objects.filter(case=case, template="case.rejected").exists()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_approval_waits_for_the_platform_before_the_case_moves_or_the_buyer_hears(shop, platform):
    sim, connection = connected(shop, platform)
    sim.add_case(kind="refund_only", amount_fen=3000, paid_fen=3000)
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    approve_case(shop, case.pk, AGENT, note="同意")
    case.refresh_from_db()
    assert (case.status, case.awaiting_platform) == ("requested", "approve")
    submitted = CaseEvent.objects.get(case=case, action="platform_submitted")
    assert (submitted.actor, submitted.payload["action"], submitted.payload["target"]) == (
        "merchant", "approve", "refunding")
    assert not CaseEvent.objects.filter(case=case, action="approve").exists()
    assert not Message.objects.filter(case=case, template__startswith="case.approved").exists()
    # No second decision while the first one waits: a coded refusal that changes nothing.
    with pytest.raises(ConflictError) as refused:
        reject_case(shop, case.pk, AGENT, reason_code="other")
    assert refused.value.code == "case.awaiting_platform"
    assert PlatformCommand.objects.filter(case=case).count() == 1
    assert deliver_commands().done == 1
    case.refresh_from_db()
    assert (case.status, case.awaiting_platform) == ("completed", "")
    approved = CaseEvent.objects.get(case=case, action="approve")
    assert (approved.actor, approved.note, approved.to_status) == ("merchant", "同意", "refunding")
    assert approved.payload["platform_command"] == PlatformCommand.objects.get(case=case).pk
    assert Message.objects.filter(case=case, template__startswith="case.approved").count() == 1
    assert PlatformCommand.objects.filter(case=case).count() == 1  # the confirmed move sends nothing again


def test_pdd_has_no_refuse_api_and_the_command_says_so(shop):
    sim, connection = connected(shop, "pdd")
    sim.add_case(kind="return_refund")
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    reject_case(shop, case.pk, AGENT, reason_code="not_intact")
    command = PlatformCommand.objects.get(case=case)
    assert (command.state, command.result_kind) == ("unsupported", "unsupported")
    assert deliver_commands().attempted == 0
    assert "refuse" not in " ".join(sim.calls)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_hundred_overlapping_pulls_make_no_duplicate(shop, platform):
    sim, connection = connected(shop, platform)
    start = clock.now().replace(microsecond=0) - timedelta(minutes=20)
    for i in range(12):
        sim.add_case(updated_at=start + timedelta(seconds=90 * i), applied_at=start)
    for i in range(100):
        pull_store(connection, since=start - timedelta(minutes=5) + timedelta(seconds=7 * i))
    assert Case.objects.filter(shop=shop).count() == 12
    assert CaseEvent.objects.filter(case__shop=shop, action="platform_sync").count() == 12


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_pull_killed_half_way_resumes_without_loss_or_doubling(shop, platform, monkeypatch):
    from aftersales.platforms.sync import pull as pull_module

    sim, connection = connected(shop, platform)
    start = clock.now().replace(microsecond=0) - timedelta(hours=2)
    for i in range(24):
        sim.add_case(updated_at=start + timedelta(seconds=250 * i), applied_at=start)
    StoreConnection.objects.filter(pk=connection.pk).update(synced_until=start - timedelta(minutes=1))
    connection.refresh_from_db()
    real_write, calls = pull_module._write, {"n": 0}

    def dying_write(conn, items, result, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # the process dies between two pages
        real_write(conn, items, result, **kwargs)

    monkeypatch.setattr(pull_module, "_write", dying_write)
    with pytest.raises(SystemExit):
        pull_store(connection, page_size=5)
    written = Case.objects.filter(shop=shop).count()
    assert 0 < written < 24
    monkeypatch.setattr(pull_module, "_write", real_write)
    StoreConnection.objects.filter(pk=connection.pk).update(lease_until=None)  # the dead worker's lease ran out
    connection.refresh_from_db()
    assert connection.synced_until is not None and connection.synced_until > start
    result = pull_store(connection, page_size=5)
    assert result.error == ""
    assert Case.objects.filter(shop=shop).count() == 24
    assert CaseEvent.objects.filter(case__shop=shop, action="platform_sync").count() == 24


def _staff_move(shop, case_id, action, actor=Actor.WAREHOUSE):
    """The warehouse's step on the case (what receiving and inspecting a parcel end with)."""
    from django.db import transaction

    from aftersales.cases.domain.states import Action
    from aftersales.cases.kernel import lock_case, move

    with transaction.atomic():
        move(lock_case(shop, case_id), Action(action), By(actor))


#: What the platform shows after the return has been received and inspected (refunded, or where there is
#: no refund call, still waiting on the merchant in its backend).
AFTER_INSPECTION = {"douyin": "completed", "taobao": "completed", "pdd": "completed", "jd": "return_received"}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_return_received_and_passed_is_refunded_on_the_platform(shop, platform):
    sim, connection = connected(shop, platform)
    sim_case = sim.add_case(kind="return_refund", amount_fen=4500, paid_fen=4500)
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    approve_case(shop, case.pk, AGENT)
    deliver_commands()
    sim.buyer_ships_return(sim_case.case_id)
    pull_store(connection, since=clock.now() - timedelta(hours=1))
    case.refresh_from_db()
    assert case.status == "return_in_transit" and case.return_tracking_no == "ZT123456789"
    _staff_move(shop, case.pk, "receive_return")
    deliver_commands()  # 京东 takes the receipt itself: the inspection waits for its confirmation
    _staff_move(shop, case.pk, "pass_inspection")
    deliver_commands()
    assert sim.cases[sim_case.case_id].status == AFTER_INSPECTION[platform]
    case.refresh_from_db()
    assert (case.status, case.awaiting_platform) == (AFTER_INSPECTION[platform], "")
    actions = list(PlatformCommand.objects.filter(case=case).order_by("pk").values_list("action", "state"))
    expected = {
        "douyin": [("agree_return", "done"), ("refund", "done")],
        "taobao": [("agree_return", "done"), ("refund", "done")],
        "pdd": [("agree_return", "done"), ("refund", "done")],
        "jd": [("agree_return", "done"), ("confirm_receipt", "done"), ("refund", "unsupported")],
    }[platform]
    assert actions == expected


@pytest.mark.parametrize("platform", ("douyin",))
def test_an_exchange_is_shipped_on_the_platform(shop, platform):
    from aftersales.cases.services import ship_replacement

    sim, connection = connected(shop, platform)
    sim_case = sim.add_case(kind="exchange")
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    approve_case(shop, case.pk, AGENT)
    deliver_commands()
    sim.buyer_ships_return(sim_case.case_id)
    pull_store(connection, since=clock.now() - timedelta(hours=1))
    _staff_move(shop, case.pk, "receive_return")
    _staff_move(shop, case.pk, "pass_inspection")
    deliver_commands()
    ship_replacement(shop, case.pk, By(Actor.WAREHOUSE), carrier="顺丰速运", tracking_no="SF1234567890")
    deliver_commands()
    assert sim.cases[sim_case.case_id].status == "awaiting_buyer_receipt"
    assert sim.cases[sim_case.case_id].outbound_tracking_no == "SF1234567890"
    assert PlatformCommand.objects.filter(case=case, action="ship_replacement", state="done").exists()


def test_douyin_refuses_a_stale_update_time(shop):
    from aftersales.platforms.connectors.base import ApiError
    from aftersales.platforms.sync.clients import session

    sim, connection = connected(shop, "douyin")
    sim_case = sim.add_case(kind="refund_only")
    connector = session(connection).connector
    stale = connector.get_case(sim_case.case_id)
    sim.buyer_ships_return(sim_case.case_id)  # the case changes on the platform meanwhile
    with pytest.raises(ApiError) as refused:
        connector.perform("agree_refund", stale, "refund_only", {})
    assert (refused.value.kind, refused.value.platform_code) == ("conflict", "11002")
    assert sim.cases[sim_case.case_id].status == "return_in_transit"


def test_a_jd_exchange_received_and_passed_is_shipped_on_the_platform(shop):
    """京东 keeps an exchange at 10007 (待处理) from the receipt until the replacement ships: the merchant's
    inspection and shipment are not undone by the platform's status."""
    from aftersales.cases.services import ship_replacement

    sim, connection = connected(shop, "jd")
    sim_case = sim.add_case(kind="exchange")
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    approve_case(shop, case.pk, AGENT)
    deliver_commands()
    sim.buyer_ships_return(sim_case.case_id)
    pull_store(connection, since=clock.now() - timedelta(hours=1))
    _staff_move(shop, case.pk, "receive_return")
    deliver_commands()
    assert sim.cases[sim_case.case_id].status == "return_received"
    _staff_move(shop, case.pk, "pass_inspection")
    deliver_commands()
    case.refresh_from_db()
    assert (case.status, case.awaiting_platform) == ("fulfilling", "")
    sim.touch(sim.cases[sim_case.case_id], "buyer_message")  # 10007 again, answered anew
    pull_store(connection, since=clock.now() - timedelta(hours=1))
    case.refresh_from_db()
    assert case.status == "fulfilling"
    ship_replacement(shop, case.pk, By(Actor.WAREHOUSE), carrier="京东快递", tracking_no="JD0012345678")
    assert deliver_commands().done == 1
    assert sim.cases[sim_case.case_id].status == "awaiting_buyer_receipt"
    assert sim.cases[sim_case.case_id].outbound_tracking_no == "JD0012345678"
    case.refresh_from_db()
    assert case.status == "awaiting_buyer_receipt"


def test_the_api_shows_a_decision_awaiting_the_platform(shop, api):
    sim, connection = connected(shop, "jd")
    sim.add_case(kind="refund_only")
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    answer = api.post(f"/api/v1/cases/{case.pk}/approve", {"note": "同意"})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["awaiting_platform"]) == ("requested", "approve")
    again = api.post(f"/api/v1/cases/{case.pk}/reject", {"reason_code": "other"})
    assert (again.status_code, again.json()["code"]) == (409, "case.awaiting_platform")
    deliver_commands()
    shown = api.get(f"/api/v1/cases/{case.pk}").json()
    assert (shown["status"], shown["awaiting_platform"]) == ("completed", "")
