"""满X包邮: an order shipped free because its goods reached the threshold keeps the freight the shop
waived; a partial no-reason return that leaves the kept goods below the threshold has that freight
deducted from its refund (DESIGN §4, L12, 淘宝 §53) — in the cap at opening, the grant and the ledger."""

from datetime import timedelta

import pytest

from aftersales.cases import kernel, services
from aftersales.cases.domain.states import Action, Actor
from aftersales.orders.models import Order
from aftersales.orders.services import create_order
from aftersales.refunds import services as refunds
from tests.integration.conftest import PAID_AT, order_payload
from tests.integration.ledger_support import assert_ledger_reconciles

pytestmark = pytest.mark.django_db

BUYER = services.By(Actor.BUYER)
MERCHANT = services.By(Actor.MERCHANT)
NOW = PAID_AT + timedelta(days=4)


def threshold_payload(number="DYFS1", **over):
    # Two dresses (¥298 for two) and one more (¥149): ¥447 of goods, 满199包邮, ¥12 of freight waived.
    return order_payload(number, free_shipping_threshold_fen=19900, waived_freight_fen=1200, **over)


@pytest.fixture
def order(shop):
    return create_order(shop, threshold_payload())


def _open(shop, order, picks, reason="no_reason"):
    lines = [(order.lines.get(platform_line_id=f"{order.platform_order_id}-{i}").pk, q) for i, q in picks]
    return services.open_case(shop, order_id=order.pk, lines=lines, kind="return_refund", reason=reason,
                              by=BUYER, now=NOW)


def _to_refunding(shop, case):
    services.approve_case(shop, case.pk, MERCHANT, now=NOW)
    services.record_return_shipment(shop, case.pk, MERCHANT, carrier="顺丰", tracking_no="SF12345678", now=NOW)
    for action in (Action.RECEIVE_RETURN, Action.PASS_INSPECTION):
        locked = kernel.lock_case(shop, case.pk)
        kernel.move(locked, action, services.By(Actor.WAREHOUSE), now=NOW)


def test_the_order_keeps_the_threshold_and_the_waived_freight(order):
    order.refresh_from_db()
    assert (order.free_shipping_threshold_fen, order.waived_freight_fen, order.freight_fen) == (19900, 1200, 0)


def test_a_return_that_breaks_the_threshold_has_the_waived_freight_deducted(shop, order):
    case = _open(shop, order, [(1, 2)])  # keeps ¥149 < ¥199
    assert case.refund_cap_fen == 29800 - 1200 and case.requested_fen == 28600
    assert "law.freight.outbound_deducted" in case.policy_decision["reason_codes"]
    _to_refunding(shop, case)
    decision = refunds.grant_refund(shop, case.pk, MERCHANT, amount_fen=28600, now=NOW)
    assert decision.deductions == [["refund.deduction.outbound_freight", 1200]]
    assert_ledger_reconciles(shop)


def test_a_return_that_keeps_enough_or_returns_everything_deducts_nothing(shop, order):
    assert _open(shop, order, [(2, 1)]).refund_cap_fen == 14900  # keeps ¥298 ≥ ¥199
    assert _open(shop, order, [(1, 1)]).refund_cap_fen == 14900  # keeps ¥298 as well
    everything = _open(shop, create_order(shop, threshold_payload("DYFS2")), [(1, 2), (2, 1)])
    assert everything.refund_cap_fen == 44700


def test_the_waived_freight_is_owed_once(shop, order):
    first = _open(shop, order, [(1, 2)])
    _to_refunding(shop, first)
    refunds.grant_refund(shop, first.pk, MERCHANT, amount_fen=28600, now=NOW)
    later = _open(shop, order, [(2, 1)])  # everything is back now; the freight was deducted already
    assert later.refund_cap_fen == 14900


def test_the_shops_fault_deducts_nothing(shop, order):
    case = _open(shop, order, [(1, 2)], reason="quality_defect")
    assert case.refund_cap_fen == 29800


def test_the_api_takes_the_threshold_and_refuses_a_waived_freight_without_one(api):
    ok = api.post("/api/v1/orders", _json(threshold_payload("DYFS9")))
    assert ok.status_code == 201, ok.content
    assert (ok.json()["free_shipping_threshold_fen"], ok.json()["waived_freight_fen"]) == (19900, 1200)
    bad = api.post("/api/v1/orders", _json(order_payload("DYFS8", waived_freight_fen=1200)))
    assert bad.status_code == 422 and bad.json()["code"] == "order.waived_freight_without_threshold"
    assert bad.json()["message"] == "免运费金额须与包邮门槛一起填写，且商品金额须达到门槛。"
    assert not Order.objects.filter(platform_order_id="DYFS8").exists()


def _json(payload):
    out = dict(payload)
    for key in ("paid_at", "shipped_at", "signed_at"):
        if out.get(key) is not None:
            out[key] = out[key].isoformat()
    return out
