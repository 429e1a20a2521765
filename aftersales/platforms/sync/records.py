"""Cases pulled from an open API, written through the same path as the export files.

A connector gives each case as canonical field texts (`CaseItem`); they are read here by the very
mapping files and record builders of the file import (platform codes → canonical kinds, statuses and
reasons in one place: `mappings/<platform>_cases.toml`), then the order lines go through `OrderWriter`
and the case through `CaseWriter`. Pulled and imported cases are therefore one path: raw values kept,
the platform's deadline stored, a case seen again updated only when something changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.analytics import rollups
from aftersales.orders.models import Order
from aftersales.platforms.case_writer import CaseWriter
from aftersales.platforms.connectors.base import CaseItem
from aftersales.platforms.importing import CaseRecord, OrderLineRecord, load_mapping, resolve_platform
from aftersales.platforms.importing.extract import BadRow, Row, RowReader
from aftersales.platforms.importing.mapping import Mapping
from aftersales.platforms.importing.parse import build_case, build_order
from aftersales.platforms.order_writer import OrderWriter
from aftersales.platforms.report import Report, entry_of
from aftersales.platforms.sync.models import SyncedCase
from aftersales.platforms.writing import UNCHANGED, Columns, Tally

_READERS: dict[tuple[str, str, tuple[str, ...]], RowReader] = {}
#: A store's order call: the order's lines in the orders mapping's texts, or None when it is unknown.
FetchOrder = Callable[[str], "list[dict[str, str]] | None"]


def row_of(mapping: Mapping, number: int, values: dict[str, str]) -> Row:
    """A Row as if read from an export whose columns are exactly the fields given (empty ones left out)."""
    names = tuple(n for n, v in values.items() if v != "" and n in mapping.fields)
    key = (mapping.platform, mapping.kind, names)
    reader = _READERS.get(key)
    if reader is None:
        headings = [mapping.fields[n].headings[0] for n in names]
        reader = _READERS[key] = RowReader(mapping, {n: (i,) for i, n in enumerate(names)}, headings)
    return reader.read(number, [values[n] for n in names])


@dataclass
class Written:
    tally: Tally = field(default_factory=Tally)
    report: Report = field(default_factory=Report)

    @property
    def errors(self) -> list[dict]:
        return [e for e in self.report.entries if e.get("level") == "error"]


def order_records(platform: str, items: list[CaseItem], report: Report) -> list[OrderLineRecord]:
    recorded, _ = resolve_platform(platform)
    mapping = load_mapping(platform, "orders")
    records = []
    for number, item in enumerate(items, start=1):
        for values in item.order_lines:
            try:
                records.append(build_order(row_of(mapping, number, values), recorded))
            except BadRow as exc:
                report.add(entry_of(exc.error))
    return records


def case_records(platform: str, items: list[CaseItem], report: Report) -> list[CaseRecord]:
    recorded, _ = resolve_platform(platform)
    mapping = load_mapping(platform, "cases")
    records = []
    for number, item in enumerate(items, start=1):
        try:
            record = build_case(row_of(mapping, number, item.case_fields), recorded)
        except BadRow as exc:
            report.add(entry_of(exc.error))
            continue
        if record.quantity is None:
            record.quantity = item.quantity
        record.platform_sku_id = record.platform_sku_id or item.platform_sku_id
        records.append(record)
    return records


def write_items(shop: Shop, platform: str, items: list[CaseItem], *, source: str = "api",
                connection_id: int | None = None, force: bool = False, fetch_order: FetchOrder | None = None) -> Written:
    """Write the orders, then the cases, of pulled items; each case in its own transaction.

    With a connection, a case the platform answers exactly as when it was last written is skipped
    (counted as unchanged), and what was written is remembered: overlapping windows cost one query per page.
    `force` writes them all the same (after a push: the local case may have moved since).
    `fetch_order` (the store's order call): a case for an order the shop does not have yet brings the
    whole order — every line, the buyer, the freight — instead of the lines its after-sale names.
    """
    written = Written()
    recorded, _ = resolve_platform(platform)
    if connection_id is not None and not force:
        items = _not_yet_written(connection_id, items, written.tally)
    if not items:
        return written
    if fetch_order is not None:
        _with_orders(shop, recorded, items, fetch_order)
    with transaction.atomic():  # the page: its orders, its cases, the analytics and what is remembered
        orders = OrderWriter(shop, recorded, written.report, Columns(None, load_mapping(platform, "orders")),
                             refresh_rollups=False)
        for record in order_records(platform, items, written.report):
            orders.add(record)
        orders.flush()
        cases = CaseWriter(shop, recorded, written.report, Columns(None, load_mapping(platform, "cases")),
                           file_name=source)
        for record in case_records(platform, items, written.report):
            cases.add(record)
        cases.flush()
        # The analytics of the orders written: those whose case was written were brought up to date
        # by its events (cases/subscribers.py: the order and its case in one go); these are the others.
        rollups.refresh_orders(shop.pk, [pk for pk in orders.touched_orders if pk not in cases.orders_written])
        written.tally.merge(cases.tally)
        if connection_id is not None:
            _remember(connection_id, items, {e.get("row") for e in written.errors})
    return written


def _with_orders(shop: Shop, recorded: str, items: list[CaseItem], fetch_order: FetchOrder) -> None:
    """Give the items of orders the shop does not have yet their whole order, from the order call."""
    wanted = {item.platform_order_id for item in items}
    known = set(Order.objects.filter(shop=shop, platform=recorded, platform_order_id__in=wanted)
                .values_list("platform_order_id", flat=True))
    fetched: dict[str, list[dict[str, str]] | None] = {}
    for order_id in sorted(wanted - known):
        fetched[order_id] = fetch_order(order_id)
    for item in items:
        lines = fetched.get(item.platform_order_id)
        if lines:
            item.order_lines = lines


def write_orders(shop: Shop, platform: str, orders: list[list[dict[str, str]]]) -> Written:
    """Write orders as their order call answered them (`aftersales sync --order`), through OrderWriter."""
    written = Written()
    recorded, _ = resolve_platform(platform)
    mapping = load_mapping(platform, "orders")
    writer = OrderWriter(shop, recorded, written.report, Columns(None, mapping))
    for number, lines in enumerate(orders, start=1):
        for values in lines:
            try:
                writer.add(build_order(row_of(mapping, number, values), recorded))
            except BadRow as exc:
                written.report.add(entry_of(exc.error))
    writer.flush()
    return written


def fingerprint(item: CaseItem) -> str:
    return hashlib.sha1(json.dumps(item.raw, sort_keys=True, default=str).encode()).hexdigest()


def _not_yet_written(connection_id: int, items: list[CaseItem], tally: Tally) -> list[CaseItem]:
    known = dict(SyncedCase.objects.filter(connection_id=connection_id,
                                           platform_case_id__in=[i.platform_case_id for i in items])
                 .values_list("platform_case_id", "fingerprint"))
    fresh = [i for i in items if known.get(i.platform_case_id) != fingerprint(i)]
    tally.row(UNCHANGED, len(items) - len(fresh))
    return fresh


def _remember(connection_id: int, items: list[CaseItem], failed_rows: set) -> None:
    """Items are numbered from 1 in the order and case records (their "row"): a failed one is not kept."""
    rows = [SyncedCase(connection_id=connection_id, platform_case_id=item.platform_case_id,
                       platform_updated_at=item.updated_at, fingerprint=fingerprint(item))
            for number, item in enumerate(items, start=1) if number not in failed_rows]
    SyncedCase.objects.bulk_create(rows, update_conflicts=True, unique_fields=["connection", "platform_case_id"],
                                   update_fields=["platform_updated_at", "fingerprint"])
