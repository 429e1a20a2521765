"""Orders by the platforms' order calls: a case for an order the shop does not have brings the whole
order (淘宝 taobao.trade.fullinfo.get, 京东 jingdong.pop.order.get, 拼多多 pdd.order.information.get),
written through the import's OrderWriter; `aftersales sync --order` fetches one again."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aftersales.cases.models import Case
from aftersales.orders.models import Order
from aftersales.platforms.connectors.base import BaseConnector
from aftersales.platforms.simulator.core import SimLine
from aftersales.platforms.sync.pull import fetch_case, pull_store
from tests.integration.platform_sync_support import connected

pytestmark = pytest.mark.django_db
ORDER_CALLS = {"taobao": "taobao.trade.fullinfo.get", "jd": "jingdong.pop.order.get",
               "pdd": "pdd.order.information.get"}


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(BaseConnector, "calls_per_second", 0.0)
    monkeypatch.setattr(BaseConnector, "backoff", 0.0)


def _two_line_order(sim, order_id="8800123"):
    return sim.add_order(order_id, [
        SimLine(f"{order_id}01", "纯棉短袖T恤", "TS-01", "P1001", 1, 5900),
        SimLine(f"{order_id}02", "运动短裤", "SH-02", "P1002", 2, 7800),
    ], freight_fen=800, buyer_nick="小林同学", province="广东省", city="深圳市")


@pytest.mark.parametrize("platform", sorted(ORDER_CALLS))
def test_a_case_for_an_unknown_order_brings_the_whole_order(shop, platform):
    sim, connection = connected(shop, platform)
    _two_line_order(sim)
    sim.add_case(order_id="8800123", line_id="880012301", title="纯棉短袖T恤", sku_code="TS-01",
                 product_id="P1001", amount_fen=5900, paid_fen=5900)
    result = pull_store(connection)
    assert (result.error, result.created) == ("", 1)
    order = Order.objects.get(shop=shop, platform_order_id="8800123")
    lines = sorted(order.lines.values_list("title", "quantity", "paid_fen"))
    assert lines == [("纯棉短袖T恤", 1, 5900), ("运动短裤", 2, 7800)]
    assert (order.goods_fen, order.freight_fen, order.province, order.city) == (13700, 800, "广东省", "深圳市")
    assert order.shipped_at is not None
    if platform != "pdd":  # 拼多多's order call names no buyer
        assert order.buyer.nick == "小林同学"
    case = Case.objects.get(shop=shop)
    assert case.order_id == order.pk
    assert list(case.lines.values_list("order_line__title", flat=True)) == ["纯棉短袖T恤"]
    assert sim.calls.count(ORDER_CALLS[platform]) == 1
    # A second case of the same order: the order is known, no second order call, no line doubled.
    sim.add_case(order_id="8800123", line_id="880012302", title="运动短裤", sku_code="SH-02", product_id="P1002",
                 quantity=2, amount_fen=7800, paid_fen=7800)
    pull_store(connection)
    assert sim.calls.count(ORDER_CALLS[platform]) == 1
    assert order.lines.count() == 2
    assert Case.objects.filter(shop=shop, order=order).count() == 2


@pytest.mark.parametrize("platform", sorted(ORDER_CALLS))
def test_a_pushed_case_brings_its_order_too(shop, platform):
    sim, connection = connected(shop, platform)
    _two_line_order(sim, "8800777")
    sim_case = sim.add_case(order_id="8800777", line_id="880077701", title="纯棉短袖T恤", sku_code="TS-01",
                            product_id="P1001", paid_fen=5900)
    assert fetch_case(connection, sim_case.case_id) == "created"
    assert Order.objects.get(shop=shop, platform_order_id="8800777").lines.count() == 2


def test_douyin_cases_carry_their_order_and_make_no_order_call(shop):
    sim, connection = connected(shop, "douyin")
    sim.add_case()
    assert pull_store(connection).created == 1
    assert [c for c in sim.calls if "order" in c.lower()] == []
    assert Order.objects.filter(shop=shop).count() == 1


@pytest.mark.parametrize("platform", sorted(ORDER_CALLS))
def test_sync_order_fetches_one_order_again(shop, platform, capsys):
    sim, connection = connected(shop, platform)
    order = _two_line_order(sim, "8800999")
    call_command("sync", store=connection.pk, order="8800999")
    assert "order 8800999: written" in capsys.readouterr().out
    assert Order.objects.get(shop=shop, platform_order_id="8800999").lines.count() == 2
    order.lines.append(SimLine("880099903", "棒球帽", "CAP-1", "P1003", 1, 3900))  # added on the platform
    call_command("sync", store=connection.pk, order="8800999")
    assert Order.objects.get(shop=shop, platform_order_id="8800999").lines.count() == 3
    call_command("sync", store=connection.pk, order="404404")
    assert "order 404404: missing" in capsys.readouterr().out
    assert Order.objects.filter(shop=shop).count() == 1


def test_sync_order_reports_the_platforms_error_and_writes_nothing(shop):
    sim, connection = connected(shop, "jd")
    _two_line_order(sim, "8800555")
    sim.expire_tokens()
    sim.refresh_tokens.clear()
    with pytest.raises(CommandError):
        call_command("sync", store=connection.pk, order="8800555")
    assert Order.objects.filter(shop=shop).count() == 0
