"""Reading the canonical fields out of data rows, with the first bad cell as the row's error.

A `RowReader` is compiled once per file from the header: it knows which columns hold which fields
and how to parse each, so the per-row work is only the cells that matter (a 1,000,000-row export
spends its time here). Fields the file lacks cost nothing per row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aftersales.platforms.importing.cells import (
    CellError,
    parse_amount,
    parse_amount_abs,
    parse_datetime,
    parse_id,
    parse_phone,
    parse_quantity,
)
from aftersales.platforms.importing.mapping import FIELDS_BY_KIND, FieldSpec, Mapping
from aftersales.platforms.importing.records import RowError
from aftersales.platforms.importing.text import clean_cell, text_key

# Field types whose "nothing" is None rather than "" (0 fen and "missing" are different things).
_TYPED = frozenset({"amount", "datetime", "quantity"})

_PARSERS: dict[str, Callable[[str], Any] | None] = {
    "text": None,
    "id": parse_id,
    "phone": parse_phone,
    "amount": parse_amount,
    "datetime": parse_datetime,
    "quantity": parse_quantity,
}


class BadRow(Exception):
    """Raised while reading or building a record: the row becomes this RowError and is skipped."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.code)
        self.error = error


@dataclass(frozen=True, slots=True)
class _Step:
    """How to read one field that this file has."""

    spec: FieldSpec
    indexes: tuple[int, ...]
    headings: tuple[str, ...]  # as the file spells them, in the mapping's order of preference
    parse: Callable[[str], Any] | None


#: First characters of a stripped cell that clean_cell may still change (="…", '…, a lone -).
_WRAPPED = "='-"
_UNSET = object()  # the field keeps its default (an empty cell)


class RowReader:
    """Compiled from a file's header; `read` turns one row's cells into a `Row` of typed values."""

    def __init__(
        self, mapping: Mapping, columns: dict[str, tuple[int, ...]], headings: Sequence[str]
    ) -> None:
        self.mapping = mapping
        #: The fields this file has a column for (a field without one is unknown, not empty).
        self.present = frozenset(columns)
        types = FIELDS_BY_KIND[mapping.kind]
        self.defaults: dict[str, Any] = {name: None if kind in _TYPED else "" for name, kind in types.items()}
        self.headings: dict[str, str] = {name: spec.headings[0] for name, spec in mapping.fields.items()}
        self._simple: list[tuple[int, str, int, Callable[[str], Any] | None, bool, str]] = []
        self._other: list[_Step] = []
        for name, indexes in columns.items():
            spec = mapping.fields[name]
            parse = parse_amount_abs if spec.negative == "abs" else _PARSERS[spec.parser]
            step = _Step(spec, indexes, tuple(headings[i] for i in indexes), parse)
            self.headings[name] = step.headings[0]
            if len(indexes) == 1 and spec.combine == "first":
                # The common case, kept to a tuple for the hot loop below.
                slot = len(self._simple)
                self._simple.append((slot, name, indexes[0], parse, spec.required, step.headings[0]))
            else:
                self._other.append(step)
        #: The file's quantity headings that count all the items of an order (the mapping's
        #: `order_summary`, e.g. 宝贝总数量): a row whose quantity is read from one sums up its order.
        self.summary_headings = frozenset(
            heading for heading in (headings[i] for i in columns.get("quantity", ()))
            if text_key(heading) in mapping.order_summary
        )
        # The previous row's raw cell and value, per simple field: the lines of one order repeat the
        # order's cells (ids, times, buyer, amounts), and parsing is a pure function of the text.
        self._last_raw: list[str | None] = [None] * len(self._simple)
        self._last_value: list[Any] = [_UNSET] * len(self._simple)

    def read(self, number: int, cells: Sequence[str]) -> Row:
        values = self.defaults.copy()
        count = len(cells)
        last_raw, last_value = self._last_raw, self._last_value
        for slot, name, index, parse, required, heading in self._simple:
            raw = cells[index] if index < count else ""
            if raw == last_raw[slot]:  # the same cell as on the row before: the same value
                value = last_value[slot]
                if value is not _UNSET:
                    values[name] = value
                continue
            text = raw.strip()
            if text and text[0] in _WRAPPED:  # the rare cell that needs more than a strip
                text = clean_cell(text)
            if text:
                if parse is None:
                    value = text
                else:
                    try:
                        value = parse(text)
                    except CellError as exc:
                        raise BadRow(RowError.build(number, heading, text, exc.code)) from None
                values[name] = value
            elif required:
                raise BadRow(RowError.build(number, heading, "", "import.required_missing"))
            else:
                value = _UNSET
            last_raw[slot], last_value[slot] = raw, value
        sources: dict[str, str] = {}
        for step in self._other:
            values[step.spec.name] = self._multi(step, number, cells, count, sources)
        return Row(self, number, values, sources)

    def _multi(
        self, step: _Step, number: int, cells: Sequence[str], count: int, sources: dict[str, str]
    ) -> Any:
        """A field with several candidate columns: the first with a value, their sum, or their texts."""
        found = []
        for i, heading in zip(step.indexes, step.headings, strict=True):
            if i < count and (text := cells[i].strip()):
                if text[0] in _WRAPPED:
                    text = clean_cell(text)
                if text:
                    found.append((text, heading))
        if not found:
            if step.spec.required:
                raise BadRow(RowError.build(number, step.headings[0], "", "import.required_missing"))
            return self.defaults[step.spec.name]
        if step.spec.combine == "join":
            return " / ".join(text for text, _ in found)
        if step.spec.combine == "sum":
            return sum(self._parse(step, number, text, heading) for text, heading in found)
        text, heading = found[0]
        sources[step.spec.name] = heading
        return self._parse(step, number, text, heading) if step.parse else text

    def _parse(self, step: _Step, number: int, text: str, heading: str) -> Any:
        try:
            return step.parse(text)  # type: ignore[misc]
        except CellError as exc:
            raise BadRow(RowError.build(number, heading, text, exc.code)) from None


class Row:
    """One row's typed values, for the record builders."""

    __slots__ = ("reader", "number", "values", "sources")

    def __init__(
        self, reader: RowReader, number: int, values: dict[str, Any], sources: dict[str, str]
    ) -> None:
        self.reader, self.number, self.values, self.sources = reader, number, values, sources

    @property
    def mapping(self) -> Mapping:
        return self.reader.mapping

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def heading(self, name: str) -> str:
        """The heading the field's value came from (or would have): for naming it in an error."""
        return self.sources.get(name) or self.reader.headings.get(name, name)

    def fail(self, name: str, value: str, code: str, **params: object) -> BadRow:
        return BadRow(RowError.build(self.number, self.heading(name), value, code, **params))

    def has_column(self, name: str) -> bool:
        return name in self.reader.present

    def is_true(self, name: str) -> bool:
        value = self.values[name]
        return bool(value) and text_key(value) in self.mapping.truthy


def derive_line_id(order_id: str, sku_key: str, title: str) -> str:
    """A stable sub-order id for exports without one: the order id plus the SKU, or a hash of the title.

    Stable means the same file imported twice yields the same ids, so a re-import updates lines
    instead of duplicating them.
    """
    if sku_key:
        return f"{order_id}:{sku_key}"
    digest = hashlib.sha1(text_key(title).encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    return f"{order_id}:t{digest}"


#: What follows the order id in the id of an order's summary line. Derived ids use ":" after the order id
#: and real sub-order ids are digits, so no line of another kind can have this id.
SUMMARY_SUFFIX = "#order"


def summary_line_id(order_id: str) -> str:
    """The line id of a row that sums up a whole order (千牛 订单报表: one row per order, all its items).

    One per order, whatever the row's title: it names the summary line that item rows (宝贝报表)
    replace when they come, and that the summary row must not bring back afterwards.
    """
    return order_id + SUMMARY_SUFFIX


_POSTCODE = re.compile(r"\s*[(（]\d{6}[)）]\s*$")


def split_address(address: str) -> tuple[str, str, str, str] | None:
    """Taobao writes '广东省 广州市 越秀区 北京路1号(510180)': province, city, district, the rest."""
    parts = address.split()
    if len(parts) < 4:
        return None
    return parts[0], parts[1], parts[2], _POSTCODE.sub("", " ".join(parts[3:]))


_LOGISTICS = re.compile(r"\s*([A-Za-z0-9]+)\s*-\s*([^,，;；]+)")


def split_logistics(info: str) -> tuple[str, str]:
    """Douyin's 快递信息 'SF0220481613112-顺丰速运,商品…' -> ('SF0220481613112', '顺丰速运')."""
    match = _LOGISTICS.match(info)
    return (match.group(1), match.group(2).strip()) if match else ("", "")
