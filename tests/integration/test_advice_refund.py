"""The advice's refund is the refund rule's refundable now — the figure the console shows and a grant
pays — for one case and for a page of cases: gifts kept, the waived 满X包邮 freight and what the order's
other cases were already granted all count, as they do in `cases.refund_rule`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.cases import kernel, services
from aftersales.cases.domain.states import Action, Actor
from aftersales.cases.models import Case
from aftersales.cases.refund_rule import refundable_now
from aftersales.intelligence.advice.selectors import advice_for_case, advice_for_cases
from aftersales.orders.services import create_order
from aftersales.refunds import services as refunds
from tests.integration.conftest import PAID_AT, order_payload

pytestmark = pytest.mark.django_db

BUYER = services.By(Actor.BUYER)
MERCHANT = services.By(Actor.MERCHANT)
NOW = PAID_AT + timedelta(days=4)


def _open(shop, order, picks, reason="no_reason"):
    lines = [(order.lines.get(platform_line_id=f"{order.platform_order_id}-{i}").pk, q) for i, q in picks]
    return services.open_case(shop, order_id=order.pk, lines=lines, kind="return_refund", reason=reason,
                              by=BUYER, now=NOW)


def _grant_all(shop, case):
    services.approve_case(shop, case.pk, MERCHANT, now=NOW)
    services.record_return_shipment(shop, case.pk, MERCHANT, carrier="顺丰", tracking_no="SF12345678", now=NOW)
    for action in (Action.RECEIVE_RETURN, Action.PASS_INSPECTION):
        locked = kernel.lock_case(shop, case.pk)
        kernel.move(locked, action, services.By(Actor.WAREHOUSE), now=NOW)
    return refunds.grant_refund(shop, case.pk, MERCHANT, now=NOW)


def _advised(shop, case):
    """(the single case's advice refund, the bulk path's, the console's refundable now)."""
    case = Case.objects.get(pk=case.pk)
    bulk = advice_for_cases(shop, Case.objects.filter(shop=shop).order_by("pk"))
    return advice_for_case(case).facts.refund_fen, bulk[case.pk].facts.refund_fen, refundable_now(case)


def test_the_waived_freight_owed_once_is_not_deducted_again_once_everything_is_back(shop):
    # ¥447 of goods, 满199包邮, ¥12 waived. The second case, opened while the first was pending, would
    # have kept ¥149 < ¥199 (its cap deducts the ¥12); once the first is granted everything is back.
    order = create_order(shop, order_payload("DYAR1", free_shipping_threshold_fen=19900, waived_freight_fen=1200))
    first = _open(shop, order, [(2, 1)])
    second = _open(shop, order, [(1, 2)])
    assert second.refund_cap_fen == 28600
    _grant_all(shop, first)
    assert _advised(shop, second) == (29800, 29800, 29800)


def test_the_last_unit_back_with_the_gift_kept_has_the_gift_deducted(shop):
    payload = order_payload("DYAR2")
    payload["lines"] = [payload["lines"][0], {
        "platform_line_id": "DYAR2-3", "title": "赠品发圈", "quantity": 1, "unit_price_fen": 900, "paid_fen": 0,
        "is_gift": True}]
    payload["payments"] = [{"route": "alipay", "amount_fen": 29800}]
    order = create_order(shop, payload)
    first = _open(shop, order, [(1, 1)])
    second = _open(shop, order, [(1, 1)])
    assert second.refund_cap_fen == 14900
    _grant_all(shop, first)
    # the last unit back while the buyer keeps the ¥9 gift: ¥149 less ¥9
    assert _advised(shop, second) == (14000, 14000, 14000)


def test_a_case_on_an_order_with_nothing_granted_gets_the_rules_figure_on_both_paths(shop):
    order = create_order(shop, order_payload("DYAR3", free_shipping_threshold_fen=19900, waived_freight_fen=1200))
    case = _open(shop, order, [(1, 2)])
    assert _advised(shop, case) == (28600, 28600, 28600)
