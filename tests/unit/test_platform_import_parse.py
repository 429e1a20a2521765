"""Each platform's exports parse to exactly the records a merchant would expect."""

from __future__ import annotations

from datetime import datetime

import pytest

from aftersales.core.clock import SHANGHAI
from aftersales.platforms.importing import (
    CaseRecord,
    OrderLineRecord,
    RowError,
    RowWarning,
    derive_line_id,
    parse_cases,
    parse_orders,
)
from tests.unit import platform_fixtures as fx


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def records(items) -> list:
    return [i for i in items if isinstance(i, OrderLineRecord | CaseRecord)]


def errors(items) -> list[tuple[int, str, str, str]]:
    return [(e.row_number, e.column, e.value, e.code) for e in items if isinstance(e, RowError)]


# ---- Douyin -------------------------------------------------------------------------------------

DOUYIN_LINE_1 = OrderLineRecord(
    platform="douyin",
    row_number=2,
    platform_order_id="6921325487901234567",
    platform_line_id="6921325487901234568",
    line_id_derived=False,
    product_title="纯棉短袖T恤男夏季宽松圆领",
    quantity=1,
    sku_code="TS-WHT-XL",
    sku_spec="白色;XL",
    platform_product_id="3612345678901234567",
    unit_price_fen=7900,
    goods_fen=7900,
    paid_fen=6900,
    freight_fen=0,
    discount_fen=1000,
    order_status="已完成",
    order_status_code="completed",
    aftersale_status="",
    created_at=at(2026, 5, 10, 20, 15, 33),
    paid_at=at(2026, 5, 10, 20, 15, 41),
    shipped_at=at(2026, 5, 11, 14, 20),
    completed_at=at(2026, 5, 16, 9, 0, 2),
    buyer_name="张**",
    buyer_phone="13812345678",
    province="广东省",
    city="深圳市",
    district="南山区",
    street="粤海街道",
    address="科技园南区8栋101",
    channel="live_stream",
    channel_raw="直播",
    content_id="1234567890",
    author="小美穿搭",
)


def test_douyin_orders_variant_a_csv():
    parsed = parse_orders("douyin", "订单导出.csv", fx.douyin_orders_csv("A"))
    rows = list(parsed)
    assert (parsed.format, parsed.encoding, parsed.header_row) == ("csv", "utf-8-sig", 1)
    assert len(parsed.headings) == 74
    assert rows[0] == DOUYIN_LINE_1
    assert [
        (r.platform_line_id, r.quantity, r.unit_price_fen, r.paid_fen, r.aftersale_status) for r in rows[1:]
    ] == [
        ("6921325487901234569", 2, 1990, 3980, "退款成功"),
        ("6921400000000000002", 1, 129900, 119900, ""),
    ]
    third = rows[2]
    assert (third.order_status_code, third.channel, third.created_at) == (
        "closed",
        "shop_page",
        at(2026, 5, 12, 8, 5),
    )


def test_douyin_orders_variant_b_csv_reads_logistics_info_and_goods_amount():
    rows = list(parse_orders("douyin", "订单导出.csv", fx.douyin_orders_csv("B")))
    first = rows[0]
    assert (first.tracking_no, first.carrier) == ("SF0220481613112", "顺丰速运")
    assert (first.unit_price_fen, first.goods_fen, first.sku_spec) == (None, 7900, "")
    assert [r.goods_fen for r in rows] == [7900, 3980, 129900]


@pytest.mark.parametrize("variant", ["A", "B"])
def test_douyin_orders_xlsx_with_real_datetime_and_number_cells(variant):
    parsed = parse_orders("douyin", "订单导出.xlsx", fx.douyin_orders_xlsx(variant))
    rows = list(parsed)
    assert parsed.format == "xlsx"
    assert [(r.platform_line_id, r.quantity, r.paid_fen, r.created_at) for r in rows] == [
        ("6921325487901234568", 1, 6900, at(2026, 5, 10, 20, 15, 33)),
        ("6921325487901234569", 2, 3980, at(2026, 5, 10, 20, 15, 33)),
    ]


def test_douyin_cases_xlsx():
    parsed = parse_cases("douyin", "售后单-2026-05-18 00_34_04.xlsx", fx.douyin_cases_xlsx())
    items = list(parsed)
    assert parsed.sheet == "售后单"
    assert records(items)[0] == CaseRecord(
        platform="douyin",
        row_number=2,
        platform_case_id="7301234567890123456",
        platform_order_id="6921325487901234567",
        platform_line_id="6921325487901234569",
        kind="return_refund",
        kind_raw="退货退款",
        status="completed",
        status_raw="同意退款，退款成功",
        reason="no_reason",
        reason_raw="多拍/拍错/不想要",
        buyer_note="买多了，全新未拆",
        requested_amount_fen=3980,
        paid_fen=3980,
        refund_freight_fen=0,
        refund_discount_fen=200,
        requested_at=at(2026, 5, 17, 10, 2, 11),
        deadline_at=at(2026, 5, 19, 10, 2, 11),
        refunded_at=at(2026, 5, 18, 16, 30),
        closed_at=at(2026, 5, 18, 16, 30, 5),
        return_tracking_no="YT7412589630147",
        return_carrier="圆通速递",
        goods_status="1/1已发货",
        refund_method="原路退回",
        product_title="冰丝防晒袖套",
        sku_code="SX-GRY",
        platform_product_id="3612345678901234999",
    )
    summary = [(c.row_number, c.kind, c.status, c.reason) for c in records(items)]
    assert summary == [
        (2, "return_refund", "completed", "no_reason"),
        (3, "refund_only", "arbitration", "not_as_described"),  # 仲裁中 overrides 待商家处理
        (4, "return_refund", "return_in_transit", "size_fit"),  # 待买家退货 + a return tracking number
        (7, "exchange", "fulfilling", "quality_defect"),
    ]
    assert errors(items) == [
        (5, "退商品金额（元）", "abc", "money.invalid"),
        (6, "售后状态", "待平台审核", "import.unknown_status"),
    ]
    unknown = [e for e in items if isinstance(e, RowError)][1]
    assert "douyin_cases.toml" in unknown.message_zh and "[case_status]" in unknown.message_zh


# ---- Taobao / Tmall -----------------------------------------------------------------------------


def test_taobao_order_list_gbk_with_wrapped_ids_quoted_phones_and_trailing_space_headings():
    parsed = parse_orders("taobao", "ExportOrderList201707.csv", fx.taobao_orders_csv())
    rows = list(parsed)
    assert parsed.encoding == "gb18030"
    assert "收货地址" in parsed.headings  # shown without the trailing space
    assert rows[0] == OrderLineRecord(
        platform="taobao",
        row_number=2,
        platform_order_id="35153131473293579",
        platform_line_id="35153131473293579#order",  # one row per order: the order's summary line
        line_id_derived=True,
        product_title="秋冬加厚羊毛衫男",
        quantity=1,
        order_summary=True,
        goods_fen=20112,
        paid_fen=20112,
        freight_fen=0,
        order_status="交易成功",
        order_status_code="completed",
        created_at=at(2017, 7, 8, 0, 42, 32),
        paid_at=at(2017, 7, 8, 0, 42, 40),
        completed_at=at(2017, 7, 12, 10, 0),
        buyer_name="王小明",
        buyer_phone="13925130165",
        buyer_nick="tb_小王2019",
        province="广东省",
        city="广州市",
        district="越秀区",
        address="北京街道 北京路100号",
        tracking_no="3101234567890",
        carrier="中通快递",
    )
    second = rows[1]
    assert (second.province, second.city, second.order_status_code, second.freight_fen) == (
        "北京", "北京市", "paid", 1000,
    )  # fmt: skip


def test_tmall_shares_the_taobao_mapping_and_item_list_with_trailing_commas():
    rows = list(parse_orders("tmall", "ExportOrderDetailList201707.csv", fx.taobao_detail_csv()))
    assert [
        (r.platform, r.platform_line_id, r.quantity, r.unit_price_fen, r.goods_fen, r.sku_spec) for r in rows
    ] == [
        ("tmall", "35153131473293581:ZS-YZ-CHP", 3, 3990, 11970, "颜色分类：香槟色"),
        ("tmall", derive_line_id("35153131473293581", "", "真丝发圈"), 1, 1900, 1900, "颜色分类：黑色"),
    ]
    assert not any(r.order_summary for r in rows)  # 购买数量: one row per item


def test_a_summary_row_is_told_by_its_quantity_column_not_by_its_title():
    """宝贝总数量 counts a whole order; 购买数量 one item. Only the former makes a summary row, and only
    without a 子订单编号; its line id is one per order, whatever the title."""
    both = fx._headings("订单编号,子订单编号,宝贝标题,购买数量,宝贝总数量,买家实际支付金额,订单付款时间")
    rows = [
        {"订单编号": "1001", "宝贝标题": "真丝眼罩，真丝发圈", "宝贝总数量": "4", "买家实际支付金额": "138.70"},
        {"订单编号": "1002", "宝贝标题": "真丝眼罩", "购买数量": "1", "宝贝总数量": "3"},
        {"订单编号": "1003", "子订单编号": "100301", "宝贝标题": "真丝眼罩", "宝贝总数量": "2"},
    ]
    parsed = records(parse_orders("taobao", "订单.csv", fx.csv_text(both, rows).encode("utf-8")))
    assert [(r.platform_line_id, r.order_summary, r.quantity) for r in parsed] == [
        ("1001#order", True, 4),
        (derive_line_id("1002", "", "真丝眼罩"), False, 1),
        ("100301", False, 2),
    ]


def test_derived_line_ids_are_stable_across_imports():
    first = [r.platform_line_id for r in parse_orders("taobao", "a.csv", fx.taobao_orders_csv())]
    again = [r.platform_line_id for r in parse_orders("taobao", "a.csv", fx.taobao_orders_csv())]
    assert first == again and len(set(first)) == 2


def test_taobao_refund_report():
    items = list(parse_cases("taobao", "退款报表.csv", fx.taobao_refunds_csv()))
    first = records(items)[0]
    assert first == CaseRecord(
        platform="taobao",
        row_number=2,
        platform_case_id="2815436097712235",
        platform_order_id="35153131473293579",
        kind="return_refund",
        kind_raw="是否需要退货=是",
        status="completed",
        status_raw="退款成功",
        reason="no_reason",
        reason_raw="7天无理由退换货",
        buyer_note="不喜欢",
        requested_amount_fen=20112,
        paid_fen=20112,
        requested_at=at(2017, 7, 12, 9, 0),
        deadline_at=at(2017, 7, 22, 9, 0),
        return_shipped_at=at(2017, 7, 12, 15, 0),
        refunded_at=at(2017, 7, 15, 10, 20),
        closed_at=at(2017, 7, 15, 10, 20),
        return_tracking_no="3109876543210",
        return_carrier="中通快递",
        goods_status="买家已退货",
        arbitration="无客服介入",
        refund_method="系统退款",
        product_title="秋冬加厚羊毛衫男",
        sku_code="YMS-M-GRY",
    )
    assert [(c.row_number, c.kind, c.status, c.reason, c.requested_amount_fen) for c in records(items)] == [
        (2, "return_refund", "completed", "no_reason", 20112),
        (3, "partial_refund", "completed", "damaged_in_transit", 2000),  # 部分退款, no return
        (4, "return_refund", "arbitration", "quality_defect", 5900),  # 客服介入中
        (5, "return_refund", "rejected_after_return", "size_fit", 5900),  # refused with the goods sent back
    ]
    assert errors(items) == [(6, "买家退款金额", "12.345", "money.sub_fen")]


# ---- JD -----------------------------------------------------------------------------------------


def test_jd_orders_gbk_one_row_per_sku():
    rows = list(parse_orders("jd", "订单.csv", fx.jd_orders_csv()))
    assert [
        (r.platform_line_id, r.platform_sku_id, r.sku_code, r.quantity, r.unit_price_fen) for r in rows
    ] == [
        ("11729384072:100012345678", "100012345678", "DJ12B-A11", 1, 75800),
        ("11729384072:100012349999", "100012349999", "LW-01", 2, 7900),
    ]
    first = rows[0]
    assert (first.buyer_phone, first.order_status_code, first.created_at, first.channel) == (
        "13700001111", "shipped", at(2015, 12, 31, 23, 19, 56), "other",
    )  # fmt: skip
    assert rows[1].order_status == "等待确认收货"  # the \r\n inside the cell is gone


def test_jd_service_orders_xlsx_with_a_group_row_above_the_headings():
    parsed = parse_cases("jd", "服务单.xlsx", fx.jd_cases_xlsx())
    items = list(parsed)
    assert (parsed.header_row, parsed.sheet) == (2, "服务单")
    first = records(items)[0]
    assert (first.row_number, first.kind, first.status, first.reason, first.reason_raw) == (
        3, "return_refund", "completed", "quality_defect", "质量问题 / 做工粗糙",
    )  # fmt: skip
    assert (first.requested_amount_fen, first.paid_fen, first.quantity, first.platform_sku_id) == (
        75800, 75800, 1, "100012345678",
    )  # fmt: skip
    assert (first.requested_at, first.return_tracking_no, first.return_carrier) == (
        at(2016, 1, 5, 10, 30), "JDVA12345678901", "京东快递",
    )  # fmt: skip
    second = records(items)[1]
    assert (second.kind, second.status, second.reason) == ("exchange", "awaiting_return", "not_as_described")
    assert second.requested_at == at(2016, 1, 6, 12, 0)  # an Excel serial number, 42375.5
    assert errors(items) == [(5, "商品数量", "0", "import.quantity_invalid")]


# ---- PDD ----------------------------------------------------------------------------------------


def test_pdd_orders_csv():
    rows = list(parse_orders("pdd", "orders_export.csv", fx.pdd_orders_csv()))
    first = rows[0]
    assert first == OrderLineRecord(
        platform="pdd",
        row_number=2,
        platform_order_id="260517-607198974342268",
        platform_line_id="260517-607198974342268:1234567890123",
        line_id_derived=True,
        product_title="【顺丰包邮】智利车厘子JJ级2斤装",
        quantity=1,
        sku_code="CZ-JJ-2J",
        sku_spec="JJ级 2斤装",
        platform_product_id="612345678901",
        platform_sku_id="1234567890123",
        goods_fen=129900,
        paid_fen=122400,
        freight_fen=0,
        discount_fen=7500,  # 店铺优惠 50 + 平台优惠 20 + 多多支付立减 5
        order_status="已发货，待收货",
        order_status_code="shipped",
        aftersale_status="无售后或售后取消",
        created_at=at(2026, 5, 17, 20, 1, 5),
        paid_at=at(2026, 5, 17, 20, 1, 12),
        shipped_at=at(2026, 5, 18, 9, 30),
        buyer_phone="138****1234",  # already masked by the platform: kept as given
        province="浙江省",
        city="杭州市",
        district="西湖区",
        street="文新街道",
        tracking_no="SF1402345678901",
        carrier="顺丰快递",
        channel="live_stream",  # 是否直播间成交 = 是
        channel_raw="拼多多",
    )
    assert (rows[1].channel, rows[1].discount_fen, rows[1].order_status_code) == (None, 0, "completed")


def test_pdd_orders_xlsx_gives_the_same_records_as_the_csv():
    assert list(parse_orders("pdd", "orders.xlsx", fx.pdd_orders_xlsx())) == list(
        parse_orders("pdd", "orders.csv", fx.pdd_orders_csv())
    )


def test_pdd_cases_xlsx_on_the_second_sheet():
    parsed = parse_cases("pdd", "售后导出.xlsx", fx.pdd_cases_xlsx())
    cases = records(parsed)
    assert parsed.sheet == "售后信息"
    assert [(c.platform_case_id, c.kind, c.status, c.reason, c.requested_amount_fen) for c in cases] == [
        ("12345678901", "refund_only", "completed", "not_as_described", 122400),
        ("12345678902", "return_refund", "awaiting_return", "quality_defect", 2990),
        ("12345678903", "refund_only", "arbitration", "no_reason", 1990),
    ]
    assert (cases[0].buyer_nick, cases[0].tracking_no, cases[0].goods_status) == (
        "王*: 1*****9", "SF1402345678901", "已发货",
    )  # fmt: skip


# ---- duplicates ---------------------------------------------------------------------------------


def test_duplicate_rows_keep_the_last_and_note_the_earlier_one():
    rows = [*fx.DOUYIN_ORDER_ROWS, {**fx.DOUYIN_ORDER_ROWS[0], "商品数量": "3"}]
    items = list(parse_orders("douyin", "订单.csv", fx.douyin_orders_csv("A", rows)))
    warnings = [i for i in items if isinstance(i, RowWarning)]
    assert [(w.row_number, w.kept_row_number, w.column, w.value, w.code) for w in warnings] == [
        (2, 5, "子订单编号", "6921325487901234568", "import.duplicate_row"),
    ]
    assert "第 2 行" in warnings[0].message_zh and "第 5 行" in warnings[0].message_zh
    latest = {r.platform_line_id: r for r in records(items)}  # what an upsert by id keeps
    assert latest["6921325487901234568"].quantity == 3
    assert items.index(warnings[0]) < items.index(latest["6921325487901234568"])


def test_duplicate_cases_are_keyed_by_case_id():
    rows = [fx.PDD_CASE_ROWS[0], {**fx.PDD_CASE_ROWS[0], "售后状态": "退款关闭"}]
    data = fx.csv_text(fx.PDD_CASES, rows).encode()
    items = list(parse_cases("pdd", "售后.csv", data))
    assert [(w.row_number, w.kept_row_number, w.column) for w in items if isinstance(w, RowWarning)] == [
        (2, 3, "售后编号"),
    ]
    assert records(items)[-1].status == "closed"


def test_duplicates_can_be_left_to_the_caller():
    rows = [fx.PDD_CASE_ROWS[0], fx.PDD_CASE_ROWS[0]]
    items = list(parse_cases("pdd", "售后.csv", fx.csv_text(fx.PDD_CASES, rows).encode(), dedupe=False))
    assert [type(i) for i in items] == [CaseRecord, CaseRecord]


def test_repeated_cells_read_as_on_their_own_row():
    """Rows repeating the row before (an order's lines) read the same; a repeated bad cell is refused
    again, and an empty cell after a filled one is empty, not the value above it."""
    first = fx.DOUYIN_ORDER_ROWS[0]
    bad = {**first, "子订单编号": "1", "支付完成时间": "昨天"}
    rows = [
        first,
        {**first, "子订单编号": "2"},
        bad,
        {**bad, "子订单编号": "3"},
        {**first, "子订单编号": "4", "商家编码": "", "运费": "", "收件人手机号": "-"},
        {**first, "子订单编号": "5"},
    ]
    items = list(parse_orders("douyin", "订单.csv", fx.douyin_orders_csv("A", rows)))
    assert errors(items) == [
        (4, "支付完成时间", "昨天", "import.datetime_invalid"),
        (5, "支付完成时间", "昨天", "import.datetime_invalid"),
    ]
    two, four, five = (r for r in records(items) if r.platform_line_id in ("2", "4", "5"))
    assert (two.paid_at, two.sku_code, two.freight_fen, two.buyer_phone) == (
        DOUYIN_LINE_1.paid_at, DOUYIN_LINE_1.sku_code, DOUYIN_LINE_1.freight_fen, DOUYIN_LINE_1.buyer_phone,
    )
    assert (four.sku_code, four.freight_fen, four.buyer_phone) == ("", None, "")
    assert (five.sku_code, five.freight_fen, five.buyer_phone) == (
        DOUYIN_LINE_1.sku_code, DOUYIN_LINE_1.freight_fen, DOUYIN_LINE_1.buyer_phone,
    )


def test_an_order_closed_without_its_payment_time_was_never_paid():
    row = {"主订单编号": "\t1", "子订单编号": "\t2", "选购商品": "毯子", "商品数量": "1", "订单应付金额": "59.00",
           "订单提交时间": "2026-05-22 11:00:00", "订单状态": "已关闭"}
    paid = {**row, "主订单编号": "\t3", "子订单编号": "\t4", "支付完成时间": "2026-05-22 11:00:05"}
    rows = list(parse_orders("douyin", "订单.csv", fx.csv_text(fx.DOUYIN_ORDER_A, [row, paid]).encode()))
    # 超时未支付: as unpaid as 待支付; paid, then closed (refunded): closed
    assert [(r.platform_order_id, r.order_status_code) for r in rows] == [("1", "unpaid"), ("3", "closed")]
    # An export without a payment-time column says nothing about payment: the order stays closed.
    no_column = [h for h in fx.DOUYIN_ORDER_A if h != "支付完成时间"]
    rows = list(parse_orders("douyin", "订单.csv", fx.csv_text(no_column, [row]).encode()))
    assert [r.order_status_code for r in rows] == ["closed"]
