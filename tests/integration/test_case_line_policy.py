"""Finding 1: every picked line is judged on its own. A mixed request opens for the lines the law and the
rules allow and is refused, with the reason, for the others — whatever order the lines were picked in."""

from datetime import timedelta

import pytest

from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case
from aftersales.catalog.models import Category, Product, Sku
from aftersales.core.errors import DomainError
from aftersales.orders.services import create_order
from tests.integration.conftest import PAID_AT, order_payload

pytestmark = pytest.mark.django_db

BUYER = services.By(Actor.BUYER)
MERCHANT = services.By(Actor.MERCHANT)
NOW = PAID_AT + timedelta(days=4)


@pytest.fixture
def mixed_order(shop):
    fresh = Category.objects.create(shop=shop, name="生鲜", law_category="fresh")
    product = Product.objects.create(shop=shop, category=fresh, title="阳澄湖大闸蟹")
    Sku.objects.create(shop=shop, product=product, code="XIE-8", spec="8只", price_fen=29900)
    payload = order_payload("DYMIX1")
    payload["lines"].append({"platform_line_id": "DYMIX1-3", "title": "阳澄湖大闸蟹", "sku_code": "XIE-8",
                             "spec": "8只", "quantity": 1, "unit_price_fen": 29900, "paid_fen": 29900})
    payload["payments"] = [{"route": "alipay", "amount_fen": 30000 + 14700 + 29900}]
    return create_order(shop, payload)


def _ask(shop, order, ids, by=BUYER):
    lines = [order.lines.get(platform_line_id=f"DYMIX1-{i}") for i in ids]
    return services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1) for line in lines],
                              kind="return_refund", reason="no_reason", by=by, now=NOW)


@pytest.mark.parametrize("ids", [(1, 3), (3, 1)])
def test_a_mixed_request_opens_for_the_dress_and_refuses_the_crabs_in_any_order(shop, mixed_order, ids):
    case = _ask(shop, mixed_order, ids)
    dress = mixed_order.lines.get(platform_line_id="DYMIX1-1")
    crabs = mixed_order.lines.get(platform_line_id="DYMIX1-3")
    assert [(cl.order_line_id, cl.quantity) for cl in case.lines.all()] == [(dress.pk, 1)]
    assert case.refund_cap_fen == 14900 and case.requested_fen == 14900  # the dress's unit share only
    verdicts = {v["line_id"]: v for v in case.policy_decision["lines"]}
    assert verdicts[dress.pk]["allowed"] and verdicts[dress.pk]["opened"]
    assert not verdicts[crabs.pk]["allowed"] and not verdicts[crabs.pk]["opened"]
    assert "law.exempt.fresh" in [r["code"] for r in verdicts[crabs.pk]["reasons"]]
    assert case.policy_decision["eligible"] is True
    opened = case.events.get(action="open")
    assert opened.payload["refused_lines"][0][0] == crabs.pk


def test_a_request_for_the_crabs_alone_is_refused_and_nothing_is_written(shop, mixed_order):
    with pytest.raises(DomainError) as raised:
        _ask(shop, mixed_order, (3,))
    assert raised.value.code == "case.remedy_not_allowed"
    assert Case.objects.count() == 0


def test_staff_may_keep_every_line_and_see_each_lines_verdict(shop, mixed_order):
    case = _ask(shop, mixed_order, (3, 1), by=MERCHANT)
    assert case.lines.count() == 2
    assert case.policy_decision["eligible"] is False
    assert sorted(v["allowed"] for v in case.policy_decision["lines"]) == [False, True]
    assert all(v["opened"] for v in case.policy_decision["lines"])


def test_the_portal_the_console_and_the_api_show_the_refused_line(client, shop, mixed_order, api, agent):
    from aftersales.portal.views import SESSION_KEY

    case = _ask(shop, mixed_order, (3, 1))
    session = client.session
    session[SESSION_KEY] = mixed_order.pk
    session.save()
    portal = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "未包含在本次申请中" in portal and "阳澄湖大闸蟹" in portal
    body = api.get(f"/api/v1/cases/{case.pk}").json()
    assert [v["opened"] for v in body["policy_decision"]["lines"]] == [False, True]
    console = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "未包含在本次申请中" in console and "阳澄湖大闸蟹" in console
