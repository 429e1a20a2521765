"""Bad files and bad rows: each gives a clear report, and nothing half-written is left behind."""

from __future__ import annotations

import copy

import pytest

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case, CaseEvent
from aftersales.catalog.models import Product, Sku
from aftersales.orders.models import Buyer, Order, OrderLine, Payment, Shipment
from aftersales.platforms.models import ImportRun
from aftersales.platforms.services import import_file
from tests.unit import platform_fixtures as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db) -> Shop:
    return Shop.objects.create(slug="demo", name="演示店")


def stored() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Order, OrderLine, Buyer, Payment, Shipment, Product, Sku, Case,
                                             CaseEvent))


NOTHING = (0,) * 9


def many_douyin_rows(n: int) -> list[dict[str, str]]:
    base = fx.DOUYIN_ORDER_ROWS[0]
    return [{**base, "主订单编号": f"\t69213254879{i:08d}", "子订单编号": f"\t69213254879{i:08d}1"} for i in range(n)]


def assert_failed(run: ImportRun, code: str) -> None:
    run.refresh_from_db()
    assert (run.status, run.error_code) == ("failed", code), (run.status, run.error_code, run.error_en)
    assert run.error_zh and run.error_en and run.finished_at is not None
    assert stored() == NOTHING


def test_an_empty_file_fails_with_its_message(shop):
    run = import_file(shop, "douyin", "orders", "订单.csv", b"")
    assert_failed(run, "import.empty_file")
    assert run.error_zh == "文件「订单.csv」是空的，没有任何内容。"
    assert_failed(import_file(shop, "douyin", "orders", "订单.csv", "\ufeff\r\n".encode()), "import.empty_file")


def test_another_platforms_file_is_refused_by_name(shop):
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.pdd_orders_csv())
    assert_failed(run, "import.wrong_file")
    assert "拼多多订单导出" in run.error_zh and "抖店订单导出" in run.error_zh


def test_a_case_file_imported_as_orders_is_refused(shop):
    run = import_file(shop, "douyin", "orders", "售后单.xlsx", fx.douyin_cases_xlsx())
    assert_failed(run, "import.wrong_file")


def test_an_unknown_platform_or_kind_fails(shop):
    assert_failed(import_file(shop, "amazon", "orders", "o.csv", fx.douyin_orders_csv()), "import.unknown_platform")
    assert_failed(import_file(shop, "douyin", "refunds", "o.csv", fx.douyin_orders_csv()),
                  "import.unknown_export_kind")


def test_a_truncated_workbook_fails_and_writes_nothing(shop):
    data = fx.douyin_orders_xlsx()
    run = import_file(shop, "douyin", "orders", "订单.xlsx", data[: len(data) * 2 // 3])
    assert_failed(run, "import.corrupt_xlsx")
    assert "下载不完整" in run.error_zh


def test_a_workbook_damaged_inside_fails_before_anything_is_written(shop):
    """The zip's directory is intact but a member's bytes are not: found by the whole-file check."""
    data = bytearray(fx.douyin_orders_xlsx())
    start = data.index(b"xl/worksheets/sheet1.xml") + 60  # inside the sheet's compressed bytes
    data[start : start + 40] = b"\x00" * 40
    run = import_file(shop, "douyin", "orders", "订单.xlsx", bytes(data))
    assert_failed(run, "import.corrupt_xlsx")


def test_a_douyin_csv_saved_as_gbk_is_read_all_the_same(shop):
    rows = copy.deepcopy(fx.DOUYIN_ORDER_ROWS)
    rows[2]["订单应付金额"] = "1,199.00"  # GBK has no ¥
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.csv_text(fx.DOUYIN_ORDER_A, rows).encode("gbk"))
    assert (run.status, run.encoding, run.created) == ("done", "gb18030", 3)
    assert Order.objects.filter(lines__title="冰丝防晒袖套").exists()


def test_a_csv_that_changes_encoding_midway_fails_and_writes_nothing(shop):
    """UTF-8 for the first 2,000 rows (well past what decides the encoding), then a GBK row."""
    head = fx.csv_text(fx.DOUYIN_ORDER_A, many_douyin_rows(2000)).encode("utf-8-sig")
    tail = fx.csv_text(fx.DOUYIN_ORDER_A, [fx.DOUYIN_ORDER_ROWS[1]]).split("\r\n", 1)[1].encode("gbk")
    run = import_file(shop, "douyin", "orders", "订单.csv", head + tail, batch_orders=100)
    assert_failed(run, "import.decode_failed")
    assert "行附近" in run.error_zh  # near the row where it broke


def test_a_csv_in_an_unexpected_encoding_is_read_right_or_refused(shop):
    text = fx.csv_text(fx.DOUYIN_ORDER_A, fx.DOUYIN_ORDER_ROWS)
    run = import_file(shop, "douyin", "orders", "订单.csv", text.encode("utf-32-be"))  # no BOM
    assert (run.status, run.encoding, run.created) == ("done", "utf_32_be", 3)
    assert Order.objects.filter(lines__title="纯棉短袖T恤男夏季宽松圆领").exists()
    Order.objects.all().delete()
    Buyer.objects.all().delete()
    before = stored()
    # Big5 (traditional script) cannot spell these headings: they come out as "?" and are not found.
    run = import_file(shop, "douyin", "orders", "訂單.csv", text.encode("big5", errors="replace"))
    run.refresh_from_db()
    assert (run.status, run.error_code) == ("failed", "import.missing_columns")
    assert "主订单编号" in run.error_zh
    assert stored() == before


def test_duplicate_rows_keep_the_later_one_and_say_so(shop):
    rows = copy.deepcopy(fx.DOUYIN_ORDER_ROWS)
    rows.append({**rows[0], "订单应付金额": "59.00"})  # the same 子订单编号 again, with a newer amount
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv(rows=rows))
    assert (run.created, run.updated, run.unchanged, run.skipped, run.warnings) == (3, 0, 0, 1, 1)
    assert OrderLine.objects.count() == 3
    assert OrderLine.objects.get(platform_line_id="6921325487901234568").paid_fen == 5900
    [warning] = run.report
    assert (warning["code"], warning["level"], warning["row"]) == ("import.duplicate_row", "warning", 2)
    assert "以后面的第 5 行为准" in warning["message_zh"]


def test_dates_in_odd_formats_and_amounts_with_symbols(shop):
    rows = copy.deepcopy(fx.DOUYIN_ORDER_ROWS)
    rows[0]["支付完成时间"] = "2026/5/10 20:15"  # re-saved by Excel
    rows[1]["支付完成时间"] = "2026年5月10日 20:15:41"
    rows[2]["订单应付金额"] = "¥1,199.00"
    rows.append({**rows[2], "主订单编号": "\t6921400000000000009", "子订单编号": "\t6921400000000000010",
                 "订单提交时间": "10/05/2026", "订单应付金额": "1.199,00"})
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv(rows=rows))
    assert (run.created, run.skipped) == (3, 1)
    assert stored()[:2] == (2, 3)
    order = Order.objects.get(platform_order_id="6921325487901234567")
    assert order.paid_at.isoformat() == "2026-05-10T12:15:00+00:00"
    assert Order.objects.get(platform_order_id="6921400000000000001").goods_fen == 119900
    [error] = run.report
    assert (error["row"], error["level"]) == (5, "error")
    assert error["column"] in ("订单提交时间", "订单应付金额")
    assert error["message_zh"].startswith("第 5 行")


def test_bad_rows_are_reported_and_the_good_ones_kept(shop):
    rows = copy.deepcopy(fx.DOUYIN_ORDER_ROWS)
    rows[2]["商品数量"] = "0"
    rows.append({**rows[0], "主订单编号": "", "子订单编号": "\t1"})
    rows.append({**rows[0], "主订单编号": "\t6.92132548790123E+18", "子订单编号": "\t2"})
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv(rows=rows))
    assert (run.status, run.created, run.skipped) == ("done", 2, 3)
    assert stored()[:2] == (1, 2)
    codes = {e["row"]: e["code"] for e in run.report}
    assert codes == {4: "import.quantity_invalid", 5: "import.required_missing", 6: "import.id_scientific"}
    assert all(e["message_en"] and e["message_zh"] for e in run.report)


def test_unpaid_orders_are_not_imported(shop):
    rows = copy.deepcopy(fx.DOUYIN_ORDER_ROWS[2:])
    rows[0]["订单状态"] = "待支付"
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv(rows=rows))
    assert (run.created, run.skipped, run.warnings) == (0, 1, 1)
    assert stored() == NOTHING
    assert run.report[0]["code"] == "import.unpaid_order"
    # The row names the status cell with the status it holds, and the order in its words.
    assert (run.report[0]["column"], run.report[0]["value"]) == ("订单状态", "待支付")
    order_no = rows[0]["主订单编号"].strip()
    assert run.report[0]["message_zh"] == f"第 2 行：订单「{order_no}」未付款（订单状态「待支付」），不导入。"


def test_a_malformed_phone_is_never_shown_whole(shop):
    rows = copy.deepcopy(fx.DOUYIN_ORDER_ROWS[:1])
    rows[0]["收件人手机号"] = "138123456789999x"
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv(rows=rows))
    for entry in run.report:
        assert "138123456789999" not in entry["value"] + entry["message_zh"] + entry["message_en"]
