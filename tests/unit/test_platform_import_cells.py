"""Cell values: amounts, datetimes, quantities, phones, ids — and the row errors bad ones become."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.core.clock import SHANGHAI
from aftersales.platforms.importing import OrderLineRecord, RowError, parse_orders
from aftersales.platforms.importing.cells import (
    CellError,
    parse_amount,
    parse_amount_abs,
    parse_datetime,
    parse_id,
    parse_phone,
    parse_quantity,
)
from aftersales.platforms.importing.text import clean_cell, text_key
from tests.unit import platform_fixtures as fx


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ('="35153131473293579"', "35153131473293579"),
        ("'13925130165", "13925130165"),
        ("\t6921325487901234567", "6921325487901234567"),
        ("\tSF1402345678901\t", "SF1402345678901"),
        (" 等待确认收货\r\n", "等待确认收货"),
        ("-", ""),
        ("-5.00", "-5.00"),
        ("", ""),
    ],
)
def test_clean_cell(raw, clean):
    assert clean_cell(raw) == clean


def test_heading_keys_ignore_padding_bracket_width_and_case():
    assert text_key(" 用户购买手机号") == text_key("用户购买手机号")
    assert text_key("应付金额（元）") == text_key("应付金额(元)")
    assert text_key("收货地址 ") == text_key("收货地址")
    assert text_key("sku信息") == text_key("SKU信息")
    assert text_key("同意退款，退款成功") == text_key("同意退款,退款成功")


@pytest.mark.parametrize(
    ("text", "fen"),
    [("201.12", 20112), ("0.00", 0), ("0元", 0), ("¥1,234.50", 123450), ("1,299.00", 129900), ("12.3", 1230),
     ("7", 700), ("￥99", 9900)],
)  # fmt: skip
def test_amounts(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    ("text", "code"),
    [("abc", "money.invalid"), ("-5.00", "money.negative"), ("1.234", "money.sub_fen"),
     ("1e12", "money.too_large"), ("12..5", "money.invalid")],
)  # fmt: skip
def test_bad_amounts(text, code):
    with pytest.raises(CellError) as err:
        parse_amount(text)
    assert err.value.code == code


def test_signed_amounts_kept_as_a_size_where_the_mapping_says_so():
    assert parse_amount_abs("-2.00") == 200
    assert parse_amount_abs("2.00") == 200


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2017-07-08 00:42:32", at(2017, 7, 8, 0, 42, 32)),
        ("2016/5/23 22:02", at(2016, 5, 23, 22, 2)),
        ("2016/05/23 22:02:09", at(2016, 5, 23, 22, 2, 9)),
        ("2026-05-18T10:00:00", at(2026, 5, 18, 10, 0)),
        ("2026-05-18", at(2026, 5, 18)),
        ("2026/5/18", at(2026, 5, 18)),
        ("2026.5.18", at(2026, 5, 18)),
        ("2026年5月18日 10:30", at(2026, 5, 18, 10, 30)),
        ("20260518", at(2026, 5, 18)),
        ("45795.5", at(2025, 5, 18, 12, 0)),  # an Excel serial number
        ("45795", at(2025, 5, 18)),
        ("2026-05-18 10:00:00.250", at(2026, 5, 18, 10, 0, 0, 250000)),
        ("1779069600", at(2026, 5, 18, 10, 0)),  # Unix seconds
    ],
)
def test_datetimes_are_aware_in_shanghai(text, moment):
    parsed = parse_datetime(text)
    assert parsed == moment
    assert parsed.utcoffset() == timedelta(hours=8)


def test_a_datetime_with_its_own_offset_is_converted():
    assert parse_datetime("2026-05-18T02:00:00+00:00") == datetime(2026, 5, 18, 2, tzinfo=UTC)
    assert parse_datetime("2026-05-18T02:00:00+00:00").tzinfo == SHANGHAI


@pytest.mark.parametrize("text", ["0000-00-00 00:00:00", "1970-01-01 08:00:00"])
def test_never_placeholders_are_empty(text):
    assert parse_datetime(text) is None


@pytest.mark.parametrize("text", ["昨天", "2026-13-01", "2026-02-30 10:00:00", "13800138000", "12:00"])
def test_bad_datetimes(text):
    with pytest.raises(CellError) as err:
        parse_datetime(text)
    assert err.value.code == "import.datetime_invalid"


@pytest.mark.parametrize(("text", "count"), [("1", 1), ("2.0", 2), ("3件", 3), ("1,200", 1200)])
def test_quantities(text, count):
    assert parse_quantity(text) == count


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "abc", "二"])
def test_bad_quantities(text):
    with pytest.raises(CellError) as err:
        parse_quantity(text)
    assert err.value.code == "import.quantity_invalid"


@pytest.mark.parametrize(
    ("text", "phone"),
    [("13925130165", "13925130165"), ("+86 139-2513-0165", "13925130165"), ("138****1234", "138****1234"),
     ("020-88886666", "02088886666")],
)  # fmt: skip
def test_phones_keep_digits_and_platform_masks(text, phone):
    assert parse_phone(text) == phone


def test_ids_that_excel_rounded_are_refused():
    assert parse_id("6921325487901234567") == "6921325487901234567"
    with pytest.raises(CellError) as err:
        parse_id("6.92133E+18")
    assert err.value.code == "import.id_scientific"


# ---- bad cells inside a file: the row is refused, the good rows keep coming --------------------


def test_bad_cells_become_exact_row_errors_and_good_rows_still_flow():
    good = fx.PDD_ORDER_ROWS[1]
    rows = [
        good,
        {**good, "订单号": "260517-000000000000002", "商品数量(件)": "-1"},
        {**good, "订单号": "260517-000000000000003", "用户实付金额(元)": "待定"},
        {**good, "订单号": "260517-000000000000004", "支付时间": "2026/5/17 21:00"},
        {**good, "订单号": "260517-000000000000005", "用户实付金额(元)": "¥1,059.80"},
        {**good, "订单号": "260517-000000000000006", "支付时间": "下午三点"},
        {**good, "订单号": ""},
        {**good, "订单号": "2.60517E+20"},
        {**good, "订单号": "260517-000000000000009", "用户购买手机号": "无"},
        {**good, "订单号": "260517-000000000000010", "商品总价(元)": "59.801"},
    ]
    items = list(parse_orders("pdd", "订单.csv", fx.csv_text(fx.PDD_ORDERS, rows).encode()))
    errors = [(e.row_number, e.column, e.value, e.code) for e in items if isinstance(e, RowError)]
    assert errors == [
        (3, "商品数量(件)", "-1", "import.quantity_invalid"),
        (4, "用户实付金额(元)", "待定", "money.invalid"),
        (7, "支付时间", "下午三点", "import.datetime_invalid"),
        (8, "订单号", "", "import.required_missing"),
        (9, "订单号", "2.60517E+20", "import.id_scientific"),
        (10, "用户购买手机号", "无", "import.phone_invalid"),
        (11, "商品总价(元)", "59.801", "money.sub_fen"),
    ]
    kept = [(r.row_number, r.paid_fen, r.paid_at) for r in items if isinstance(r, OrderLineRecord)]
    assert kept == [
        (2, 5980, at(2026, 5, 17, 21, 0)),
        (5, 5980, at(2026, 5, 17, 21, 0)),
        (6, 105980, at(2026, 5, 17, 21, 0)),
    ]


def test_row_error_messages_name_row_column_and_value_in_chinese_and_english():
    rows = [{**fx.PDD_ORDER_ROWS[1], "商品数量(件)": "-1"}]
    error = next(iter(parse_orders("pdd", "订单.csv", fx.csv_text(fx.PDD_ORDERS, rows).encode())))
    assert error == RowError(
        row_number=2,
        column="商品数量(件)",
        value="-1",
        code="import.quantity_invalid",
        message_zh="第 2 行「商品数量(件)」的值「-1」无效：数量必须是正整数。",
        message_en="Row 2, column 商品数量(件): the value '-1' is invalid: "
        "a quantity must be a positive whole number.",
    )
