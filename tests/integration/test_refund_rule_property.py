"""Finding 2: one refund rule. Over random orders (bundles and 满减 deals, gifts, discounts, unshipped and
delivered) and random histories of requests (refunds, returns, partial refunds with the goods kept,
several requests on one order), the amount the console shows as refundable now is the amount granted
by default and the amount paid, it is the rule's (`refunds.domain.plan_refund` through
`cases.refund_rule`), nothing ever goes above what was paid, and the ledger reconciles."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.cases import kernel, services
from aftersales.cases.domain.states import Action, Actor
from aftersales.cases.refund_rule import case_plan, refundable_now
from aftersales.orders.models import Order
from aftersales.orders.services import create_order
from aftersales.refunds import services as refunds
from aftersales.refunds.models import RefundDecision, RefundPayment
from tests.integration.conftest import PAID_AT, order_payload
from tests.integration.ledger_support import assert_ledger_reconciles

pytestmark = pytest.mark.django_db

MERCHANT = services.By(Actor.MERCHANT)
NOW = PAID_AT + timedelta(days=4)
_numbers = itertools.count(1)

LINE = st.fixed_dictionaries({
    "quantity": st.integers(1, 3),
    "unit_price_fen": st.integers(100, 30000),
    "discount_pct": st.integers(0, 40),
    "in_deal": st.booleans(),
})
ORDER = st.fixed_dictionaries({
    "lines": st.lists(LINE, min_size=1, max_size=4),
    "gift": st.booleans(),
    "shipped": st.booleans(),
    "freight_fen": st.sampled_from([0, 800]),
})
REQUEST = st.fixed_dictionaries({
    "kind": st.sampled_from(["refund_only", "return_refund", "partial_refund"]),
    "pick": st.lists(st.integers(0, 4), min_size=1, max_size=4, unique=True),
    "units": st.integers(1, 3),
    "partial_pct": st.integers(1, 100),
})


def _order(shop, spec) -> Order:
    number = f"PROP{next(_numbers):05d}"
    lines = []
    for i, line in enumerate(spec["lines"]):
        full = line["unit_price_fen"] * line["quantity"]
        lines.append({
            "platform_line_id": f"{number}-{i}", "title": f"商品{i}", "quantity": line["quantity"],
            "unit_price_fen": line["unit_price_fen"], "paid_fen": full * (100 - line["discount_pct"]) // 100,
            "bundle_id": "deal" if line["in_deal"] else "",
        })
    if spec["gift"]:
        lines.append({"platform_line_id": f"{number}-gift", "title": "赠品", "quantity": 1,
                      "unit_price_fen": 1500, "paid_fen": 0, "is_gift": True})
    paid = sum(line["paid_fen"] for line in lines) + spec["freight_fen"]
    payload = order_payload(number, shipped=spec["shipped"], signed=spec["shipped"], lines=lines,
                            freight_fen=spec["freight_fen"], free_shipping=spec["freight_fen"] == 0,
                            payments=[{"route": "alipay", "amount_fen": paid}] if paid else [])
    return create_order(shop, payload)


def _to_refunding(shop, case) -> None:
    services.approve_case(shop, case.pk, MERCHANT, now=NOW)
    if case.kind == "return_refund":
        services.record_return_shipment(shop, case.pk, MERCHANT, carrier="顺丰", tracking_no="SF12345678", now=NOW)
        for action in (Action.RECEIVE_RETURN, Action.PASS_INSPECTION):
            locked = kernel.lock_case(shop, case.pk)
            kernel.move(locked, action, services.By(Actor.WAREHOUSE), now=NOW)


def _free_units(order, line) -> int:
    return line.quantity - services.quantity_already_claimed(line)


def run_history(shop, order_spec, requests) -> Order:
    order = _order(shop, order_spec)
    lines = list(order.lines.order_by("pk"))
    for request in requests:
        picked = []
        for index in request["pick"]:
            if index < len(lines) and _free_units(order, lines[index]) > 0:
                line = lines[index]
                picked.append((line.pk, min(request["units"], _free_units(order, line))))
        if not picked:
            continue
        if order_spec["shipped"] is False and request["kind"] == "return_refund":
            request = {**request, "kind": "refund_only"}  # nothing travelled: nothing comes back
        order.refresh_from_db()
        cap = None
        try:
            case = services.open_case(shop, order_id=order.pk, lines=picked, kind=request["kind"],
                                      reason="quality_defect", by=MERCHANT, now=NOW)
        except Exception as exc:  # the order has nothing left to refund: nothing may be opened above it
            assert getattr(exc, "code", "") == "refund.exceeds_refundable", exc
            continue
        cap = case.refund_cap_fen
        assert 0 <= cap <= order.paid_fen - order.refund_granted_fen
        if request["kind"] == "partial_refund" and cap:
            requested = max(1, cap * request["partial_pct"] // 100)
            case.requested_fen = requested
            case.save(update_fields=["requested_fen"])
        _to_refunding(shop, case)
        case.refresh_from_db()
        shown = refundable_now(case)  # what the console shows
        assert shown == min(case_plan(case).total_fen, order.paid_fen - order.refund_granted_fen)
        if shown == 0:
            continue
        decision = refunds.grant_refund(shop, case.pk, MERCHANT, now=NOW)
        expected = min(case.requested_fen or shown, shown)
        assert decision.amount_fen == expected
        if request["kind"] != "partial_refund":
            assert decision.amount_fen == shown  # shown = granted
        payments = refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key=f"prop-{case.pk}-key")
        assert sum(p.amount_fen for p in payments) == decision.amount_fen  # granted = paid
        order.refresh_from_db()
        assert order.refund_granted_fen <= order.paid_fen
    return order


def check_order(order: Order) -> None:
    order.refresh_from_db()
    granted = sum(d.amount_fen for d in RefundDecision.objects.filter(case__order=order))
    paid = sum(p.amount_fen for p in RefundPayment.objects.filter(case__order=order, status="succeeded"))
    assert granted == paid == order.refund_granted_fen <= order.paid_fen
    per_line: dict[str, int] = {}
    for decision in RefundDecision.objects.filter(case__order=order):
        for line_id, fen in decision.per_line.items():  # "freight": the outbound freight paid back
            per_line[line_id] = per_line.get(line_id, 0) + fen
    assert per_line.get("freight", 0) <= order.freight_fen
    for line in order.lines.all():
        assert per_line.get(str(line.pk), 0) <= line.paid_fen
    assert_ledger_reconciles(order.shop_id)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(ORDER, st.lists(REQUEST, min_size=1, max_size=4))
def test_shown_granted_and_paid_are_the_rule_and_never_above_what_was_paid(shop, order_spec, requests):
    check_order(run_history(shop, order_spec, requests))


def test_returning_a_whole_deal_piece_by_piece_gives_back_exactly_what_was_paid(shop):
    # 满300减50: A ¥200 + B ¥150, paid ¥300. B first: ¥100 (alone A costs ¥200); then A: the rest, ¥200.
    spec = {"lines": [{"quantity": 1, "unit_price_fen": 20000, "discount_pct": 0, "in_deal": True},
                      {"quantity": 1, "unit_price_fen": 15000, "discount_pct": 0, "in_deal": True}],
            "gift": False, "shipped": True, "freight_fen": 0}
    order = _order(shop, spec)
    a, b = order.lines.order_by("pk")
    a.paid_fen, b.paid_fen = 17143, 12857
    a.save(), b.save()
    order.goods_fen = 30000
    order.save()
    order.payments.update(amount_fen=30000)
    amounts = []
    for line in (b, a):
        case = services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="return_refund",
                                  reason="no_reason", by=MERCHANT, now=NOW)
        _to_refunding(shop, case)
        amounts.append(refunds.grant_refund(shop, case.pk, MERCHANT, now=NOW).amount_fen)
        refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key=f"deal-{case.pk}-key")
    assert amounts == [10000, 20000]
    check_order(order)


def test_the_last_units_of_an_unshipped_order_bring_the_freight_back(shop):
    spec = {"lines": [{"quantity": 2, "unit_price_fen": 5000, "discount_pct": 0, "in_deal": False}],
            "gift": False, "shipped": False, "freight_fen": 800}
    order = _order(shop, spec)
    line = order.lines.get()
    amounts = []
    for _ in range(2):
        case = services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="refund_only",
                                  reason="no_reason", by=MERCHANT, now=NOW)
        _to_refunding(shop, case)
        amounts.append(refunds.grant_refund(shop, case.pk, MERCHANT, now=NOW).amount_fen)
        refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key=f"frt-{case.pk}-key")
    assert amounts == [5000, 5800]
    check_order(order)


@pytest.mark.parametrize(("reason", "amounts"), [("quality_defect", [5000, 5800]), ("no_reason", [5000, 5000])])
def test_a_shipped_order_returned_whole_for_the_shops_fault_brings_the_freight_back(shop, reason, amounts):
    """消保法 24: the shop bears the transport of a return for its fault; a no-reason return refunds the goods only."""
    spec = {"lines": [{"quantity": 2, "unit_price_fen": 5000, "discount_pct": 0, "in_deal": False}],
            "gift": False, "shipped": True, "freight_fen": 800}
    order = _order(shop, spec)
    line = order.lines.get()
    granted = []
    for _ in range(2):
        case = services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="return_refund",
                                  reason=reason, by=MERCHANT, now=NOW)
        _to_refunding(shop, case)
        granted.append(refunds.grant_refund(shop, case.pk, MERCHANT, now=NOW).amount_fen)
        refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key=f"frt-{case.pk}-key")
    assert granted == amounts
    check_order(order)
