"""The verbs other apps change a case through (cases.services): each writes exactly its event and its
status, in the caller's transaction; a move the state machine refuses writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case, CaseEvent
from aftersales.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from aftersales.orders.services import create_order
from tests.integration.conftest import PAID_AT, order_payload

pytestmark = pytest.mark.django_db

BUYER = services.By(Actor.BUYER)
MERCHANT = services.By(Actor.MERCHANT)
WAREHOUSE = services.By(Actor.WAREHOUSE)
PLATFORM = services.By(Actor.PLATFORM)
NOW = PAID_AT + timedelta(days=4)
LATER = NOW + timedelta(hours=1)


def _open(shop, order, kind="return_refund", line="-1", quantity=1):
    picked = order.lines.get(platform_line_id=order.platform_order_id + line)
    return _marked(services.open_case(shop, order_id=order.pk, lines=[(picked.pk, quantity)], kind=kind,
                                      reason="quality_defect", by=BUYER, now=NOW))


def _events(case) -> list[tuple]:
    """The case's events since the step under test began (`case.mark`: the last event before it)."""
    return [(e.action, e.actor, e.from_status, e.to_status, e.reason_code, e.note, e.payload)
            for e in CaseEvent.objects.filter(case=case, pk__gt=getattr(case, "mark", 0)).order_by("pk")]


def _marked(case):
    case.mark = CaseEvent.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True).first()
    return case


def _row(case) -> dict:
    fresh = Case.objects.get(pk=case.pk)
    return {f: getattr(fresh, f) for f in ("status", "version", "money_status", "refund_cap_fen", "refund_granted_fen",
                                          "refunded_fen", "return_logistics", "inspection_result")}


def _lines(case) -> list[tuple]:
    return list(case.lines.order_by("pk").values_list("quantity", "received_quantity", "accepted_quantity"))


def _awaiting_return(shop, order):
    case = _open(shop, order, quantity=2)
    services.approve_case(shop, case.pk, MERCHANT, now=NOW)
    return _marked(case)


def _returned(shop, order):
    case = _awaiting_return(shop, order)
    services.receive_return(shop, case.pk, WAREHOUSE, parcel_id=7, tracking_no="SF1234567890", now=NOW)
    return _marked(case)


# -- facts that do not move the case -----------------------------------------------------------------


def test_a_reply_a_compensation_and_a_rating_each_write_their_event_and_leave_the_status(shop, order):
    case = _open(shop, order)
    version = _row(case)["version"]
    services.record_reply(shop, case.pk, MERCHANT, body="您好，已为您处理", template_id=3, now=LATER)
    services.record_reply(shop, case.pk, MERCHANT, body="再次致歉", now=LATER)
    services.record_compensation(shop, case.pk, MERCHANT, compensation_id=11, rung="coupon", cost_fen=500,
                                 note="小额补偿", now=LATER)
    services.record_rating(shop, case.pk, BUYER, score=4, comment="还行", now=LATER)
    assert _events(case) == [
        ("reply", "merchant", "requested", "requested", "", "您好，已为您处理", {"template": 3}),
        ("reply", "merchant", "requested", "requested", "", "再次致歉", {}),
        ("compensation", "merchant", "requested", "requested", "", "小额补偿",
         {"compensation": 11, "rung": "coupon", "cost_fen": 500}),
        ("rating", "buyer", "requested", "requested", "", "还行", {"score": 4}),
    ]
    assert _row(case)["status"] == "requested" and _row(case)["version"] == version


def test_a_verb_finds_no_case_of_another_shop_and_writes_nothing(shop, other_shop, order):
    case = _open(shop, order)
    before = CaseEvent.objects.count()
    with pytest.raises(NotFoundError) as err:
        services.record_reply(other_shop, case.pk, MERCHANT, body="hi")
    assert err.value.code == "case.not_found"
    held = services.hold_case(shop, case.pk)
    with pytest.raises(NotFoundError):  # a held case is no pass into another shop
        services.record_rating(other_shop, held, BUYER, score=5)
    assert CaseEvent.objects.count() == before


def test_a_held_case_is_changed_in_place_without_a_second_lock(shop, order):
    case = _refunding(shop, order)
    held = services.hold_case(shop, case.pk)
    with CaptureQueriesContext(connection) as captured:
        returned = services.refund_granted(shop, held, MERCHANT, decision_id=5, amount_fen=14900,
                                           refundable_fen=14900, reason_code="approved_request", now=LATER)
    assert returned is held and held.refund_granted_fen == 14900 and _row(case)["refund_granted_fen"] == 14900
    # the case row is updated, never locked or read again by its id (the rollups read the order's cases)
    reads = [q["sql"] for q in captured.captured_queries
             if 'FROM "cases_case" ' in q["sql"] and '"cases_case"."id" = ' in q["sql"]]
    assert reads == []


# -- the return leg -------------------------------------------------------------------------------------


def test_receiving_the_return_moves_the_case_and_marks_every_unit_received(shop, order):
    case = _awaiting_return(shop, order)
    services.receive_return(shop, case.pk, WAREHOUSE, parcel_id=7, tracking_no="SF1234567890", now=LATER)
    assert _events(case) == [("receive_return", "warehouse", "awaiting_return", "return_received", "", "",
                              {"parcel": 7, "tracking_no": "SF1234567890"})]
    row = _row(case)
    assert (row["status"], row["return_logistics"]) == ("return_received", "signed")
    assert _lines(case) == [(2, 2, 0)]


def test_receiving_a_return_nobody_was_asked_for_writes_nothing(shop, order):
    case = _open(shop, order, quantity=2)  # still under review: no return was agreed
    before, lines = _row(case), _lines(case)
    with pytest.raises(ConflictError) as err:
        services.receive_return(shop, case.pk, WAREHOUSE, parcel_id=7, tracking_no="SF1234567890", now=LATER)
    assert err.value.code == "case.illegal_transition"
    assert _events(case) == [] and _row(case) == before and _lines(case) == lines


def test_a_passed_inspection_of_a_return_to_refund_leaves_it_ready_to_refund(shop, order):
    case = _returned(shop, order)
    services.record_inspection(shop, case.pk, WAREHOUSE, inspection_id=9, passed=True, verdict="matches_claim",
                               accepted_quantity=1, grade="A", checklist={"tags_intact": True}, restock=True,
                               now=LATER)
    payload = {"inspection": 9, "verdict": "matches_claim", "grade": "A", "checklist": {"tags_intact": True},
               "restock": True}
    assert _events(case) == [
        ("pass_inspection", "warehouse", "return_received", "refunding", "", "", payload),
        ("ready_to_refund", "warehouse", "refunding", "refunding", "", "", {}),
    ]
    assert (_row(case)["status"], _row(case)["inspection_result"]) == ("refunding", "pass")
    assert _lines(case) == [(2, 2, 1)]


def test_a_failed_inspection_rejects_the_case_after_return(shop, order):
    case = _returned(shop, order)
    services.record_inspection(shop, case.pk, WAREHOUSE, inspection_id=9, passed=False, verdict="failed",
                               accepted_quantity=0, grade="C", checklist={"not_washed": False}, restock=False,
                               failure_reason="used", note="已洗涤", now=LATER)
    assert _events(case) == [
        ("fail_inspection", "warehouse", "return_received", "rejected_after_return", "inspection_failed", "已洗涤",
         {"inspection": 9, "verdict": "failed", "grade": "C", "checklist": {"not_washed": False},
          "restock": False, "failure_reason": "used"}),
    ]
    assert (_row(case)["status"], _row(case)["inspection_result"]) == ("rejected_after_return", "fail")
    assert _lines(case) == [(2, 2, 0)]


def test_an_inspection_the_state_machine_refuses_writes_nothing(shop, order):
    case = _awaiting_return(shop, order)  # the parcel has not arrived
    before, lines = _row(case), _lines(case)
    with pytest.raises(ConflictError):
        services.record_inspection(shop, case.pk, WAREHOUSE, inspection_id=9, passed=True, verdict="matches_claim",
                                   accepted_quantity=2, grade="A", checklist={}, restock=False)
    returned = _returned(shop, create_order(shop, order_payload("DY0002")))
    with pytest.raises(PermissionDeniedError):  # the buyer does not inspect
        services.record_inspection(shop, returned.pk, BUYER, inspection_id=9, passed=True, verdict="matches_claim",
                                   accepted_quantity=2, grade="A", checklist={}, restock=False)
    assert _events(case) == [] and _row(case) == before and _lines(case) == lines
    assert _events(returned) == [] and _lines(returned) == [(2, 2, 0)]


# -- money -----------------------------------------------------------------------------------------------


def _refunding(shop, order):
    case = _open(shop, order, kind="refund_only", line="-2")
    services.approve_case(shop, case.pk, MERCHANT, now=NOW)
    return _marked(case)


def test_a_refund_granted_sent_and_paid_in_full_completes_the_case(shop, order):
    case = _refunding(shop, order)
    with transaction.atomic():
        services.refund_granted(shop, case.pk, MERCHANT, decision_id=5, amount_fen=14900, refundable_fen=14900,
                                reason_code="approved_request", note="同意", now=LATER)
    assert _row(case)["money_status"] == "pending"
    with transaction.atomic():
        services.refund_executing(shop, case.pk, MERCHANT, idempotency_key="key-12345678",
                                  payments=[["alipay", 10000], ["wechat", 4900]], now=LATER)
    assert _row(case)["money_status"] == "refunding"
    with transaction.atomic():
        services.refund_payment_result(shop, case.pk, MERCHANT, payment_id=1, amount_fen=10000, status="succeeded",
                                       now=LATER)
    assert (_row(case)["refunded_fen"], _row(case)["status"]) == (10000, "refunding")  # not yet all of it
    with transaction.atomic():
        services.refund_payment_result(shop, case.pk, MERCHANT, payment_id=2, amount_fen=4900, status="succeeded",
                                       now=LATER)
    assert _events(case) == [
        ("grant_refund", "merchant", "refunding", "refunding", "approved_request", "同意",
         {"decision": 5, "amount_fen": 14900}),
        ("execute_refund", "merchant", "refunding", "refunding", "", "",
         {"idempotency_key": "key-12345678", "payments": [["alipay", 10000], ["wechat", 4900]]}),
        ("refund_settled", "merchant", "refunding", "refunding", "", "", {"refunded_fen": 14900}),
        ("refund_succeeded", "merchant", "refunding", "completed", "", "", {}),
    ]
    row = _row(case)
    assert (row["status"], row["money_status"], row["refund_cap_fen"], row["refund_granted_fen"],
            row["refunded_fen"]) == ("completed", "refunded", 14900, 14900, 14900)


def test_a_failed_payment_is_recorded_and_an_open_one_only_moves_the_version(shop, order):
    case = _refunding(shop, order)
    services.refund_granted(shop, case.pk, MERCHANT, decision_id=5, amount_fen=14900, refundable_fen=14900,
                            reason_code="approved_request", now=LATER)
    version = _row(case)["version"]
    services.refund_payment_result(shop, case.pk, MERCHANT, payment_id=3, amount_fen=14900, status="unknown",
                                   now=LATER)
    assert _row(case)["version"] == version + 1 and len(_events(case)) == 1
    services.refund_payment_result(shop, case.pk, MERCHANT, payment_id=3, amount_fen=14900, status="failed",
                                   now=LATER)
    assert _events(case)[1:] == [("refund_failed", "merchant", "refunding", "refunding", "", "", {"payment": 3})]
    assert (_row(case)["money_status"], _row(case)["refunded_fen"], _row(case)["status"]) == ("failed", 0, "refunding")


def test_what_the_platform_paid_back_is_settled_in_part_or_in_full(shop, order):
    case = _refunding(shop, order)
    services.refund_granted(shop, case.pk, PLATFORM, decision_id=5, amount_fen=14900, refundable_fen=14900,
                            reason_code="platform_refund", now=LATER)
    services.platform_refund_paid(shop, case.pk, PLATFORM, paid_fen=4900, route="platform", reference="TB-1",
                                  now=LATER)
    assert _row(case)["money_status"] == "partially_refunded"
    services.platform_refund_paid(shop, case.pk, PLATFORM, paid_fen=10000, route="platform", reference="TB-2",
                                  now=LATER)
    assert _events(case)[1:] == [
        ("refund_settled", "platform", "refunding", "refunding", "", "TB-1",
         {"refunded_fen": 4900, "payments": [["platform", 4900]]}),
        ("refund_settled", "platform", "refunding", "refunding", "", "TB-2",
         {"refunded_fen": 14900, "payments": [["platform", 10000]]}),
    ]
    assert (_row(case)["money_status"], _row(case)["refunded_fen"]) == ("refunded", 14900)


# -- the platform ---------------------------------------------------------------------------------------


def test_a_command_the_platform_refused_is_on_the_case(shop, order):
    case = _open(shop, order)
    services.platform_refused_move(shop, case.pk, command_id=4, action="approve", kind="rejected", code="40001",
                                   message="状态不允许", now=LATER)
    assert _events(case) == [("platform_refused", "platform", "requested", "requested", "rejected", "状态不允许",
                              {"command": 4, "action": "approve", "platform_code": "40001"})]


def test_an_imported_item_line_replacing_the_case_line_lowers_the_cap_to_what_it_can_refund(shop, order):
    case = _open(shop, order, quantity=2)
    assert _row(case)["refund_cap_fen"] == 29800
    old = {"id": 1, "title": "连衣裙等2件", "quantity": 3, "paid_fen": 44700}
    new = {"id": 2, "title": "法式碎花连衣裙", "sku_code": "QZ-1001-M", "spec": "M", "quantity": 2,
           "paid_fen": 20000}
    services.order_line_replaced(shop, case.pk, PLATFORM, old_line=old, new_line=new, refundable_fen=20000,
                                 now=LATER)
    services.order_line_replaced(shop, case.pk, PLATFORM, old_line=old, new_line=new, refundable_fen=30000,
                                 now=LATER)  # a line that could refund more leaves the cap as it is
    from_, to = {k: v for k, v in old.items() if k != "id"}, {k: v for k, v in new.items() if k != "id"}
    assert _events(case) == [
        ("order_line_replaced", "platform", "requested", "requested", "order_items_imported", "",
         {"changes": {"order_line": [1, 2], "refund_cap_fen": [29800, 20000]}, "from": from_, "to": to}),
        ("order_line_replaced", "platform", "requested", "requested", "order_items_imported", "",
         {"changes": {"order_line": [1, 2]}, "from": from_, "to": to}),
    ]
    assert _row(case)["refund_cap_fen"] == 20000


@pytest.mark.django_db(transaction=True)
def test_a_verb_runs_only_inside_the_callers_transaction(shop, order):
    case = _open(shop, order)
    with pytest.raises(transaction.TransactionManagementError):
        services.record_reply(shop, case.pk, MERCHANT, body="hi")
    assert _events(case) == []
