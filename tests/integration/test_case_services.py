"""The case's road through the services: each step one transaction, one event, the right status."""

from datetime import timedelta

import pytest
import time_machine

from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case, CaseEvent
from aftersales.core.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from aftersales.orders.services import create_order
from aftersales.refunds import services as refunds
from aftersales.refunds.models import RefundPayment
from aftersales.warehouse import services as warehouse
from tests.integration.conftest import PAID_AT, order_payload

pytestmark = pytest.mark.django_db

BUYER = services.By(Actor.BUYER)
MERCHANT = services.By(Actor.MERCHANT)
WAREHOUSE = services.By(Actor.WAREHOUSE)
NOW = PAID_AT + timedelta(days=4)


def open_return(shop, order, **kw):
    line = order.lines.get(platform_line_id="DY0001-1")
    return services.open_case(
        shop,
        order_id=order.pk,
        lines=[(line.pk, 1)],
        kind="return_refund",
        reason=kw.pop("reason", "size_fit"),
        by=BUYER,
        buyer_note=kw.pop("note", "尺码偏小"),
        now=NOW,
        **kw,
    )


def test_a_return_goes_all_the_way_and_every_step_writes_an_event(shop, order):
    case = open_return(shop, order)
    assert case.status == "requested"
    assert case.number.startswith("AS261114")
    assert case.refund_cap_fen == 14900  # one of two units of a line that cost 29800
    assert case.requested_fen == 14900
    assert case.policy_decision["eligible"] is True
    assert case.deadline_at is not None and case.deadline_source == "fallback"

    services.approve_case(shop, case.pk, MERCHANT, now=NOW + timedelta(hours=1))
    services.record_return_shipment(
        shop, case.pk, BUYER, carrier="顺丰速运", tracking_no="sf1234567890", now=NOW + timedelta(hours=5)
    )
    parcel = warehouse.receive_parcel(
        shop, WAREHOUSE, tracking_no="SF 1234 5678 90", now=NOW + timedelta(days=2)
    )
    assert parcel.case_id == case.pk
    warehouse.inspect_return(
        shop,
        case.pk,
        WAREHOUSE,
        grade="A",
        checklist=dict.fromkeys(warehouse.CHECKLIST_ITEMS, True),
        restock=True,
        now=NOW + timedelta(days=2, hours=1),
    )
    case.refresh_from_db()
    assert case.status == "refunding"
    refunds.grant_refund(shop, case.pk, MERCHANT, now=NOW + timedelta(days=2, hours=2))
    payments = refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key="refund-case-1")

    case.refresh_from_db()
    assert case.status == "completed"
    assert case.refunded_fen == 14900 and case.money_status == "refunded"
    # Split over the two original payment routes pro rata (30000 : 14700) by largest remainder.
    assert [(p.route, p.amount_fen, p.status) for p in payments] == [
        ("alipay", 10000, "succeeded"),
        ("wechat", 4900, "succeeded"),
    ]
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "open",
        "approve",
        "ship_return",
        "receive_return",
        "pass_inspection",
        "ready_to_refund",
        "grant_refund",
        "execute_refund",
        "refund_settled",
        "refund_succeeded",
    ]
    assert case.events.get(action="approve").to_status == "awaiting_return"
    order.refresh_from_db()
    assert order.refund_granted_fen == 14900


def test_execute_refund_is_idempotent_on_the_same_key(shop, order):
    line = order.lines.get(platform_line_id="DY0001-2")
    case = services.open_case(
        shop,
        order_id=order.pk,
        lines=[(line.pk, 1)],
        kind="refund_only",
        reason="quality_defect",
        by=MERCHANT,
        now=NOW,
    )
    services.approve_case(shop, case.pk, MERCHANT)
    refunds.grant_refund(shop, case.pk, MERCHANT)
    first = refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key="same-key-123")
    again = refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key="same-key-123")
    assert [p.pk for p in first] == [p.pk for p in again]
    assert RefundPayment.objects.filter(case=case).count() == 2
    with pytest.raises(ConflictError) as err:
        refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key="another-key-456")
    assert err.value.code == "refund.nothing_to_execute"


def test_a_refund_above_what_is_refundable_is_refused_and_changes_nothing(shop, order):
    line = order.lines.get(platform_line_id="DY0001-2")
    case = services.open_case(
        shop,
        order_id=order.pk,
        lines=[(line.pk, 1)],
        kind="refund_only",
        reason="quality_defect",
        by=MERCHANT,
        now=NOW,
    )
    services.approve_case(shop, case.pk, MERCHANT, now=NOW)
    events_before = CaseEvent.objects.count()
    with pytest.raises(DomainError) as err:
        refunds.grant_refund(shop, case.pk, MERCHANT, amount_fen=14901)
    assert err.value.code == "refund.exceeds_refundable"
    case.refresh_from_db()
    order.refresh_from_db()
    assert (case.refund_granted_fen, order.refund_granted_fen) == (0, 0)
    assert CaseEvent.objects.count() == events_before


def test_an_illegal_move_is_refused_with_a_code_and_nothing_changes(shop, order):
    case = open_return(shop, order)
    before = (case.status, case.version, CaseEvent.objects.count())
    with pytest.raises(ConflictError) as err:
        services.record_return_shipment(shop, case.pk, BUYER, carrier="顺丰", tracking_no="SF1234567890")
    assert err.value.code == "case.illegal_transition"
    with pytest.raises(PermissionDeniedError) as err:
        services.approve_case(shop, case.pk, BUYER)
    assert err.value.code == "case.actor_not_allowed"
    case.refresh_from_db()
    assert (case.status, case.version, CaseEvent.objects.count()) == before
    assert case.return_tracking_no == ""


def test_reject_needs_a_reason_code(shop, order):
    case = open_return(shop, order)
    with pytest.raises(DomainError) as err:
        services.reject_case(shop, case.pk, MERCHANT, reason_code="because")
    assert err.value.code == "case.reject_reason_required"
    services.reject_case(shop, case.pk, MERCHANT, reason_code="evidence_insufficient", note="请补充照片", as_owner=True)
    case.refresh_from_db()
    assert case.status == "rejected"
    assert case.events.last().reason_code == "evidence_insufficient"


def test_a_case_of_another_shop_is_not_found(shop, other_shop, order):
    case = open_return(shop, order)
    with pytest.raises(NotFoundError):
        services.approve_case(other_shop, case.pk, MERCHANT)
    case.refresh_from_db()
    assert case.status == "requested"


def test_the_same_units_cannot_be_claimed_twice(shop, order):
    line = order.lines.get(platform_line_id="DY0001-1")
    services.open_case(
        shop,
        order_id=order.pk,
        lines=[(line.pk, 2)],
        kind="return_refund",
        reason="size_fit",
        by=BUYER,
        now=NOW,
    )
    with pytest.raises(ConflictError) as err:
        services.open_case(
            shop,
            order_id=order.pk,
            lines=[(line.pk, 1)],
            kind="return_refund",
            reason="size_fit",
            by=BUYER,
            now=NOW,
        )
    assert err.value.code == "case.quantity_exceeds_order"
    assert Case.objects.count() == 1


def test_a_buyer_cannot_ask_for_a_no_reason_return_after_the_window(shop, order):
    late = PAID_AT + timedelta(days=30)
    line = order.lines.first()
    with pytest.raises(DomainError) as err:
        services.open_case(
            shop,
            order_id=order.pk,
            lines=[(line.pk, 1)],
            kind="return_refund",
            reason="no_reason",
            by=BUYER,
            now=late,
        )
    assert err.value.code == "case.remedy_not_allowed"
    assert Case.objects.count() == 0


def test_unshipped_refund_only_returns_the_freight_and_cannot_be_refused(shop):
    order = create_order(
        shop,
        order_payload(
            "DY0002",
            shipped=False,
            signed=False,
            freight_fen=800,
            free_shipping=False,
            payments=[{"route": "alipay", "amount_fen": 45500}],
        ),
    )
    lines = [(line.pk, line.quantity) for line in order.lines.all()]
    with time_machine.travel(PAID_AT + timedelta(hours=2)):
        case = services.open_case(
            shop, order_id=order.pk, lines=lines, kind="refund_only", reason="no_reason", by=BUYER
        )
    assert case.goods_status == "not_shipped"
    assert case.refund_cap_fen == 29800 + 14900 + 800
    with pytest.raises(ConflictError) as err:
        services.reject_case(shop, case.pk, MERCHANT, reason_code="other")
    assert err.value.code == "case.cannot_reject_unshipped_refund"


def test_urgent_words_raise_urgency(shop, order):
    case = open_return(shop, order, reason="quality_defect", note="质量太差，不给退我就去12315投诉")
    assert case.urgency == 3


def test_inspection_failure_rejects_after_return(shop, order):
    case = open_return(shop, order)
    services.approve_case(shop, case.pk, MERCHANT)
    services.record_return_shipment(shop, case.pk, BUYER, carrier="中通", tracking_no="ZT9988776655")
    warehouse.receive_parcel(shop, WAREHOUSE, tracking_no="ZT9988776655")
    from aftersales.warehouse.inspection import inspect_with_photos
    from tests.integration.console_support import png_bytes

    inspection = inspect_with_photos(
        shop, case.pk, WAREHOUSE, photos=[png_bytes()], grade="C", checklist={"tags_intact": False},
        failure_reason="used", note="吊牌已剪",
    )
    case.refresh_from_db()
    assert (case.status, inspection.passed, inspection.accepted_quantity) == (
        "rejected_after_return",
        False,
        0,
    )
    assert (inspection.verdict, inspection.failure_reason, inspection.photos.count()) == ("failed", "used", 1)
    from aftersales.notifications.models import Message

    told = Message.objects.get(case=case, template="case.rejected_after_return")
    assert "原因：已使用，超出检查所需。说明：吊牌已剪。" in told.body


def test_a_parcel_with_no_information_is_kept_and_matched_later(shop, order):
    case = open_return(shop, order)
    services.approve_case(shop, case.pk, MERCHANT)
    parcel = warehouse.receive_parcel(
        shop, WAREHOUSE, tracking_no="YT5550001112", note="面单模糊，内有连衣裙一件"
    )
    assert parcel.case_id is None
    warehouse.match_parcel(shop, parcel.pk, case.pk, WAREHOUSE)
    case.refresh_from_db()
    assert case.status == "return_received"
    with pytest.raises(ConflictError):
        warehouse.match_parcel(shop, parcel.pk, case.pk, WAREHOUSE)
