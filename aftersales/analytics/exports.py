"""A figure's table as CSV or XLSX, written by the product's one spreadsheet writer
(`aftersales.core.spreadsheets`): typed numbers, rates and money, and no formula from shop data."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext

from aftersales.analytics.figures import Table
from aftersales.analytics.labels import verdict_label
from aftersales.core import spreadsheets
from aftersales.serving.downloads import download

FORMATS = spreadsheets.FORMATS
#: The figures' column kinds as cell kinds; yes/no and verdicts become words first.
_KINDS = {"int": spreadsheets.NUMBER, "fen": spreadsheets.MONEY, "bp": spreadsheets.PERCENT,
          "date": spreadsheets.DATE}


def _value(kind: str, value):
    if value is None:
        return None
    if kind == "bool":
        return gettext("Yes") if value else gettext("No")
    if kind == "verdict":
        return str(verdict_label(value))
    return value


def sheet(table: Table) -> spreadsheets.Sheet:
    columns = [spreadsheets.Column(str(c.label), _KINDS.get(c.kind, spreadsheets.TEXT),
                                   max(10, min(40, len(str(c.label)) * 2 + 2))) for c in table.columns]
    rows = ([_value(c.kind, row.get(c.key)) for c in table.columns] for row in table.rows)
    return spreadsheets.Sheet(table.name, columns, rows)


def filename(table: Table, first: date, last: date, fmt: str) -> str:
    return f"{table.name}_{first:%Y%m%d}-{last:%Y%m%d}.{fmt}"


def response(table: Table, fmt: str, first: date, last: date) -> HttpResponse:
    return download(sheet(table), fmt, filename(table, first, last, fmt))
