"""Parsing platform exports into order-line and case records.

    for item in parse_orders("douyin", "订单.csv", data):
        match item:
            case OrderLineRecord(): ...   # upsert by (platform, platform_line_id)
            case RowError(): ...          # show the merchant row, column, value, message
            case RowWarning(): ...        # e.g. an earlier duplicate that a later row replaces

File-level problems raise ImportFileError from the call itself (before any row), except damage that
only shows deep inside a streamed file, which raises it during iteration.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from aftersales.platforms.importing.extract import (
    BadRow,
    Row,
    RowReader,
    derive_line_id,
    split_address,
    split_logistics,
    summary_line_id,
)
from aftersales.platforms.importing.mapping import Mapping, all_mappings, load_mapping, resolve_platform
from aftersales.platforms.importing.reader import SkippedSheet, Source, Table, Tables, open_table, open_tables
from aftersales.platforms.importing.records import (
    TERMINAL_STATUSES,
    CaseRecord,
    OrderLineRecord,
    ParsedRow,
    RowWarning,
)
from aftersales.platforms.importing.text import text_key

MappingsDir = str | os.PathLike[str] | None


class ParsedFile(Iterator[ParsedRow]):
    """The rows of one export, streamed; also tells how the file was read (for the import log)."""

    def __init__(self, table: Table, rows: Iterator[ParsedRow]) -> None:
        self.table = table
        self._rows = rows

    def __next__(self) -> ParsedRow:
        return next(self._rows)

    @property
    def format(self) -> str:
        return self.table.format

    @property
    def encoding(self) -> str | None:
        return self.table.encoding

    @property
    def sheet(self) -> str | None:
        return self.table.sheet

    @property
    def header_row(self) -> int:
        return self.table.header_row

    @property
    def headings(self) -> tuple[str, ...]:
        return self.table.headings


class ParsedExport:
    """Every sheet of an export that holds it (a CSV: one), each parsed, in the order to import them
    (a 千牛 订单报表 sheet before the item sheets of the same orders), and the sheets left out."""

    def __init__(self, files: list[ParsedFile], skipped: list[SkippedSheet]) -> None:
        self.files = files
        self.skipped = skipped


def parse_export(
    platform: str, kind: str, file_name: str, data: Source, *, mappings_dir: MappingsDir = None, dedupe: bool = True
) -> ParsedExport:
    """Records of every sheet of the export that has the header of `kind` (see reader._find_sheets).

    Read the files one after the other, each to its end: the sheets of a workbook share it. Duplicates
    are found within a sheet (row numbers are the sheet's own).
    """
    recorded_platform, _ = resolve_platform(platform)
    mapping = load_mapping(platform, kind, mappings_dir)
    found = open_exports(platform, kind, file_name, data, mappings_dir=mappings_dir)
    build = build_order if kind == "orders" else build_case
    files = [ParsedFile(t, _rows(t, mapping, recorded_platform, build, dedupe)) for t in found.tables]
    return ParsedExport(files, found.skipped)


def parse_orders(
    platform: str, file_name: str, data: Source, *, mappings_dir: MappingsDir = None, dedupe: bool = True
) -> ParsedFile:
    """Order lines of an order export (抖店 订单导出, 千牛 订单报表/宝贝报表, 京东 订单, 拼多多 订单)."""
    return _parse(platform, "orders", file_name, data, mappings_dir, dedupe, build_order)


def parse_cases(
    platform: str, file_name: str, data: Source, *, mappings_dir: MappingsDir = None, dedupe: bool = True
) -> ParsedFile:
    """Cases of an after-sale export (抖店 售后单, 千牛 退款报表, 京东 服务单, 拼多多 售后)."""
    return _parse(platform, "cases", file_name, data, mappings_dir, dedupe, build_case)


Builder = Callable[[Row, str], OrderLineRecord | CaseRecord]


def open_export(
    platform: str, kind: str, file_name: str, data: Source, *, mappings_dir: MappingsDir = None
) -> Table:
    """The file with its header found, untyped: `.dict_rows()` gives {heading: cleaned cell} per row.

    For previews and anything the typed records do not cover. Raises ImportFileError as parse_* do.
    """
    mapping = load_mapping(platform, kind, mappings_dir)
    others = [
        m for m in all_mappings(mappings_dir) if (m.platform, m.kind) != (mapping.platform, mapping.kind)
    ]
    return open_table(data, file_name, mapping, others)


def open_exports(
    platform: str, kind: str, file_name: str, data: Source, *, mappings_dir: MappingsDir = None
) -> Tables:
    """As `open_export`, for every sheet of a workbook that has the header (see reader._find_sheets)."""
    mapping = load_mapping(platform, kind, mappings_dir)
    others = [
        m for m in all_mappings(mappings_dir) if (m.platform, m.kind) != (mapping.platform, mapping.kind)
    ]
    return open_tables(data, file_name, mapping, others)


def _parse(
    platform: str,
    kind: str,
    file_name: str,
    data: Source,
    mappings_dir: MappingsDir,
    dedupe: bool,
    build: Builder,
) -> ParsedFile:
    recorded_platform, _ = resolve_platform(platform)
    mapping = load_mapping(platform, kind, mappings_dir)
    table = open_export(platform, kind, file_name, data, mappings_dir=mappings_dir)
    return ParsedFile(table, _rows(table, mapping, recorded_platform, build, dedupe))


def _rows(table: Table, mapping: Mapping, platform: str, build: Builder, dedupe: bool) -> Iterator[ParsedRow]:
    reader = RowReader(mapping, table.match.columns, table.headings)
    # Only the id and the row it was last seen on are kept: ~150 bytes a record (dedupe=False: none).
    seen: dict[str, int] = {}
    for number, cells in table.rows():
        try:
            row = reader.read(number, cells)
            record = build(row, platform)
        except BadRow as bad:
            yield bad.error
            continue
        if dedupe:
            key = record.dedupe_key
            earlier = seen.get(key)
            seen[key] = number
            if earlier is not None:
                yield RowWarning.duplicate(earlier, number, _key_heading(row, record), key)
        yield record


def _key_heading(row: Row, record: OrderLineRecord | CaseRecord) -> str:
    if isinstance(record, CaseRecord):
        return row.heading("platform_case_id")
    return row.heading("platform_order_id" if record.line_id_derived else "platform_line_id")


# ---- order lines --------------------------------------------------------------------------------

# Order-line fields copied as read, with no rule between them.
_ORDER_PLAIN = (
    "product_title", "quantity", "sku_code", "sku_spec", "platform_product_id", "platform_sku_id",
    "unit_price_fen", "paid_fen", "freight_fen", "discount_fen", "order_status", "aftersale_status",
    "free_shipping_threshold_fen", "waived_freight_fen",
    "created_at", "paid_at", "shipped_at", "completed_at", "buyer_name", "buyer_phone", "buyer_nick",
    "content_id", "author", "buyer_note", "merchant_note",
)  # fmt: skip


def build_order(row: Row, platform: str) -> OrderLineRecord:
    v = row.values
    line_id, derived = v["platform_line_id"], not v["platform_line_id"]
    # Without a sub-order id, a quantity read from 宝贝总数量 (the mapping's order_summary) counts the
    # whole order: the row is the order's summary, not one item.
    summary = derived and row.heading("quantity") in row.reader.summary_headings
    if summary:
        line_id = summary_line_id(v["platform_order_id"])
    elif derived:
        line_id = derive_line_id(
            v["platform_order_id"], v["platform_sku_id"] or v["sku_code"], v["product_title"]
        )
    goods = v["goods_fen"]
    if goods is None and v["unit_price_fen"] is not None:
        # Price × quantity is the line's goods amount. Not the reverse: a whole-order row (Taobao's
        # order list) may hold several items, so its goods amount ÷ quantity is no unit price.
        goods = v["unit_price_fen"] * v["quantity"]
    status = v["order_status"]
    code = row.mapping.lookup("order_status", status) if status else None
    if code == "closed" and v["paid_at"] is None and row.has_column("paid_at"):
        # Closed with its payment time empty: cancelled before it was paid (抖店 已关闭 after 超时未支付,
        # 千牛 交易关闭 before payment). No money moved, so it is as unpaid as 待支付 and not imported.
        code = "unpaid"
    return OrderLineRecord(
        platform=platform,
        row_number=row.number,
        platform_order_id=v["platform_order_id"],
        platform_line_id=line_id,
        line_id_derived=derived,
        order_summary=summary,
        goods_fen=goods,
        order_status_code=code,
        **{name: v[name] for name in _ORDER_PLAIN},
        **_place(v),
        **_shipping(v),
        **_channel(row),
    )


def _place(v: dict[str, Any]) -> dict[str, str]:
    place = {k: v[k] for k in ("province", "city", "district", "street", "address")}
    if not place["province"] and (parts := split_address(place["address"])):
        place["province"], place["city"], place["district"], place["address"] = parts
    return place


def _shipping(v: dict[str, Any]) -> dict[str, str]:
    tracking, carrier = v["tracking_no"], v["carrier"]
    if not tracking and v["logistics_info"]:
        tracking, from_info = split_logistics(v["logistics_info"])
        carrier = carrier or from_info
    return {"tracking_no": tracking, "carrier": carrier}


def _channel(row: Row) -> dict[str, Any]:
    raw = row["channel"]
    if row.is_true("live_room"):
        return {"channel": "live_stream", "channel_raw": raw or row.heading("live_room")}
    if not raw:
        return {"channel": None, "channel_raw": ""}
    return {"channel": row.mapping.classify(raw, row.mapping.channels) or "other", "channel_raw": raw}


# ---- cases --------------------------------------------------------------------------------------


def build_case(row: Row, platform: str) -> CaseRecord:
    v = row.values
    kind, kind_raw = _kind(row)
    status = row.mapping.lookup("case_status", v["status"])
    if status is None:
        raise row.fail("status", v["status"], "import.unknown_status", mapping_file=row.mapping.file_name)
    reason_raw = v["reason"]
    return CaseRecord(
        platform=platform,
        row_number=row.number,
        kind=kind,
        kind_raw=kind_raw,
        status=_adjust_status(row.mapping, status, v["return_tracking_no"], v["arbitration"]),
        status_raw=v["status"],
        status_also=row.mapping.lookup("case_status_also", v["status"]) or "",
        reason=(row.mapping.classify(reason_raw, row.mapping.reasons) or "other") if reason_raw else None,
        reason_raw=reason_raw,
        **{name: v[name] for name in _CASE_PLAIN},
    )


# Case fields copied as read, with no rule between them.
_CASE_PLAIN = (
    "platform_case_id", "platform_order_id", "platform_line_id", "buyer_note", "requested_amount_fen",
    "refund_amount_fen", "paid_fen", "refund_freight_fen", "refund_discount_fen", "requested_at",
    "deadline_at", "agreed_at", "return_shipped_at", "refunded_at", "closed_at", "return_tracking_no",
    "return_carrier", "return_logistics_status", "tracking_no", "goods_status", "arbitration",
    "refund_method", "product_title", "sku_code", "sku_spec", "platform_product_id", "platform_sku_id",
    "quantity", "buyer_nick", "merchant_note",
)  # fmt: skip


def _kind(row: Row) -> tuple[str, str]:
    """The case kind from the type column; else from 是否需要退货 (Taobao's classic refund report)."""
    mapping, raw = row.mapping, row["kind"]
    if raw:
        kind = mapping.lookup("case_kind", raw)
        if kind is None:
            raise row.fail("kind", raw, "import.unknown_kind", mapping_file=mapping.file_name)
    else:
        needs = row["needs_return"]
        kind = mapping.lookup("needs_return", needs) if needs else None
        if kind is None:
            field = "needs_return" if needs else "kind"
            code = "import.unknown_kind" if needs else "import.required_missing"
            raise row.fail(field, needs, code, mapping_file=mapping.file_name)
        raw = f"{row.heading('needs_return')}={needs}"
    scope = row["refund_scope"]
    if kind == "refund_only" and scope and mapping.lookup("refund_scope", scope) == "partial":
        kind = "partial_refund"  # 部分退款 without a return: the buyer keeps the goods
    return kind, raw


def _adjust_status(mapping: Mapping, status: str, return_tracking: str, arbitration: str) -> str:
    """What the status text alone does not say, read from the columns beside it.

    - the platform is handling the dispute (仲裁中 / 客服介入中) -> arbitration, unless already final;
    - waiting for the buyer's return, but a return tracking number exists -> the return is on its way;
    - rejected after the buyer had sent the goods back -> rejected_after_return.
    """
    if (
        arbitration
        and text_key(arbitration) in mapping.arbitration_active
        and status not in TERMINAL_STATUSES
    ):
        return "arbitration"
    if return_tracking and status == "awaiting_return":
        return "return_in_transit"
    if return_tracking and status == "rejected":
        return "rejected_after_return"
    return status
