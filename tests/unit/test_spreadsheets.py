"""The product's one CSV/XLSX writer: no cell a spreadsheet would run as a formula, typed numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from aftersales.core import spreadsheets as s

DANGEROUS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _sheet(rows):
    columns = [s.Column("名称"), s.Column("数量", s.NUMBER), s.Column("金额", s.MONEY), s.Column("比率", s.PERCENT),
               s.Column("时间", s.TIME), s.Column("日期", s.DATE)]
    return s.Sheet("表", columns, rows)


def _csv(sheet) -> list[list[str]]:
    data = s.to_bytes(sheet, "csv")
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_text_is_quoted_in_csv_and_a_string_in_xlsx(text):
    rows = [[text, 1, 100, 1234, None, None]]
    assert _csv(_sheet(rows))[1][0] == "'" + text
    book = load_workbook(io.BytesIO(s.to_bytes(_sheet(rows), "xlsx")))
    cell = book.active["A2"]
    # (XML keeps a carriage return as a line feed: what matters is the quote in front and the type.)
    assert cell.data_type == "s" and cell.value == "'" + text.replace("\r", "\n")


def test_a_text_value_in_a_number_column_is_text_too():
    # A number column whose value is not a number (or is a bool) never becomes a formula or a count.
    rows = [["a", "=1+1", True, "-1", None, None]]
    assert _csv(_sheet(rows))[1][1:4] == ["'=1+1", "True", "'-1"]
    ws = load_workbook(io.BytesIO(s.to_bytes(_sheet(rows), "xlsx"))).active
    assert [ws[c].data_type for c in ("B2", "C2", "D2")] == ["s", "s", "s"]


def test_numbers_money_rates_and_times_are_typed():
    moment = datetime(2026, 5, 1, 16, 30, tzinfo=ZoneInfo("UTC"))
    rows = [["连衣裙", 3, 15900, 1234, moment, date(2026, 5, 2)], ["负数", -2, -150, -50, None, None]]
    assert _csv(_sheet(rows))[1:] == [
        ["连衣裙", "3", "159.00", "12.34%", "2026-05-02 00:30:00", "2026-05-02"],
        ["负数", "-2", "-1.50", "-0.50%", "", ""],
    ]
    ws = load_workbook(io.BytesIO(s.to_bytes(_sheet(rows), "xlsx"))).active
    assert [ws.cell(2, i).value for i in range(1, 7)] == [
        "连衣裙", 3, 159, 0.1234, datetime(2026, 5, 2, 0, 30), datetime(2026, 5, 2)]
    assert ws["C2"].number_format == "#,##0.00" and ws["D2"].number_format == "0.00%"
    assert ws["B3"].value == -2 and ws["C3"].value == -1.5


def test_headings_are_neutralised_too():
    sheet = s.Sheet("=x", [s.Column("=HYPERLINK(1)")], [])
    assert _csv(sheet)[0] == ["'=HYPERLINK(1)"]
    ws = load_workbook(io.BytesIO(s.to_bytes(sheet, "xlsx"))).active
    assert ws["A1"].value == "'=HYPERLINK(1)" and ws.title == "'=x"


def test_it_is_the_only_writer_in_the_product():
    root = Path(s.__file__).resolve().parents[1]
    writers = [str(p.relative_to(root)) for p in root.rglob("*.py")
               if p.name != "spreadsheets.py" and re.search(r"csv\.writer\(|Workbook\(", p.read_text("utf-8"))]
    assert writers == []
