"""Every export of the platform-exports research note, as the files merchants download (tests/fixtures/exports,
written by its build.py), imported into an empty shop in the order a merchant would: what each row became,
what each bad row was told, and that importing all of it again changes nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case, CaseEvent
from aftersales.orders.models import Order, OrderLine, Payment, Shipment
from aftersales.platforms.services import import_file

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "exports"
SHANGHAI = ZoneInfo("Asia/Shanghai")

#: (platform, kind, file) in the order a merchant imports them: orders first, then the cases.
IMPORTS = (
    ("douyin", "orders", "douyin_orders_74.csv"),
    ("douyin", "orders", "douyin_orders_75.csv"),
    ("douyin", "cases", "douyin_cases_50.xlsx"),
    ("taobao", "orders", "ExportOrderList202605.csv"),
    ("taobao", "orders", "ExportOrderDetailList202605.csv"),
    ("taobao", "orders", "ExportOrderDetailList_items.csv"),
    ("taobao", "orders", "qianniu_orders_21.xlsx"),
    ("taobao", "cases", "taobao_refunds_42.csv"),
    ("taobao", "cases", "taobao_refunds_new.xlsx"),
    ("jd", "orders", "jd_orders_35.csv"),
    ("jd", "cases", "jd_service_orders.xlsx"),
    ("pdd", "orders", "pdd_orders_82.csv"),
    ("pdd", "orders", "pdd_orders_23.csv"),
    ("pdd", "cases", "pdd_aftersales.xlsx"),
)

#: file → (how it was read: format, encoding, sheet, header row; created, skipped; report rows).
EXPECTED = {
    "douyin_orders_74.csv": (("csv", "utf-8-sig", "", 1), 4, 3, [
        (6, "商品数量", "两件", "import.quantity_invalid"),
        (7, "订单状态", "待支付", "import.unpaid_order"),  # the status cell's own value, not the order number
        (8, "订单状态", "已关闭", "import.unpaid_order"),  # closed before it was paid
    ]),
    "douyin_orders_75.csv": (("csv", "utf-8", "", 1), 3, 0, []),
    "douyin_cases_50.xlsx": (("xlsx", "", "售后单", 1), 5, 1, [
        (7, "售后申请时间", "昨天下午", "import.datetime_invalid"),
    ]),
    "ExportOrderList202605.csv": (("csv", "gb18030", "", 1), 3, 2, [
        (5, "买家应付货款", "12.345", "money.sub_fen"),
        (6, "订单状态", "交易关闭", "import.unpaid_order"),  # 订单付款时间 empty
    ]),
    "ExportOrderDetailList202605.csv": (("csv", "gb18030", "", 1), 2, 0, []),
    "ExportOrderDetailList_items.csv": (("csv", "gb18030", "", 1), 1, 0, []),
    "qianniu_orders_21.xlsx": (("xlsx", "", "订单报表", 1), 2, 0, []),
    "taobao_refunds_42.csv": (("csv", "gb18030", "", 1), 3, 1, [
        (5, "订单编号", "4012345678901234599", "import.order_missing"),
    ]),
    "taobao_refunds_new.xlsx": (("xlsx", "", "退款列表", 1), 2, 0, []),
    "jd_orders_35.csv": (("csv", "gb18030", "", 1), 4, 1, [(6, "订购数量", "0", "import.quantity_invalid")]),
    "jd_service_orders.xlsx": (("xlsx", "", "服务单列表", 2), 3, 1, [(6, "客户期望", "价保", "import.unknown_kind")]),
    "pdd_orders_82.csv": (("csv", "utf-8", "", 1), 3, 1, [(5, "用户实付金额(元)", "十九块九", "money.invalid")]),
    "pdd_orders_23.csv": (("csv", "gb18030", "", 3), 1, 0, []),
    # The 说明 sheet before the data has no header: left out, in one line of the report.
    "pdd_aftersales.xlsx": (("xlsx", "", "售后信息", 1), 3, 1, [
        (None, "", "说明", "import.sheet_skipped"), (5, "售后状态", "待平台审核", "import.unknown_status"),
    ]),
}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.fixture
def shop(db) -> Shop:
    return Shop.objects.create(slug="demo", name="演示店")


def import_all(shop: Shop) -> dict:
    runs = {}
    for platform, kind, name in IMPORTS:
        runs[name] = import_file(shop, platform, kind, name, (FILES / name).read_bytes())
        assert runs[name].status == "done", (name, runs[name].error_en)
    return runs


def lines_of(order_id: str) -> list[tuple]:
    return list(
        OrderLine.objects.filter(order__platform_order_id=order_id).order_by("platform_line_id")
        .values_list("platform_line_id", "title", "sku_code", "spec", "quantity", "unit_price_fen", "paid_fen")
    )


def test_each_file_is_read_as_it_is_and_each_bad_row_is_named(shop):
    runs = import_all(shop)
    for name, (read_as, created, skipped, problems) in EXPECTED.items():
        run = runs[name]
        assert (run.format, run.encoding, run.sheet, run.header_row) == read_as, name
        assert (run.created, run.updated, run.unchanged, run.skipped) == (created, 0, 0, skipped), name
        assert [(p["row"], p["column"], p["value"], p["code"]) for p in run.report] == problems, name
        # every problem speaks both languages and names its row (a sheet left out: the sheet)
        assert all(f"第 {p['row']} 行" in p["message_zh"] and f"Row {p['row']}" in p["message_en"]
                   for p in run.report if p["row"] is not None)
        assert all(f"工作表「{p['value']}」" in p["message_zh"] and f"Sheet {p['value']} " in p["message_en"]
                   for p in run.report if p["row"] is None)
    assert runs["jd_service_orders.xlsx"].report[0]["message_zh"] == (
        "第 6 行「客户期望」的值「价保」无效：无法识别的售后类型。可以在映射文件 jd_cases.toml 的 [case_kind] 里加上它。"
    )


def test_importing_every_file_again_changes_nothing(shop):
    import_all(shop)
    counts = [m.objects.count() for m in (Order, OrderLine, Payment, Shipment, Case, CaseEvent)]
    versions = dict(Case.objects.values_list("pk", "version"))
    again = import_all(shop)
    for name, (_read_as, created, skipped, _problems) in EXPECTED.items():
        run = again[name]
        assert (run.created, run.updated, run.unchanged, run.skipped) == (0, 0, created, skipped), name
    assert [m.objects.count() for m in (Order, OrderLine, Payment, Shipment, Case, CaseEvent)] == counts
    assert dict(Case.objects.values_list("pk", "version")) == versions


def test_douyin_orders_of_both_layouts(shop):
    import_all(shop)
    order = Order.objects.get(platform_order_id="6930000000000000001")
    assert (order.paid_at, order.shipped_at, order.signed_at) == (
        at(2026, 5, 10, 20, 15, 41), at(2026, 5, 11, 14, 20), at(2026, 5, 16, 9, 0, 2))
    assert (order.goods_fen, order.freight_fen, order.status_raw, order.channel) == (10880, 0, "已完成", "live_stream")
    assert (order.province, order.city, order.content_id, order.content_author) == ("广东省", "深圳市", "1234567890", "小美穿搭")
    assert (order.buyer.name, order.buyer.phone) == ("张**", "138****5678")  # masked in the file: kept masked
    assert lines_of("6930000000000000001") == [
        ("6930000000000000002", "纯棉短袖T恤男夏季宽松圆领", "TS-WHT-XL", "白色;XL", 1, 7900, 6900),
        ("6930000000000000003", "冰丝防晒袖套", "SX-GRY", "浅灰", 2, 1990, 3980),
    ]
    resaved = Order.objects.get(platform_order_id="6930000000000000011")  # 2026/5/12 8:06, ¥1,199.00
    assert (resaved.paid_at, resaved.goods_fen, resaved.status_raw, resaved.channel) == (
        at(2026, 5, 12, 8, 6), 119900, "已关闭", "shop_page")
    assert lines_of("6930000000000000011")[0][5:] == (129900, 119900)
    waiting = Order.objects.get(platform_order_id="6930000000000000021")
    assert (waiting.goods_fen, waiting.freight_fen, waiting.shipped_at, waiting.channel) == (8900, 600, None, "short_video")
    assert list(waiting.payments.values_list("route", "amount_fen")) == [("platform", 9500)]
    assert not Order.objects.filter(platform_order_id__in=["6930000000000000041", "6930000000000000071"]).exists()

    newer = Order.objects.get(platform_order_id="6930000000000000051")  # 75 columns, 快递信息, a custom column
    assert (newer.goods_fen, newer.shipped_at, newer.channel) == (27900, at(2026, 5, 19, 10), "search")
    assert list(newer.shipments.values_list("carrier", "tracking_no")) == [("圆通速递", "YT7412589630001")]
    assert lines_of("6930000000000000061") == [
        ("6930000000000000062", "陶瓷马克杯", "MK-350", "", 2, 2900, 5800),
        ("6930000000000000063", "杯垫", "BD-01", "", 1, 990, 990),
    ]


def test_douyin_after_sale_cases(shop):
    import_all(shop)
    done = Case.objects.get(platform_case_id="7300000000000000001")  # the id had a tab before it
    assert (done.kind, done.status, done.reason, done.reason_raw) == (
        "return_refund", "completed", "no_reason", "多拍/拍错/不想要")
    assert (done.requested_fen, done.refund_granted_fen, done.refunded_fen) == (3980, 3980, 3980)
    assert (done.created_at, done.closed_at, done.deadline_at) == (
        at(2026, 5, 17, 10, 2, 11), at(2026, 5, 18, 16, 30, 5), None)
    assert list(done.lines.values_list("order_line__platform_line_id", "quantity")) == [("6930000000000000003", 2)]
    waiting = Case.objects.get(platform_case_id="7300000000000000002")
    assert (waiting.kind, waiting.status, waiting.reason, waiting.requested_fen) == (
        "refund_only", "requested", "not_as_described", 6900)
    assert (waiting.deadline_at, waiting.deadline_source) == (at(2026, 5, 19, 11, 20), "platform")
    withdrawn = Case.objects.get(platform_case_id="7300000000000000003")
    assert (withdrawn.kind, withdrawn.status, withdrawn.goods_status, withdrawn.requested_fen) == (
        "refund_only", "closed", "not_shipped", 9500)
    assert (withdrawn.created_at, withdrawn.closed_at) == (at(2026, 5, 20, 12), at(2026, 5, 20, 13))
    coming_back = Case.objects.get(platform_case_id="7300000000000000004")
    assert (coming_back.status, coming_back.return_tracking_no, coming_back.deadline_at) == (
        "return_in_transit", "SF1300000000001", at(2026, 5, 31, 18))
    exchanged = Case.objects.get(platform_case_id="7300000000000000005")
    assert (exchanged.kind, exchanged.status, exchanged.reason) == ("exchange", "completed", "damaged_in_transit")


def test_taobao_order_list_item_lists_and_the_new_xlsx(shop):
    import_all(shop)
    # 订单报表 then 宝贝报表: the summary line replaced by the two items, sharing what was paid (128.70)
    items = Order.objects.get(platform_order_id="4012345678901234561")
    assert (items.paid_at, items.signed_at, items.goods_fen, items.freight_fen) == (
        at(2026, 5, 10, 0, 42, 40), at(2026, 5, 15, 10), 12870, 0)
    assert (items.buyer.nick, items.buyer.name, items.buyer.phone, items.province, items.city) == (
        "tb_小王2019", "王**", "139****0165", "广东省", "广州市")
    assert lines_of("4012345678901234561") == [
        ("4012345678901234561:ZS-FQ-BLK", "真丝发圈", "ZS-FQ-BLK", "颜色分类：黑色", 1, 1900, 1763),
        ("4012345678901234561:ZS-YZ-CHP", "真丝眼罩", "ZS-YZ-CHP", "颜色分类：香槟色", 3, 3990, 11107),
    ]
    assert list(items.shipments.values_list("carrier", "tracking_no")) == [("中通快递", "75100000000001")]
    # the newer item export: its sub-order replaces the summary line, the order's freight stays
    sweater = Order.objects.get(platform_order_id="4012345678901234562")
    assert (sweater.goods_fen, sweater.freight_fen, sweater.buyer.phone, sweater.buyer.masked_phone) == (
        20112, 1000, "13800001111", "138****1111")
    assert list(sweater.payments.values_list("amount_fen", flat=True)) == [21112]
    assert lines_of("4012345678901234562") == [
        ("4012345678901234562", "秋冬加厚羊毛衫男", "YMS-GRY-XL", "颜色分类：灰色;尺码：XL", 1, 20112, 20112)]
    assert not Order.objects.filter(platform_order_id__in=["4012345678901234564", "4012345678901234565"]).exists()
    # the new 千牛 xlsx: 买家实付金额, 商品标题, 商品属性SKU, 发货时间, no payment time (订单创建时间 stands in)
    chosen = Order.objects.get(platform_order_id="4012345678901234571")
    assert (chosen.paid_at, chosen.shipped_at, chosen.goods_fen, chosen.province) == (
        at(2026, 5, 20, 9, 30), at(2026, 5, 20, 17), 8900, "上海")
    assert lines_of("4012345678901234571") == [
        ("4012345678901234571#order", "真丝枕套一对装", "", "颜色分类：白色", 1, 9900, 8900)]


def test_taobao_refund_reports_classic_and_new(shop):
    import_all(shop)
    returned = Case.objects.get(platform_case_id="205000000000000001")
    assert (returned.kind, returned.status, returned.reason, returned.refunded_fen) == (
        "return_refund", "completed", "no_reason", 11000)
    assert list(returned.lines.values_list("order_line__platform_line_id", flat=True)) == [
        "4012345678901234561:ZS-YZ-CHP"]  # found by 商品编码 among the items
    agreed = Case.objects.get(platform_case_id="205000000000000002")
    assert (agreed.kind, agreed.status, agreed.deadline_at, agreed.deadline_source) == (
        "return_refund", "awaiting_return", at(2026, 5, 19, 9), "platform")
    disputed = Case.objects.get(platform_case_id="205000000000000003")  # 部分退款 without return, 客服介入中
    assert (disputed.kind, disputed.status, disputed.requested_fen, disputed.arbitration_status) == (
        "partial_refund", "arbitration", 2000, "requested")
    newer = Case.objects.get(platform_case_id="205000000000000071")
    assert (newer.kind, newer.status, newer.return_tracking_no, newer.buyer_note) == (
        "return_refund", "return_in_transit", "SF1400000000099", "有抽丝")
    partial = Case.objects.get(platform_case_id="205000000000000072")
    assert (partial.kind, partial.status, partial.refunded_fen, partial.closed_at) == (
        "partial_refund", "completed", 3000, at(2026, 5, 23, 12))


def test_jd_orders_and_service_orders(shop):
    import_all(shop)
    two_skus = Order.objects.get(platform_order_id="230000000001")  # '230000000001 in the file
    assert (two_skus.paid_at, two_skus.goods_fen, two_skus.status_raw) == (
        at(2026, 5, 15, 23, 20, 30), 91600, "等待确认收货")
    assert (two_skus.buyer.nick, two_skus.buyer.phone) == ("jd_xiaozhao", "137****1111")
    assert lines_of("230000000001") == [
        ("230000000001:100012345678", "九阳豆浆机家用全自动破壁", "DJ12B-A11", "", 1, 75800, 75800),
        ("230000000001:100012349999", "豆浆机滤网配件", "LW-01", "", 2, 7900, 15800),
    ]
    resaved = Order.objects.get(platform_order_id="230000000002")  # 2026/5/10 9:06, freight 6.00
    assert (resaved.paid_at, resaved.signed_at, resaved.goods_fen, resaved.freight_fen) == (
        at(2026, 5, 10, 9, 6), at(2026, 5, 13, 18, 30), 12900, 600)
    assert Order.objects.get(platform_order_id="230000000003").shipped_at is None  # (锁定)等待出库

    returned = Case.objects.get(platform_case_id="1900000001")
    assert (returned.kind, returned.status, returned.reason, returned.reason_raw, returned.refunded_fen) == (
        "return_refund", "completed", "quality_defect", "质量问题 / 做工粗糙", 12900)
    assert returned.created_at == at(2026, 5, 14, 10, 30)
    exchange = Case.objects.get(platform_case_id="1900000002")
    assert (exchange.kind, exchange.status) == ("exchange", "awaiting_return")
    assert list(exchange.lines.values_list("order_line__platform_line_id", flat=True)) == ["230000000001:100012349999"]
    repair = Case.objects.get(platform_case_id="1900000003")
    assert (repair.kind, repair.status, repair.created_at, repair.deadline_source) == (
        "repair", "requested", at(2026, 5, 19, 9, 15), "fallback")


def test_pdd_orders_old_and_new_and_after_sales(shop):
    import_all(shop)
    cherries = Order.objects.get(platform_order_id="260517-607198974342268")
    assert (cherries.paid_at, cherries.shipped_at, cherries.goods_fen, cherries.channel) == (
        at(2026, 5, 17, 20, 1, 12), at(2026, 5, 18, 9, 30), 122400, "live_stream")
    assert cherries.buyer.phone == "138****1234"  # read from " 用户购买手机号"
    assert list(cherries.shipments.values_list("carrier", "tracking_no")) == [("顺丰快递", "SF1402345678901")]
    assert lines_of("260517-607198974342268") == [(
        "260517-607198974342268:1234567890123", "【顺丰包邮】智利车厘子JJ级2斤装", "CZ-JJ-2J", "JJ级 2斤装", 1, 129900, 122400)]
    old = Order.objects.get(platform_order_id="260401-500000000000001")  # 23 columns, two lines above them
    assert (old.paid_at, old.signed_at, old.goods_fen) == (at(2026, 4, 1, 10), at(2026, 4, 4, 9, 30), 2790)

    refunded = Case.objects.get(platform_case_id="12345678901")
    assert (refunded.kind, refunded.status, refunded.reason, refunded.refunded_fen) == (
        "refund_only", "completed", "not_as_described", 122400)
    sending = Case.objects.get(platform_case_id="12345678902")
    assert (sending.kind, sending.status, sending.requested_fen, sending.created_at) == (
        "return_refund", "awaiting_return", 2990, at(2026, 5, 21, 8))
    early = Case.objects.get(platform_case_id="12345678903")
    assert (early.kind, early.status, early.reason, early.goods_status) == (
        "refund_only", "requested", "no_reason", "not_shipped")
