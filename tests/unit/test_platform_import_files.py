"""Reading the files themselves: encodings, where the header is, column order, broken files, big files."""

from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from aftersales.platforms.importing import (
    ImportFileError,
    OrderLineRecord,
    load_mapping,
    open_export,
    open_exports,
    open_table,
    parse_cases,
    parse_export,
    parse_orders,
)
from tests.unit import platform_fixtures as fx

ROOT = Path(__file__).resolve().parents[2]


def lines(parsed) -> list[tuple[str, int, str]]:
    return [
        (r.platform_line_id, r.quantity, r.product_title) for r in parsed if isinstance(r, OrderLineRecord)
    ]


def pdd_rows_with(title: str) -> list[dict[str, str]]:
    return [{**fx.PDD_ORDER_ROWS[0], "商品": title}, fx.PDD_ORDER_ROWS[1]]


# ---- encodings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_encodings_are_detected(encoding, detected):
    data = fx.csv_text(fx.PDD_ORDERS, fx.PDD_ORDER_ROWS).encode(encoding)
    parsed = parse_orders("pdd", "订单.csv", data)
    assert parsed.encoding == detected
    assert [r.product_title for r in parsed] == ["【顺丰包邮】智利车厘子JJ级2斤装", "四川爱媛38号果冻橙5斤"]


def test_gb18030_only_characters_survive():
    title = "𠮷野家同款牛丼酱"  # 𠮷 is outside GBK: only GB18030 has it
    with pytest.raises(UnicodeEncodeError):
        title.encode("gbk")
    data = fx.csv_text(fx.PDD_ORDERS, pdd_rows_with(title)).encode("gb18030")
    assert [r.product_title for r in parse_orders("pdd", "订单.csv", data)][0] == title


def test_excel_unicode_text_utf16_with_tabs_is_read():
    text = fx.csv_text(fx.PDD_ORDERS, fx.PDD_ORDER_ROWS)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\r\n")
    writer.writerows(csv.reader(io.StringIO(text)))
    parsed = parse_orders("pdd", "订单.txt", buffer.getvalue().encode("utf-16"))
    assert parsed.encoding == "utf-16"
    assert [r.paid_fen for r in parsed] == [122400, 5980]


def test_utf16_without_a_bom_is_read_correctly_or_refused_never_garbled():
    data = fx.csv_text(fx.PDD_ORDERS, fx.PDD_ORDER_ROWS).encode("utf-16-le")
    try:
        titles = [r.product_title for r in parse_orders("pdd", "订单.csv", data)]
    except ImportFileError as exc:
        assert exc.code in {"import.undecodable", "import.no_header", "import.binary_file"}
    else:
        assert titles == ["【顺丰包邮】智利车厘子JJ级2斤装", "四川爱媛38号果冻橙5斤"]


def test_big5_file_gives_a_clear_error_not_garbage():
    # A Traditional-Chinese spreadsheet: GB18030 "decodes" these bytes into nonsense; the header
    # search rejects the nonsense, and Big5 itself has no 拼多多 headings.
    data = "訂單號,商品,商品數量(件)\r\n260517-1,測試商品,1\r\n".encode("big5")
    with pytest.raises(ImportFileError) as err:
        parse_orders("pdd", "訂單.csv", data)
    assert err.value.code == "import.no_header"
    assert "拼多多订单导出" in err.value.message_zh


def test_invalid_bytes_deep_in_a_utf8_file_stop_the_import_with_the_row():
    rows = [{**fx.PDD_ORDER_ROWS[1], "订单号": f"260517-{i:015d}"} for i in range(3000)]
    good = fx.csv_text(fx.PDD_ORDERS, rows).encode("utf-8")
    bad_row = fx.csv_text(fx.PDD_ORDERS, pdd_rows_with("坏掉的行")[:1]).split("\r\n", 1)[1].encode("gbk")
    parsed = parse_orders("pdd", "订单.csv", good + bad_row)
    assert parsed.encoding == "utf-8"  # the first 256 KiB are valid UTF-8
    seen = 0
    with pytest.raises(ImportFileError) as err:
        for _ in parsed:
            seen += 1
    assert err.value.code == "import.decode_failed"
    assert err.value.params["row"] > 1 and seen > 1000


# ---- header position, names and order -----------------------------------------------------------


def test_header_below_preamble_rows_and_row_numbers_follow_the_sheet():
    text = "导出时间：2026-05-29 10:00:00\r\n\r\n" + fx.csv_text(fx.PDD_ORDERS, fx.PDD_ORDER_ROWS)
    parsed = parse_orders("pdd", "订单.csv", text.encode("utf-8"))
    assert parsed.header_row == 3
    assert [r.row_number for r in parsed] == [4, 5]


def test_shuffled_columns_and_extra_columns_give_the_same_records():
    shuffled = [*fx.DOUYIN_ORDER_A, "自定义列1", "自定义列2"]
    random.Random(7).shuffle(shuffled)
    data = fx.csv_text(shuffled, fx.DOUYIN_ORDER_ROWS).encode("utf-8-sig")
    expected = list(parse_orders("douyin", "订单.csv", fx.douyin_orders_csv("A")))
    assert list(parse_orders("douyin", "订单.csv", data)) == expected


def test_headings_match_across_bracket_widths_and_padding():
    spelled = ["  " + h.replace("（", "(").replace("）", ")") + "\t" for h in fx.DOUYIN_CASES]
    data = fx.csv_text(fx.DOUYIN_CASES, fx.DOUYIN_CASE_ROWS[:1], file_headings=spelled).encode("utf-8-sig")
    case = next(iter(parse_cases("douyin", "售后单.csv", data)))
    assert (case.requested_amount_fen, case.refund_discount_fen, case.paid_fen) == (3980, 200, 3980)


def test_the_untyped_view_gives_cleaned_cells_by_heading():
    table = open_export("taobao", "orders", "ExportOrderList.csv", fx.taobao_orders_csv())
    assert (table.format, table.encoding, table.header_row) == ("csv", "gb18030", 1)
    number, row = next(table.dict_rows())
    assert (number, row["订单编号"], row["联系手机"]) == (2, "35153131473293579", "13925130165")
    assert (row["收货地址"][:3], row["买家服务费"]) == ("广东省", "0元")


def test_a_text_mode_file_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_orders("pdd", "订单.csv", io.StringIO("订单号"))


def test_a_file_object_and_a_non_seekable_stream_work_like_bytes():
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer) -> int:
            return self._inner.readinto(buffer)

    data = fx.jd_cases_xlsx()
    expected = list(parse_cases("jd", "服务单.xlsx", data))
    assert list(parse_cases("jd", "服务单.xlsx", io.BytesIO(data))) == expected
    assert list(parse_cases("jd", "服务单.xlsx", io.BufferedReader(Pipe(data)))) == expected


# ---- files that are refused ---------------------------------------------------------------------


def refused(
    data: bytes, platform: str = "douyin", kind: str = "orders", name: str = "导出.csv"
) -> ImportFileError:
    parse = parse_orders if kind == "orders" else parse_cases
    with pytest.raises(ImportFileError) as err:
        parse(platform, name, data)
    assert err.value.message_zh and err.value.message_en
    return err.value


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n  \r\n"])
def test_empty_file(data):
    error = refused(data)
    assert error.code == "import.empty_file"
    assert "导出.csv" in error.message_zh


def test_empty_workbook():
    assert refused(fx.xlsx_bytes([], []), name="空.xlsx").code == "import.empty_file"


def test_another_platforms_file_is_named():
    error = refused(fx.pdd_orders_csv(), "douyin", "orders")
    assert (error.code, error.params["detected_platform"], error.params["detected_kind"]) == (
        "import.wrong_file", "pdd", "orders",
    )  # fmt: skip
    assert "拼多多订单导出" in error.message_zh and "抖店订单导出" in error.message_zh


def test_a_case_export_chosen_as_an_order_export_is_named():
    error = refused(fx.douyin_cases_xlsx(), "douyin", "orders", "售后单.xlsx")
    assert (error.code, error.params["detected_kind"]) == ("import.wrong_file", "cases")


def test_a_jd_service_export_is_not_taken_for_an_order_list():
    error = refused(fx.jd_cases_xlsx(), "jd", "orders", "服务单.xlsx")
    assert (error.code, error.params["detected_kind"]) == ("import.wrong_file", "cases")


def test_missing_required_column_is_listed():
    headings = [h for h in fx.DOUYIN_ORDER_A if h != "商品数量"]
    error = refused(fx.csv_text(headings, fx.DOUYIN_ORDER_ROWS).encode("utf-8-sig"))
    assert error.code == "import.missing_columns"
    assert error.params["missing"] == ["商品数量"]
    assert "「商品数量」" in error.message_zh and "douyin_orders.toml" in error.message_zh


def test_a_table_that_is_no_export_at_all():
    assert refused("姓名,年龄\r\n张三,18\r\n".encode()).code == "import.no_header"


@pytest.mark.parametrize("keep", [0.5, 0.9, 200])
def test_truncated_xlsx(keep):
    data = fx.douyin_cases_xlsx()
    cut = data[: int(len(data) * keep)] if keep < 1 else data[:keep]
    assert refused(cut, "douyin", "cases", "售后单.xlsx").code == "import.corrupt_xlsx"


def test_binary_garbage():
    garbage = random.Random(3).randbytes(4096)
    assert refused(garbage, name="导出.csv").code == "import.binary_file"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "import.binary_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "import.old_xls"),
        ("<html><body><table><tr><td>订单号</td></tr></table></body></html>".encode(), "import.html_table"),
    ],
)
def test_other_kinds_of_file(data, code):
    assert refused(data, name="导出.xls").code == code


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.txt", "not a spreadsheet")
    assert refused(out.getvalue(), name="导出.xlsx").code == "import.binary_file"


def test_unknown_platform():
    error = refused(fx.pdd_orders_csv(), "amazon")
    assert error.code == "import.unknown_platform"


# ---- big files ----------------------------------------------------------------------------------

BIG_ROWS = 200_000


def write_big_csv(path: Path, rows: int = BIG_ROWS) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write("主订单编号,子订单编号,选购商品,商品数量,订单应付金额,订单提交时间\r\n")
        for i in range(rows):
            out.write(
                f"\t6921{i:015d},\t6922{i:015d},纯棉短袖T恤男夏季宽松圆领,1,69.00,\t2026-05-10 20:15:33\r\n"
            )


def test_reading_a_200k_row_csv_streams(tmp_path):
    path = tmp_path / "订单.csv"
    write_big_csv(path)
    assert path.stat().st_size > 20_000_000
    tracemalloc.start()
    try:
        with path.open("rb") as handle:
            table = open_table(handle, path.name, load_mapping("douyin", "orders"))
            count = sum(1 for _ in table.rows())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == BIG_ROWS
    assert peak < 10_000_000  # well under the file's size: rows are never all in memory


PARSE_BIG = """
import sys
from aftersales.platforms.importing import OrderLineRecord, parse_orders

def peak_rss():  # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

before = peak_rss()
with open(sys.argv[1], "rb") as handle:
    count = sum(isinstance(item, OrderLineRecord) for item in parse_orders("douyin", "订单.csv", handle))
print(count, before, peak_rss())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from /proc")
def test_parsing_a_200k_row_csv_needs_bounded_memory(tmp_path):
    # A fresh interpreter, so the peak is this parse's alone.
    path = tmp_path / "订单.csv"
    write_big_csv(path)
    done = subprocess.run(
        [sys.executable, "-c", PARSE_BIG, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    count, before, after = map(int, done.stdout.split())
    assert count == BIG_ROWS
    assert after - before < 50_000_000  # mostly the duplicate check's id index; the records come and go


# ---- workbooks with several sheets ----------------------------------------------------------------


def sheets_workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, content in sheets:
        sheet = book.create_sheet(title)
        for line in content:
            sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ITEM_SHEET = ("销售明细", [["子订单编号", "主订单编号", "商品标题", "购买数量", "买家应付货款"],
                         ["A101", "A1", "真丝眼罩", 2, 79.8]])
SUMMARY_SHEET = ("订单报表", [["订单编号", "商品标题", "宝贝总数量", "买家实付金额", "订单付款时间"],
                             ["A1", "真丝眼罩", 2, 70, "2026-05-20 09:30:00"]])
REFUND_SHEET = ("退款", [["退款编号", "订单编号", "退款状态", "退款总额"], ["R1", "A1", "退款成功", "70.00"]])


def test_every_sheet_of_the_export_is_read_summary_rows_first():
    data = sheets_workbook(("空白", []), ITEM_SHEET, ("备注", [["这是说明"]]), SUMMARY_SHEET, REFUND_SHEET)
    export = parse_export("taobao", "orders", "三表.xlsx", data)
    assert [(f.sheet, f.header_row) for f in export.files] == [("订单报表", 1), ("销售明细", 1)]
    summary, items = ([(r.row_number, r.platform_line_id, r.quantity) for r in f] for f in export.files)
    assert summary == [(2, "A1#order", 2)] and items == [(2, "A101", 2)]
    # the empty sheet is not mentioned; the others say why they were left out
    assert [(s.sheet, s.code, s.params.get("detected_zh")) for s in export.skipped] == [
        ("备注", "import.sheet_skipped", None), ("退款", "import.sheet_other_export", "淘宝/天猫退款报表"),
    ]
    # the single-table readers keep taking the first sheet with the header
    assert open_export("taobao", "orders", "三表.xlsx", data).sheet == "销售明细"


def test_a_csv_is_one_table():
    export = open_exports("taobao", "orders", "ExportOrderList.csv", fx.taobao_orders_csv())
    assert [(t.format, t.sheet) for t in export.tables] == [("csv", None)] and export.skipped == []


def test_a_workbook_of_sheets_none_of_them_this_export_is_refused_as_before():
    data = sheets_workbook(("说明", [["导出时间：2026-05-29"]]), REFUND_SHEET)
    with pytest.raises(ImportFileError) as err:
        parse_export("taobao", "orders", "退款.xlsx", data)
    assert (err.value.code, err.value.params["detected_kind"]) == ("import.wrong_file", "cases")
