"""The goods' state is judged per picked line, not per request: an order shipped in parts (拆单发货), one
line signed for and one not yet shipped, is judged line by line — by the policy, by the refund rule
(a gift never shipped is not with the buyer) — and each line's state is kept on the case and shown on
the portal, the console and the API."""

from datetime import timedelta

import pytest

from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case
from aftersales.core.errors import DomainError
from aftersales.orders.models import Order
from aftersales.orders.services import create_order
from tests.integration.conftest import PAID_AT, order_payload

pytestmark = pytest.mark.django_db

BUYER = services.By(Actor.BUYER)
MERCHANT = services.By(Actor.MERCHANT)
NOW = PAID_AT + timedelta(days=4)
SHIPPED, SIGNED = PAID_AT + timedelta(hours=10), PAID_AT + timedelta(days=2)


def parts_payload(number="DYPART1", *, gift=False):
    """Line 1 (two dresses) went out and was signed for; line 2 (one dress) has not shipped yet."""
    payload = order_payload(number)
    payload["lines"][0].update(shipped_at=SHIPPED, signed_at=SIGNED)
    if gift:
        payload["lines"].append({"platform_line_id": f"{number}-3", "title": "赠品发圈", "quantity": 1,
                                 "unit_price_fen": 900, "paid_fen": 0, "is_gift": True})
    return payload


@pytest.fixture
def parts(shop):
    return create_order(shop, parts_payload())


def _line(order, i):
    return order.lines.get(platform_line_id=f"{order.platform_order_id}-{i}")


def _ask(shop, order, picks, *, kind="refund_only", reason="no_reason", by=BUYER):
    return services.open_case(shop, order_id=order.pk, lines=[(_line(order, i).pk, q) for i, q in picks],
                              kind=kind, reason=reason, by=by, now=NOW)


def test_each_line_keeps_its_own_shipping_state(parts):
    assert parts.ships_in_parts is True
    first, second = _line(parts, 1), _line(parts, 2)
    assert (first.shipped_at, first.signed_at) == (SHIPPED, SIGNED)
    assert (second.shipped_at, second.signed_at) == (None, None)


def test_a_refund_only_is_judged_per_line_the_unshipped_one_opens_the_signed_one_is_refused(shop, parts):
    case = _ask(shop, parts, [(1, 1), (2, 1)])
    assert [(cl.order_line_id, cl.goods_status) for cl in case.lines.all()] == [(_line(parts, 2).pk, "not_shipped")]
    assert case.goods_status == "not_shipped"
    verdicts = {v["line_id"]: v for v in case.policy_decision["lines"]}
    assert verdicts[_line(parts, 1).pk]["goods_status"] == "received"
    assert not verdicts[_line(parts, 1).pk]["allowed"]
    assert verdicts[_line(parts, 2).pk]["goods_status"] == "not_shipped"
    assert verdicts[_line(parts, 2).pk]["allowed"] and verdicts[_line(parts, 2).pk]["opened"]
    assert case.refund_cap_fen == 14900


def test_staff_keep_both_lines_each_with_its_state_shown_everywhere(client, shop, parts, api, agent):
    from aftersales.portal.views import SESSION_KEY

    case = _ask(shop, parts, [(1, 1), (2, 1)], by=MERCHANT)
    states = {cl.order_line_id: cl.goods_status for cl in case.lines.all()}
    assert states == {_line(parts, 1).pk: "received", _line(parts, 2).pk: "not_shipped"}
    assert case.goods_status == "received"  # the case as a whole: the furthest any of its goods got
    body = api.get(f"/api/v1/cases/{case.pk}").json()
    assert [(x["order_line_id"], x["goods_status"]) for x in body["lines"]] == sorted(states.items())
    console = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert console.count('class="line-goods"') == 2 and "未发货" in console and "买家已签收" in console
    # The signed line's own answer names the remedy asked for, never a bare placeholder.
    assert "当前情况不支持「仅退款」" in console and "{kind}" not in console
    session = client.session
    session[SESSION_KEY] = parts.pk
    session.save()
    portal = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert portal.count('class="line-goods"') == 2 and "未发货" in portal


def test_a_gift_that_never_shipped_is_not_deducted_as_kept(shop):
    payload = parts_payload("DYPART2", gift=True)
    payload["lines"][1].update(shipped_at=SHIPPED, signed_at=SIGNED)  # both dresses arrived, the gift did not
    order = create_order(shop, payload)
    case = _ask(shop, order, [(1, 2), (2, 1)], kind="return_refund", by=MERCHANT)
    assert case.refund_cap_fen == 44700  # nothing deducted for a gift the buyer never had


def test_a_line_signed_for_without_being_shipped_is_refused(api):
    payload = order_payload("DYPART9")
    payload["lines"][0]["signed_at"] = SIGNED.isoformat()
    for key in ("paid_at", "shipped_at", "signed_at"):
        payload[key] = payload[key].isoformat()
    response = api.post("/api/v1/orders", payload)
    assert response.status_code == 422 and response.json()["code"] == "order.signed_without_shipment"
    assert not Order.objects.filter(platform_order_id="DYPART9").exists()


def test_an_order_shipped_whole_judges_every_line_by_the_order(shop, order):
    case = _ask(shop, order, [(1, 1)], kind="return_refund", by=MERCHANT)
    assert [cl.goods_status for cl in case.lines.all()] == ["received"]
    assert Case.objects.get(pk=case.pk).goods_status == "received"
    with pytest.raises(DomainError):
        _ask(shop, order, [(2, 1)])  # refund only of a signed dress for no reason: refused as before
