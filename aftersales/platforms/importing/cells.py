"""Parsing cleaned cell texts into typed values. Each parser raises CellError with an error code.

Cells arrive already cleaned (see text.clean_cell) and non-empty; the caller treats "" as missing.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from aftersales.core.clock import SHANGHAI
from aftersales.core.errors import DomainError
from aftersales.core.money import yuan_to_fen


class CellError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# '69.00', '0', '1299.5': the plain form almost every cell has. Eight integer digits stay below
# MAX_FEN, so these need none of yuan_to_fen's checks; everything else goes through it.
_PLAIN_YUAN = re.compile(r"(\d{1,8})(?:\.(\d{1,2}))?")


def parse_amount(text: str) -> int:
    """'¥1,234.50' -> 123450 fen, with money.* codes for what yuan_to_fen refuses."""
    if match := _PLAIN_YUAN.fullmatch(text):
        whole, cents = match.groups()
        return int(whole) * 100 + int((cents or "0").ljust(2, "0"))
    try:
        return yuan_to_fen(text)
    except DomainError as exc:  # money.invalid / money.sub_fen / money.negative / money.too_large
        raise CellError(exc.code) from None


def parse_amount_abs(text: str) -> int:
    """An amount whose sign the platform writes but which is kept as a size ('-2.00' -> 200)."""
    return parse_amount(text.removeprefix("-").removeprefix("−").lstrip())


_QUANTITY = re.compile(r"\+?(\d+)(?:\.0+)?\s*(?:件|个|份)?")


def parse_quantity(text: str) -> int:
    """A positive whole number of items. '2', '2.0' (from a spreadsheet) and '2件' are accepted."""
    match = _QUANTITY.fullmatch(text.replace(",", ""))
    if not match or int(match.group(1)) <= 0:
        raise CellError("import.quantity_invalid")
    return int(match.group(1))


_SCIENTIFIC = re.compile(r"[+-]?\d(?:\.\d+)?[eE][+-]?\d+")


def parse_id(text: str) -> str:
    """An id as text. '3.51531E+16' means Excel rounded the id: the digits are gone, so refuse it."""
    if _SCIENTIFIC.fullmatch(text):
        raise CellError("import.id_scientific")
    return text


_PHONE_KEEP = re.compile(r"[^0-9*]")


def parse_phone(text: str) -> str:
    """Digits only ('+86 139-2513-0165' -> '13925130165'); masked numbers ('138****1234') stay as given."""
    kept = _PHONE_KEEP.sub("", text)
    if not any(c.isdigit() for c in kept):
        raise CellError("import.phone_invalid")
    if len(kept) == 13 and kept.startswith("861"):
        kept = kept[2:]
    return kept


# 2016/5/23 22:02, 2016.5.23, 2016年5月23日 22时02分 — what Excel and WPS make of a re-saved file.
_LOOSE_DATETIME = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})[:时](\d{1,2})分?(?:[:](\d{1,2})(?:\.(\d{1,6}))?|(\d{1,2})秒)?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_EXCEL_EPOCH = datetime(1899, 12, 30)
# Serial numbers from 1982 to 2173: a plain number outside this is not an Excel date.
_SERIAL_RANGE = (30000.0, 100000.0)
# Placeholders some exports write for "never happened".
_NEVER = ("0000-00-00", "1970-01-01 08:00:00", "1970-01-01 00:00:00")


def parse_datetime(text: str) -> datetime | None:
    """An aware datetime in Asia/Shanghai; None for the exports' "never" placeholders.

    Accepts ISO forms ('2017-07-08 00:42:32', '2026-05-18T10:00:00', '2017-07-08'), Excel's
    re-saved forms ('2016/5/23 22:02'), compact digits ('20260518'), Excel serial numbers
    ('45795.4166') and Unix timestamps in seconds or milliseconds.
    """
    if text.startswith(_NEVER):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = _parse_other(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def _parse_other(text: str) -> datetime:
    try:
        if match := _LOOSE_DATETIME.fullmatch(text):
            y, mo, d, h, mi, s, frac, s_cn = match.groups()
            micro = int((frac or "0").ljust(6, "0"))
            return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or s_cn or 0), micro)
        if match := _COMPACT.fullmatch(text):
            y, mo, d, h, mi, s = match.groups()
            return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        if _NUMBER.fullmatch(text):
            return _from_number(float(text))
    except (ValueError, OverflowError):
        pass
    raise CellError("import.datetime_invalid")


def _from_number(number: float) -> datetime:
    if _SERIAL_RANGE[0] <= number < _SERIAL_RANGE[1]:
        # Excel counts days from 1899-12-30 (its 1900 leap-year bug is before our range).
        return _EXCEL_EPOCH + timedelta(seconds=round(number * 86400))
    if 1e9 <= number < 1e10:
        return datetime.fromtimestamp(number, SHANGHAI)
    if 1e12 <= number < 1e13:
        return datetime.fromtimestamp(number / 1000, SHANGHAI)
    raise ValueError(number)
