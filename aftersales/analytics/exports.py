"""A figure's table as CSV (UTF-8 with a BOM, so that Excel reads Chinese) or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font

from aftersales.analytics.domain.rates import format_bp
from aftersales.analytics.figures import Table
from aftersales.analytics.labels import verdict_label
from aftersales.core.money import fen_to_yuan

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == "fen":
        return str(fen_to_yuan(int(value)))
    if kind == "bp":
        return format_bp(int(value))
    if kind == "bool":
        return gettext("yes") if value else gettext("no")
    if kind == "verdict":
        return str(verdict_label(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def filename(table: Table, first: date, last: date, fmt: str) -> str:
    return f"{table.name}_{first:%Y%m%d}-{last:%Y%m%d}.{fmt}"


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.label) for c in table.columns])
    for row in table.rows:
        writer.writerow([_text(c.kind, row.get(c.key)) for c in table.columns])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append([str(c.label) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values = []
        for c in table.columns:
            value = row.get(c.key)
            if value is None:
                values.append(None)
            elif c.kind == "fen":
                values.append(fen_to_yuan(int(value)))
            elif c.kind == "bp":
                values.append(Decimal(int(value)) / 10_000)
            elif c.kind == "bool":
                values.append(gettext("yes") if value else gettext("no"))
            elif c.kind == "verdict":
                values.append(str(verdict_label(value)))
            else:
                values.append(value)
        sheet.append(values)
    for index, c in enumerate(table.columns, start=1):
        number_format = {"fen": "#,##0.00", "bp": "0.00%", "date": "yyyy-mm-dd"}.get(c.kind)
        width = max(10, min(40, len(str(c.label)) * 2 + 2))
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def response(table: Table, fmt: str, first: date, last: date) -> HttpResponse:
    if fmt == "xlsx":
        body, content_type = to_xlsx(table), XLSX_TYPE
    else:
        body, content_type = to_csv(table), "text/csv; charset=utf-8"
    resp = HttpResponse(body, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="{filename(table, first, last, fmt)}"'
    return resp
