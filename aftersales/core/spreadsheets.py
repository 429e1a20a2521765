"""The product's one writer of CSV and XLSX files: case, refund and inspection exports, analytics figures
and import reports all go through it.

Text that a spreadsheet would read as a formula (a cell beginning with = + - @, a tab or a carriage
return) is kept as text: a quote goes in front, and in XLSX the cell is typed as a string. Numbers, money
and times are typed cells. CSV is UTF-8 with a BOM and CRLF line ends, so that Excel reads Chinese.
Pages hand a file to the browser with `serving.downloads.download`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from aftersales.core import clock

#: Cell kinds: text, integer counts, money in fen, aware datetimes, dates, rates in basis points.
TEXT, NUMBER, MONEY, TIME, DATE, PERCENT = "text", "number", "money", "time", "date", "percent"
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: What a spreadsheet program takes as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_FORMATS = {MONEY: "#,##0.00", TIME: "yyyy-mm-dd hh:mm:ss", DATE: "yyyy-mm-dd", NUMBER: "0",
                 PERCENT: "0.00%"}


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = TEXT
    width: int = 14


@dataclass
class Sheet:
    """What to write: a name (the XLSX tab), columns and rows of plain values in the columns' kinds."""

    name: str
    columns: list[Column]
    rows: Iterable[list]


def safe_text(value: object) -> str:
    """The value as text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def beijing(moment: datetime) -> datetime:
    """The Beijing wall-clock time, without zone (Excel has no time zones)."""
    return clock.to_shanghai(moment).replace(tzinfo=None, microsecond=0)


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _typed(value: object, kind: str) -> tuple[object, str]:
    """(the value to store, the kind it really has): anything not of its column's kind is text."""
    if value is None or value == "":
        return None, TEXT
    if kind == MONEY and _is_number(value):
        return yuan(value), MONEY
    if kind == PERCENT and _is_number(value):
        return Decimal(int(value)) / 10_000, PERCENT
    if kind == NUMBER and _is_number(value):
        return value, NUMBER
    if kind == TIME and isinstance(value, datetime):
        return beijing(value), TIME
    if kind == DATE and isinstance(value, date) and not isinstance(value, datetime):
        return value, DATE
    return safe_text(value), TEXT


def _csv_cell(value: object, kind: str) -> str:
    value, kind = _typed(value, kind)
    if value is None:
        return ""
    if kind == MONEY:
        return f"{value:.2f}"
    if kind == PERCENT:
        return f"{value * 100:.2f}%"
    if kind == TIME:
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if kind == DATE:
        return value.isoformat()
    return str(value)


def csv_chunks(sheet: Sheet, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks, BOM first, CRLF line ends (for streaming responses and files)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(c.heading) for c in sheet.columns])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(sheet.rows, 1):
        writer.writerow([_csv_cell(v, c.kind) for v, c in zip(row, sheet.columns, strict=True)])
        if n % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_csv(sheet: Sheet, out) -> None:
    for chunk in csv_chunks(sheet):
        out.write(chunk)


def write_xlsx(sheet: Sheet, out) -> None:
    from openpyxl import Workbook  # imported here: a CSV download should not pay for openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=safe_text(sheet.name)[:31] or "Sheet")
    for index, column in enumerate(sheet.columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=safe_text(column.heading))
        cell.data_type = "s"
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(vertical="center")
        header.append(cell)
    ws.append(header)
    for row in sheet.rows:
        cells = []
        for value, column in zip(row, sheet.columns, strict=True):
            value, kind = _typed(value, column.kind)
            cell = WriteOnlyCell(ws, value=value)
            if kind == TEXT and value is not None:
                cell.data_type = "s"  # never a formula, whatever the text says
            elif kind in _XLSX_FORMATS:
                cell.number_format = _XLSX_FORMATS[kind]
            cells.append(cell)
        ws.append(cells)
    workbook.save(out)


def write(sheet: Sheet, fmt: str, out) -> None:
    """Write `sheet` as `fmt` (csv | xlsx) to the binary file `out`."""
    (write_csv if fmt == "csv" else write_xlsx)(sheet, out)


def to_bytes(sheet: Sheet, fmt: str) -> bytes:
    buffer = io.BytesIO()
    write(sheet, fmt, buffer)
    return buffer.getvalue()
