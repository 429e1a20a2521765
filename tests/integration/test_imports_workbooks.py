"""A platform workbook with several sheets imports whole: the 千牛 三表 workbook (订单报表, 销售明细, 发货报表).

The orders are those of test_imports_taobao_reports. Order A (…581): 真丝眼罩 ×3 at 39.90 and 真丝发圈 ×1
at 19.00 (list 138.70); paid 128.00 with 8.00 freight, so 120.00 for the goods. Order B (…582): 真丝枕套一对装
×2 at 59.00; paid 109.00 with 10.00 freight, so 99.00 for the goods. The 订单报表 sheet (the newer 千牛
headings: 买家实付金额, 商品标题, 商品属性SKU) stores each order as a summary line; the 销售明细 sheet (one row
per 子订单, no paid amount) replaces it, the items sharing the goods payment by list amount:
120.00 × 119.70 / 138.70 → 103.56 and 16.44; B's single line keeps 99.00 — exactly as importing the
订单报表 CSV and then the 宝贝报表 CSV does.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

import pytest
from openpyxl import Workbook

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case, CaseEvent, CaseLine
from aftersales.catalog.models import Product
from aftersales.core.clock import SHANGHAI
from aftersales.orders.models import Order, OrderLine, Payment, Shipment
from aftersales.platforms.models import ImportRun
from aftersales.platforms.report import report_csv
from aftersales.platforms.services import import_file
from tests.integration.console_support import english, member

pytestmark = pytest.mark.django_db

A, B, C = "35153131473293581", "35153131473293582", "35153131473293583"

ORDERS_SHEET = (
    "订单报表",
    ["订单编号", "支付单号", "买家会员名", "买家应付货款", "买家应付邮费", "总金额", "买家实付金额", "订单状态", "收货地址",
     "订单创建时间", "订单付款时间", "商品标题", "宝贝种类", "物流单号", "物流公司", "宝贝总数量", "商品属性SKU", "发货时间",
     "确认收货打款金额"],
    [
        [A, "2017071022001100000000000581", "silk_fan", 138.7, 8, 146.7, 128, "卖家已发货，等待买家确认",
         "上海 上海市 徐汇区 田林街道 钦州路100号(200235)", datetime(2017, 7, 10, 9, 0), datetime(2017, 7, 10, 9, 0, 30),
         "真丝眼罩，真丝发圈", 2, "YT0000000001", "圆通速递", 4, "", datetime(2017, 7, 10, 17, 0), None],
        [B, "", "lily_shop", "118.00", "10.00", "128.00", "109.00", "买家已付款，等待卖家发货",
         "北京 北京市 朝阳区 望京街道 阜通东大街6号(100102)", "2017-07-10 10:00:00", "2017-07-10 10:00:09",
         "真丝枕套一对装", "1", "", "", "2", "颜色分类：米白", "", ""],
    ],
)  # fmt: skip
ITEMS_SHEET = (
    "销售明细",
    ["子订单编号", "主订单编号", "商品标题", "商品价格", "购买数量", "商家编码", "商品属性SKU", "买家应付货款", "订单状态",
     "退款状态", "订单创建时间"],
    [
        [f"{A}01", A, "真丝眼罩", 39.9, 3, "ZS-YZ-CHP", "颜色分类：香槟色", 119.7, "卖家已发货，等待买家确认", "没有申请退款",
         datetime(2017, 7, 10, 9, 0)],
        [f"{A}02", A, "真丝发圈", "19.00", "1", "", "颜色分类：黑色", "19.00", "卖家已发货，等待买家确认", "没有申请退款",
         "2017-07-10 09:00:00"],
        [f"{B}01", B, "真丝枕套一对装", "59.00", "2", "", "颜色分类：米白", "118.00", "买家已付款，等待卖家发货", "",
         "2017-07-10 10:00:00"],
        # row 5: an order the 订单报表 does not hold, with a quantity nobody can count
        [f"{C}01", C, "真丝眼罩", "39.90", "两件", "", "", "79.80", "买家已付款，等待卖家发货", "", "2017-07-10 11:00:00"],
    ],
)  # fmt: skip
# Not an export of any kind: the workbook's third table, its columns no mapping needs.
SHIPPING_SHEET = ("发货报表", ["订单编号", "收货人姓名", "联系手机", "收货地址"],
                  [[A, "周小燕", "13900002222", "上海市徐汇区"]])
# The newer 退款 xlsx's columns (research note 2d), on a sheet of its own.
REFUNDS_SHEET = (
    "退款报表",
    ["订单编号", "子订单编号", "退款编号", "买家实付金额", "商品标题", "退款申请时间", "售后类型", "退款总额", "退给买家金额",
     "退给平台金额", "退款状态", "退款完结时间", "客服介入状态", "部分退款/全额退款", "买家退款原因"],
    [
        [A, f"{A}02", "205000000000000581", "16.44", "真丝发圈", "2017-07-12 08:00:00", "仅退款", "16.44", "16.44", "0.00",
         "退款成功", "2017-07-12 12:00:00", "无客服介入", "全额退款", "不想要了"],
        [B, f"{B}01", "205000000000000582", "99.00", "真丝枕套一对装", "2017-07-12 09:00:00", "仅退款", "20.00", "18.00",
         "2.00", "买家已经申请退款，等待卖家同意", "", "无客服介入", "部分退款", "有色差"],
    ],
)  # fmt: skip

#: (title, 商家编码, quantity, unit price, paid) per line, per order, once both sheets are in.
ITEMISED = {
    A: [("真丝发圈", "", 1, 1900, 1644), ("真丝眼罩", "ZS-YZ-CHP", 3, 3990, 10356)],
    B: [("真丝枕套一对装", "", 2, 5900, 9900)],
}
#: Order → (goods paid, freight, what the platform payment holds).
MONEY = {A: (12000, 800, 12800), B: (9900, 1000, 10900)}
#: The report of the orders import: the sheets left out first, then the rows, each naming its sheet.
REPORT = [
    (None, None, "", "发货报表", "import.sheet_skipped"),
    (None, None, "", "退款报表", "import.sheet_other_export"),
    ("销售明细", 5, "购买数量", "两件", "import.quantity_invalid"),
]


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def workbook(*sheets: tuple[str, list[str], list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, headings, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


THREE_TABLES = workbook(ORDERS_SHEET, ITEMS_SHEET, SHIPPING_SHEET, REFUNDS_SHEET)


@pytest.fixture
def shop(db) -> Shop:
    return Shop.objects.create(slug="silk", name="真丝小铺")


def import_orders(shop, data: bytes = THREE_TABLES, name: str = "千牛三表.xlsx") -> ImportRun:
    run = import_file(shop, "taobao", "orders", name, data)
    assert run.status == "done", run.error_en
    return run


def lines_by_order(shop=None) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    lines = OrderLine.objects.filter(shop=shop) if shop is not None else OrderLine.objects.all()
    for order_id, *values in lines.values_list(
        "order__platform_order_id", "title", "sku_code", "quantity", "unit_price_fen", "paid_fen"
    ):
        out.setdefault(order_id, []).append(tuple(values))
    return {order_id: sorted(lines) for order_id, lines in sorted(out.items())}


def money(shop=None) -> dict[str, tuple[int, int, int]]:
    orders = Order.objects.filter(shop=shop) if shop is not None else Order.objects.all()
    return {
        o.platform_order_id: (o.goods_fen, o.freight_fen, o.payments.get().amount_fen)
        for o in orders.prefetch_related("payments")
    }


def counts() -> dict[str, int]:
    return {
        "orders": Order.objects.count(), "lines": OrderLine.objects.count(), "payments": Payment.objects.count(),
        "shipments": Shipment.objects.count(), "products": Product.objects.count(),
        "cases": Case.objects.count(), "case_lines": CaseLine.objects.count(), "events": CaseEvent.objects.count(),
    }  # fmt: skip


def report_of(run: ImportRun) -> list[tuple]:
    return [(p.get("sheet") if p["row"] is not None else None, p["row"], p["column"], p["value"], p["code"])
            for p in run.report]


def test_the_three_tables_workbook_brings_the_orders_and_their_item_lines(shop):
    run = import_orders(shop)
    assert lines_by_order() == ITEMISED
    assert money() == MONEY
    # the 订单报表 rows first (created), then the item rows that replaced their summary lines
    assert (run.rows_read, run.created, run.updated, run.unchanged, run.skipped) == (6, 5, 0, 0, 1)
    assert run.details["lines"] == {"created": 5, "deleted": 2}
    assert (run.format, run.sheet, run.header_row) == ("xlsx", "订单报表、销售明细", 1)
    assert report_of(run) == REPORT
    skipped, other, bad = run.report
    assert skipped["message_zh"] == "工作表「发货报表」里没有找到淘宝/天猫订单报表的表头，这个工作表没有导入。"
    assert skipped["message_en"] == "Sheet 发货报表 has no Taobao/Tmall order export header; it was not imported."
    assert other["message_zh"] == "工作表「退款报表」看起来是淘宝/天猫退款报表，不是淘宝/天猫订单报表，这个工作表没有导入。"
    assert bad["message_zh"] == "工作表「销售明细」第 5 行「购买数量」的值「两件」无效：数量必须是正整数。"
    assert bad["message_en"] == ("Sheet 销售明细, row 5, column 购买数量: the value '两件' is invalid: a quantity must "
                                 "be a positive whole number.")
    # buyers, shipments and times come from the 订单报表 sheet
    a = Order.objects.get(platform_order_id=A)
    assert (a.buyer.nick, a.province, a.status_raw) == ("silk_fan", "上海", "卖家已发货，等待买家确认")
    assert list(a.shipments.values_list("tracking_no", "carrier")) == [("YT0000000001", "圆通速递")]
    # the 销售明细 gives only 订单创建时间: the payment and ship times stay the 订单报表's
    assert (a.paid_at, a.shipped_at) == (at(2017, 7, 10, 9, 0, 30), at(2017, 7, 10, 17, 0))
    b = Order.objects.get(platform_order_id=B)
    assert (b.paid_at, b.shipped_at) == (at(2017, 7, 10, 10, 0, 9), None)
    assert sorted(OrderLine.objects.values_list("platform_line_id", flat=True)) == [f"{A}01", f"{A}02", f"{B}01"]


def test_importing_the_workbook_again_doubles_nothing(shop):
    import_orders(shop)
    before = counts()
    again = import_orders(shop)
    assert (again.rows_read, again.created, again.updated, again.unchanged, again.skipped) == (6, 0, 0, 5, 1)
    # products: the three items, and the summary title's (真丝眼罩，真丝发圈), kept without lines
    assert counts() == before == {"orders": 2, "lines": 3, "payments": 2, "shipments": 1, "products": 4,
                                  "cases": 0, "case_lines": 0, "events": 0}
    assert lines_by_order() == ITEMISED and money() == MONEY
    assert report_of(again) == REPORT


def test_the_summary_sheet_goes_first_whatever_the_workbook_order(shop):
    """The item sheet before the 订单报表 in the workbook: imported in that order, its rows would count at
    list price (139.70 + 118.00) and the summary rows would not correct them."""
    run = import_orders(shop, workbook(SHIPPING_SHEET, ITEMS_SHEET, ORDERS_SHEET))
    assert lines_by_order() == ITEMISED
    assert money() == MONEY
    assert run.sheet == "订单报表、销售明细"
    assert report_of(run) == [REPORT[0], REPORT[2]]


def test_the_same_as_the_order_report_then_the_item_sheet_one_by_one(shop):
    import_orders(shop, workbook(ORDERS_SHEET), "订单报表.xlsx")
    import_orders(shop, workbook(ITEMS_SHEET), "销售明细.xlsx")
    other = Shop.objects.create(slug="silk2", name="真丝二店")
    import_orders(other)
    assert lines_by_order(other) == lines_by_order(shop) == ITEMISED
    assert money(other) == money(shop) == MONEY
    times = ("platform_order_id", "paid_at", "shipped_at", "signed_at", "status_raw", "buyer__nick")
    assert list(Order.objects.filter(shop=other).order_by("platform_order_id").values_list(*times)) == list(
        Order.objects.filter(shop=shop).order_by("platform_order_id").values_list(*times))


def test_the_same_workbook_as_cases_imports_its_refund_sheet(shop):
    import_orders(shop)
    run = import_file(shop, "taobao", "cases", "千牛三表.xlsx", THREE_TABLES)
    assert run.status == "done", run.error_en
    assert (run.created, run.skipped, run.sheet) == (2, 0, "退款报表")
    assert [(p["value"], p["code"]) for p in run.report] == [
        ("订单报表", "import.sheet_other_export"), ("销售明细", "import.sheet_other_export"),
        ("发货报表", "import.sheet_skipped"),
    ]
    cases = {
        c.platform_case_id: (c.kind, c.status, c.requested_fen, c.refunded_fen, c.arbitration_status,
                             list(c.lines.values_list("order_line__platform_line_id", flat=True)))
        for c in Case.objects.all()
    }
    assert cases == {
        "205000000000000581": ("refund_only", "completed", 1644, 1644, "none", [f"{A}02"]),
        "205000000000000582": ("partial_refund", "requested", 2000, 0, "none", [f"{B}01"]),
    }


def damaged(data: bytes, member: str) -> bytes:
    """The workbook with one sheet's XML cut short; the zip itself is sound (its CRCs match)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, content[: len(content) // 2] if info.filename == member else content)
    return out.getvalue()


def test_a_workbook_with_a_damaged_second_sheet_fails_and_writes_nothing(shop):
    data = damaged(workbook(ORDERS_SHEET, ITEMS_SHEET), "xl/worksheets/sheet2.xml")
    run = import_file(shop, "taobao", "orders", "千牛三表.xlsx", data)
    assert (run.status, run.error_code) == ("failed", "import.corrupt_xlsx")
    assert run.error_zh == "「千牛三表.xlsx」已损坏或下载不完整，无法作为 Excel 文件打开。请重新从平台下载后再导入。"
    assert (run.rows_read, run.created, run.updated, run.skipped) == (0, 0, 0, 0)
    assert counts() == dict.fromkeys(counts(), 0)


def test_the_page_and_the_download_name_each_rows_sheet(client, shop, settings, tmp_path):
    settings.VAR_DIR, settings.MEDIA_ROOT = tmp_path, tmp_path / "media"
    client.force_login(member(shop, "owner1", "owner"))
    run = import_orders(shop)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert '<span class="small muted nowrap">销售明细</span> 5</td>' in page
    assert "工作表「发货报表」里没有找到淘宝/天猫订单报表的表头，这个工作表没有导入。" in page
    english(client)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Sheet 发货报表 has no Taobao/Tmall order export header; it was not imported." in page
    assert "Sheet 销售明细, row 5, column 购买数量" in page
    lines = report_csv(run.report).decode("utf-8-sig").splitlines()
    assert lines[0] == "工作表,行号,列,值,类型,代码,说明"
    assert lines[3].startswith("销售明细,5,购买数量,两件,错误（未导入）,import.quantity_invalid,")
