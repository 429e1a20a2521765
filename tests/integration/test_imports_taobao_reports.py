"""千牛 订单报表 (one row per order) and 宝贝报表 (one row per item) of the same orders: the goods count once.

Order A (…581) holds two items, 真丝眼罩 ×3 at 39.90 and 真丝发圈 ×1 at 19.00 (list 138.70); the buyer
paid 128.00 with 8.00 freight, so 120.00 for the goods. Order B (…582) holds one item, 真丝枕套一对装
×2 at 59.00; paid 109.00 with 10.00 freight, so 99.00 for the goods. The 订单报表 row of each is its
summary line; the 宝贝报表 rows replace it, sharing the goods payment by list amount:
120.00 × 119.70 / 138.70 → 103.56 and 16.44; B's single line keeps 99.00.
"""

from __future__ import annotations

import pytest
from django.db.models import Sum

from aftersales.accounts.models import Shop
from aftersales.analytics import rollups
from aftersales.analytics.domain.facts import MEASURES
from aftersales.analytics.models import Rollup
from aftersales.cases.models import Case, CaseEvent, CaseLine
from aftersales.catalog.models import Product
from aftersales.orders.models import Order, OrderLine, Payment, Shipment
from aftersales.platforms import order_summaries
from aftersales.platforms.importing import derive_line_id
from aftersales.platforms.services import import_file
from aftersales.refunds.models import RefundDecision
from tests.unit import platform_fixtures as fx

pytestmark = pytest.mark.django_db

A, B = "35153131473293581", "35153131473293582"

ORDER_ROWS = [
    {
        "订单编号": f'="{A}"', "买家会员名": "silk_fan", "买家应付货款": "138.70", "买家应付邮费": "8.00",
        "总金额": "146.70", "买家实际支付金额": "128.00", "订单状态": "卖家已发货，等待买家确认",
        "收货人姓名": "周小燕", "收货地址": "上海 上海市 徐汇区 田林街道 钦州路100号(200235)",
        "联系手机": "'13900002222", "订单创建时间": "2017-07-10 09:00:00", "订单付款时间": "2017-07-10 09:00:30",
        "宝贝标题": "真丝眼罩，真丝发圈", "宝贝种类": "2", "物流单号": "YT0000000001", "物流公司": "圆通速递",
        "宝贝总数量": "4", "买家服务费": "0元", "主订单编号": f'="{A}"',
    },
    {
        "订单编号": f'="{B}"', "买家会员名": "lily_shop", "买家应付货款": "118.00", "买家应付邮费": "10.00",
        "总金额": "128.00", "买家实际支付金额": "109.00", "订单状态": "买家已付款，等待卖家发货",
        "收货人姓名": "李丽", "收货地址": "北京 北京市 朝阳区 望京街道 阜通东大街6号(100102)",
        "联系手机": "'13800001111", "订单创建时间": "2017-07-10 10:00:00", "订单付款时间": "2017-07-10 10:00:09",
        "宝贝标题": "真丝枕套一对装", "宝贝种类": "1", "宝贝总数量": "2", "买家服务费": "0元",
        "主订单编号": f'="{B}"',
    },
]  # fmt: skip

ITEM_ROWS = [
    {"订单编号": f'="{A}"', "标题": "真丝眼罩", "价格": "39.90", "购买数量": "3", "外部系统编号": "ZS-YZ",
     "商品属性": "颜色分类：香槟色", "订单状态": "卖家已发货，等待买家确认", "商家编码": "ZS-YZ-CHP"},
    {"订单编号": f'="{A}"', "标题": "真丝发圈", "价格": "19.00", "购买数量": "1", "商品属性": "颜色分类：黑色",
     "订单状态": "卖家已发货，等待买家确认"},
    {"订单编号": f'="{B}"', "标题": "真丝枕套一对装", "价格": "59.00", "购买数量": "2",
     "商品属性": "颜色分类：米白", "订单状态": "买家已付款，等待卖家发货"},
]  # fmt: skip

# The newer item export leads with the sub-order and carries times and each item's payment.
NEWER_ITEMS = fx._headings(
    "子订单编号,主订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码,支付单号,"
    "买家应付货款,买家实际支付金额,退款状态,退款金额,订单创建时间,订单付款时间"
)
NEWER_ROWS = [
    {**ITEM_ROWS[0], "子订单编号": f'="{A}01"', "主订单编号": f'="{A}"', "买家应付货款": "119.70",
     "买家实际支付金额": "103.56", "订单创建时间": "2017-07-10 09:00:00", "订单付款时间": "2017-07-10 09:00:30"},
    {**ITEM_ROWS[1], "子订单编号": f'="{A}02"', "主订单编号": f'="{A}"', "买家应付货款": "19.00",
     "买家实际支付金额": "16.44", "订单创建时间": "2017-07-10 09:00:00", "订单付款时间": "2017-07-10 09:00:30"},
    {**ITEM_ROWS[2], "子订单编号": f'="{B}01"', "主订单编号": f'="{B}"', "买家应付货款": "118.00",
     "买家实际支付金额": "99.00", "订单创建时间": "2017-07-10 10:00:00", "订单付款时间": "2017-07-10 10:00:09"},
]  # fmt: skip

#: (title, 商家编码, quantity, unit price, paid) per line, per order, once both reports are in.
ITEMISED = {
    A: [("真丝发圈", "", 1, 1900, 1644), ("真丝眼罩", "ZS-YZ-CHP", 3, 3990, 10356)],
    B: [("真丝枕套一对装", "", 2, 5900, 9900)],
}
#: What the 订单报表 alone leaves: one summary line per order.
SUMMARISED = {
    A: [("真丝眼罩，真丝发圈", "", 4, 3467, 12000)],
    B: [("真丝枕套一对装", "", 2, 5900, 9900)],
}


def order_report(rows=ORDER_ROWS) -> bytes:
    return fx.taobao_csv_text(fx.TAOBAO_ORDERS, rows).encode("gbk")


def item_report(rows=ITEM_ROWS) -> bytes:
    return fx.taobao_csv_text(fx.TAOBAO_DETAIL, rows, trailing_comma=True).encode("gbk")


def newer_item_report() -> bytes:
    return fx.taobao_csv_text(NEWER_ITEMS, NEWER_ROWS).encode("gbk")


def refund_report(rows) -> bytes:
    return fx.taobao_csv_text(fx.TAOBAO_REFUNDS, rows).encode("gbk")


@pytest.fixture
def shop(db) -> Shop:
    return Shop.objects.create(slug="silk", name="真丝小铺")


def import_orders(shop, data: bytes, name: str):
    run = import_file(shop, "taobao", "orders", name, data)
    assert run.status == "done", run.error_en
    return run


def lines_by_order() -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for order_id, *values in OrderLine.objects.values_list(
        "order__platform_order_id", "title", "sku_code", "quantity", "unit_price_fen", "paid_fen"
    ):
        out.setdefault(order_id, []).append(tuple(values))
    return {order_id: sorted(lines) for order_id, lines in sorted(out.items())}


def money() -> dict[str, tuple[int, int, int]]:
    """Order → (goods paid, freight, what the platform payment holds)."""
    return {
        o.platform_order_id: (o.goods_fen, o.freight_fen, o.payments.get().amount_fen)
        for o in Order.objects.prefetch_related("payments")
    }


def counts() -> dict[str, int]:
    return {
        "orders": Order.objects.count(), "lines": OrderLine.objects.count(), "payments": Payment.objects.count(),
        "shipments": Shipment.objects.count(), "products": Product.objects.count(),
        "cases": Case.objects.count(), "case_lines": CaseLine.objects.count(), "events": CaseEvent.objects.count(),
    }  # fmt: skip


def sold(shop, **key) -> tuple[int, int]:
    """(units, fen) sold over the shop's daily rollups of one cube."""
    totals = Rollup.objects.filter(shop=shop, grain="d", **key).aggregate(qty=Sum("sold_qty"), fen=Sum("sold_fen"))
    return totals["qty"] or 0, totals["fen"] or 0


def rollup_table(shop) -> list[tuple]:
    fields = [f.attname for f in Rollup._meta.local_fields if f.name not in ("id",)]
    return sorted(row for row in Rollup.objects.filter(shop=shop).values_list(*fields) if any(row[-len(MEASURES):]))


def assert_counted_once(shop) -> None:
    assert lines_by_order() == ITEMISED
    assert money() == {A: (12000, 800, 12800), B: (9900, 1000, 10900)}
    for order in Order.objects.all():  # the goods payment is the sum of the lines
        assert order.goods_fen == sum(order.lines.values_list("paid_fen", flat=True))
    assert sold(shop, cube="chan") == (6, 23700)  # 3 + 1 + 2 units; goods and freight of both orders
    summary_product = Product.objects.get(title="真丝眼罩，真丝发圈")
    assert sold(shop, cube="product", product_id=summary_product.pk) == (0, 0)
    pillow = Product.objects.get(title="真丝枕套一对装")
    assert sold(shop, cube="product", product_id=pillow.pk) == (2, 10900)
    incremental = rollup_table(shop)
    rollups.rebuild(shop.pk)
    assert rollup_table(shop) == incremental  # what the import kept current is what a rebuild computes


def test_order_report_then_item_report_counts_the_goods_once(shop):
    run = import_orders(shop, order_report(), "ExportOrderList201707.csv")
    assert run.report == []
    assert (run.created, run.updated, run.unchanged, run.skipped) == (2, 0, 0, 0)
    assert lines_by_order() == SUMMARISED
    assert sold(shop, cube="chan") == (6, 23700)

    run = import_orders(shop, item_report(), "ExportOrderDetailList201707.csv")
    assert (run.created, run.updated, run.unchanged, run.skipped) == (3, 0, 0, 0)
    assert run.details["lines"] == {"created": 3, "deleted": 2}
    assert run.report == []
    assert_counted_once(shop)
    assert Order.objects.get(platform_order_id=A).lines.get(sku_code="ZS-YZ-CHP").sku.code == "ZS-YZ-CHP"

    before = counts()
    again = import_orders(shop, item_report(), "ExportOrderDetailList201707.csv")
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 3, 0)
    again = import_orders(shop, order_report(), "ExportOrderList201707.csv")
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 2, 0)
    assert again.details == {}  # nothing written: no summary line comes back
    assert counts() == before
    assert_counted_once(shop)


def test_the_order_report_still_updates_the_order_but_not_its_item_lines(shop):
    import_orders(shop, order_report(), "ExportOrderList.csv")
    import_orders(shop, item_report(), "ExportOrderDetailList.csv")
    rows = [dict(row) for row in ORDER_ROWS]
    rows[1].update({"订单状态": "交易成功", "物流单号": "SF1000000002", "物流公司": "顺丰速运",
                    "确认收货时间": "2017-07-14 18:00:00", "买家实际支付金额": "100.00"})  # fmt: skip
    run = import_orders(shop, order_report(rows), "ExportOrderList.csv")
    assert (run.created, run.updated, run.unchanged, run.skipped) == (0, 1, 1, 0)
    pillow = Order.objects.get(platform_order_id=B)
    assert (pillow.status_raw, pillow.signed_at is not None) == ("交易成功", True)
    assert pillow.shipments.get().tracking_no == "SF1000000002"
    assert lines_by_order() == ITEMISED  # the lines' amounts stay the shares of what was first paid
    assert money()[B] == (9900, 1000, 10900)


def test_an_item_report_first_is_refused_and_imported_again_after_the_order_report(shop):
    run = import_orders(shop, item_report(), "ExportOrderDetailList.csv")
    assert (run.created, run.skipped) == (0, 3)  # no times in it: it cannot make an order
    assert {e["code"] for e in run.report} == {"import.paid_at_missing"}
    assert Order.objects.count() == 0
    import_orders(shop, order_report(), "ExportOrderList.csv")
    run = import_orders(shop, item_report(), "ExportOrderDetailList.csv")
    assert (run.created, run.skipped) == (3, 0)
    assert_counted_once(shop)


@pytest.mark.parametrize("first", ["order report", "item export"])
def test_the_newer_item_export_in_either_order_ends_in_the_same_lines(shop, first):
    files = [(order_report(), "ExportOrderList.csv"), (newer_item_report(), "ExportOrderDetailList.csv")]
    if first == "item export":
        files.reverse()
    for data, name in files:
        import_orders(shop, data, name)
    # the rows' own payments (with 子订单编号) are the lines'; they add up to what the summary said
    assert lines_by_order() == ITEMISED
    assert set(OrderLine.objects.values_list("platform_line_id", flat=True)) == {f"{A}01", f"{A}02", f"{B}01"}
    assert money() == {A: (12000, 800, 12800), B: (9900, 1000, 10900)}
    assert sold(shop, cube="chan") == (6, 23700)
    before = counts()
    for data, name in files:
        run = import_orders(shop, data, name)
        assert (run.created, run.updated, run.skipped) == (0, 0, 0), name
    assert counts() == before and lines_by_order() == ITEMISED


def test_a_batch_retried_order_by_order_replaces_the_same_way(shop, monkeypatch):
    """A batch the database refuses is written again one order per transaction: the shares come out
    the same (they are worked out from the rows, not from the first attempt)."""
    import_orders(shop, order_report(), "ExportOrderList.csv")
    real, calls = order_summaries.replace, []

    def refusing_once(plans, orders, col):
        calls.append(len(plans))
        if len(calls) == 1:
            from django.db import IntegrityError

            raise IntegrityError("refused for the test")
        return real(plans, orders, col)

    monkeypatch.setattr(order_summaries, "replace", refusing_once)
    run = import_orders(shop, item_report(), "ExportOrderDetailList.csv")
    assert calls == [2, 1, 1]  # the batch, then each order alone
    assert (run.created, run.skipped) == (3, 0)
    assert_counted_once(shop)


def test_orders_in_batches_of_one(shop):
    import_orders(shop, order_report(), "ExportOrderList.csv")
    run = import_file(shop, "taobao", "orders", "ExportOrderDetailList.csv", item_report(), batch_orders=1)
    assert (run.created, run.skipped) == (3, 0)
    assert_counted_once(shop)


# ---- cases on a summary line ---------------------------------------------------------------------

PILLOW_REFUND = {
    "订单编号": f'="{B}"', "退款编号": '="2815436097719901"', "买家实际支付金额": "109.00",
    "宝贝标题": "真丝枕套一对装", "买家退款金额": "20.00", "是否需要退货": "否",
    "退款的申请时间": "2017-07-11 08:00:00", "退款完结时间": "2017-07-11 12:00:00", "退款状态": "退款成功",
    "货物状态": "买家未收到货", "客服介入状态": "无客服介入", "买家退款原因": "其他", "部分退款/全部退款": "部分退款",
}  # fmt: skip
MASK_REFUND = {
    "订单编号": f'="{A}"', "退款编号": '="2815436097719902"', "商品编码": "ZS-YZ-CHP", "买家实际支付金额": "128.00",
    "宝贝标题": "真丝眼罩", "买家退款金额": "39.90", "是否需要退货": "是", "退款的申请时间": "2017-07-12 09:00:00",
    "退款状态": "买家已经申请退款，等待卖家同意", "客服介入状态": "无客服介入", "买家退款原因": "质量问题",
}  # fmt: skip


def test_a_case_on_the_summary_line_moves_to_the_only_item(shop):
    import_orders(shop, order_report(), "ExportOrderList.csv")
    run = import_file(shop, "taobao", "cases", "退款报表.csv", refund_report([PILLOW_REFUND]))
    assert (run.created, run.skipped) == (1, 0)
    case = Case.objects.get()
    summary_line = case.lines.get().order_line
    assert (summary_line.platform_line_id, case.refund_granted_fen, case.refunded_fen) == (f"{B}#order", 2000, 2000)

    decision = RefundDecision.objects.create(shop=shop, case=case, amount_fen=2000, reason_code="platform_ruling",
                                             per_line={str(summary_line.pk): 2000}, actor="platform",
                                             created_at=case.created_at)

    run = import_orders(shop, item_report(), "ExportOrderDetailList.csv")
    assert (run.created, run.skipped) == (3, 0)
    assert run.details["cases"] == {"updated": 1}
    case.refresh_from_db()
    line = case.lines.get()
    assert (line.order_line.title, line.order_line.paid_fen, line.quantity) == ("真丝枕套一对装", 9900, 2)
    assert line.order_line.platform_line_id == derive_line_id(B, "", "真丝枕套一对装")
    # A partial refund keeps the goods: by the refund rule it may reach what the items were paid (¥99),
    # not the outbound freight, which only comes back when the whole order is undone.
    assert (case.refund_granted_fen, case.refunded_fen, case.refund_cap_fen) == (2000, 2000, 9900)
    assert Order.objects.get(platform_order_id=B).refund_granted_fen == 2000
    assert not OrderLine.objects.filter(pk=summary_line.pk).exists()
    decision.refresh_from_db()
    assert decision.per_line == {str(line.order_line_id): 2000}
    event = case.events.get(action="order_line_replaced")
    assert (event.actor, event.payload["changes"]) == ("platform", {"order_line": [summary_line.pk, line.order_line_id]})
    note = next(e for e in run.report if e["code"] == "import.summary_cases_moved")
    assert note["level"] == "warning" and note["row"] == 4
    assert note["message_zh"] == (f"第 4 行：订单「{B}」的售后单 {case.number} 原来挂在订单报表的汇总行上，"
                                  "现已改挂到宝贝「真丝枕套一对装」。")
    assert_counted_once(shop)

    before = counts()
    for data, name in ((item_report(), "ExportOrderDetailList.csv"), (order_report(), "ExportOrderList.csv")):
        run = import_orders(shop, data, name)
        assert (run.created, run.updated, run.skipped) == (0, 0, 0)
    run = import_file(shop, "taobao", "cases", "退款报表.csv", refund_report([PILLOW_REFUND]))
    assert (run.created, run.updated, run.unchanged) == (0, 0, 1)
    assert counts() == before


def test_a_case_on_a_summary_of_several_items_keeps_the_summary_line_and_is_reported(shop):
    import_orders(shop, order_report(), "ExportOrderList.csv")
    import_file(shop, "taobao", "cases", "退款报表.csv", refund_report([MASK_REFUND]))
    case = Case.objects.get()
    assert case.lines.get().order_line.platform_line_id == f"{A}#order"
    run = import_orders(shop, item_report(), "ExportOrderDetailList.csv")
    assert (run.created, run.updated, run.unchanged, run.skipped) == (1, 0, 0, 2)  # only B is itemised
    refused = [e for e in run.report if e["level"] == "error"]
    assert [(e["row"], e["code"], e["column"], e["value"]) for e in refused] == [
        (2, "import.summary_line_unmatched", "订单编号", A), (3, "import.summary_line_unmatched", "订单编号", A)]
    assert refused[0]["message_zh"] == (
        f"第 2 行：订单「{A}」之前从订单报表导入为一行汇总（「真丝眼罩，真丝发圈」），售后单 {case.number} 挂在这行上，"
        "但无法确定它对应哪一件宝贝。为了不弄错金额，这一单的宝贝明细没有导入：汇总行保留，订单金额和售后单都没有改动。")
    assert lines_by_order() == {A: SUMMARISED[A], B: ITEMISED[B]}
    assert money() == {A: (12000, 800, 12800), B: (9900, 1000, 10900)}
    assert case.lines.get().order_line.platform_line_id == f"{A}#order"
    assert sold(shop, cube="chan") == (6, 23700)
    assert not CaseEvent.objects.filter(action="order_line_replaced").exists()
    stamp = Case.objects.values_list("version", "refund_cap_fen", "requested_fen").get()
    before = counts()
    again = import_orders(shop, item_report(), "ExportOrderDetailList.csv")
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 1, 2)
    assert [e["code"] for e in again.report] == ["import.summary_line_unmatched"] * 2
    assert counts() == before
    assert Case.objects.values_list("version", "refund_cap_fen", "requested_fen").get() == stamp


def test_a_case_claiming_more_than_its_item_holds_keeps_the_summary_line(shop):
    rows = [dict(row) for row in ORDER_ROWS]
    rows[0]["宝贝标题"] = "真丝眼罩"  # the summary names one of the items
    import_orders(shop, order_report(rows), "ExportOrderList.csv")
    # The refund report gives no quantity: 128.00 back of a summary line of 4 units paid 128.00 is all 4.
    import_file(shop, "taobao", "cases", "退款报表.csv", refund_report([{**MASK_REFUND, "买家退款金额": "128.00"}]))
    case = Case.objects.get()
    assert case.lines.get().quantity == 4
    run = import_orders(shop, item_report(), "ExportOrderDetailList.csv")
    assert (run.created, run.skipped) == (1, 2)
    refused = next(e for e in run.report if e["level"] == "error")
    assert refused["code"] == "import.summary_line_too_small"
    assert "只有 3 件、最多可退 103.56 元，容不下售后单的 4 件、已同意退款 0.00 元" in refused["message_zh"]
    assert OrderLine.objects.filter(order__platform_order_id=A).get().platform_line_id == f"{A}#order"
    assert money()[A] == (12000, 800, 12800)
