"""What one order adds to the rollups: pure, so that a full rebuild and every incremental change agree.

An order's facts (its lines, and every after-sale case on it) map to *contributions*: for each cube
key and day, a vector of measures. The rollup tables hold the sum of all orders' contributions per
day, week and month. When anything about an order changes, its contribution is computed again and
only the difference is added; a rebuild adds every order's contribution from nothing. Both use
`contributions`, so they cannot disagree.

Definitions:

* **Sold quantity** — units of the order's lines that are not gifts, on the day the order was paid
  (Asia/Shanghai). **Paid amount** — what was paid for those lines plus the outbound freight, shared
  over them by what was paid for each.
* **Returned quantity** — units in after-sale cases that take the goods back or refund them
  (`refund_only`, `return_refund`, `exchange`; not `reship`, `repair`, `partial_refund`,
  `price_protection`, where the buyer keeps the goods) and that are not `closed`, `rejected` or
  `rejected_after_return` (a refused or withdrawn request is not a return; a resubmitted one counts
  again). Gift lines are left out on both sides. A return counts on the order's day (`_o` measures)
  or on the day the case was opened (`_c` measures).
* **Refunded orders / amount** — every refund granted (the decision, not the bank transfer), on
  any case of the order whatever its kind or status, shared over the case's lines by what was paid
  for them. An order counts as refunded in a key once, when any of its refunds reaches that key.
* **Costs** — refunds; freight (outbound freight refunded: the part of a case's refund above what was
  paid for its goods; plus the return freight when the merchant pays it, estimated per parcel that
  came back); goods written off at inspection; compensation. Shared over a case's lines by quantity
  (money by what was paid).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from math import lcm

from aftersales.analytics.domain.periods import buckets_of
from aftersales.analytics.domain.regions import normalise_province
from aftersales.core.money import allocate

FACTS_VERSION = 1

#: Kinds of case that take the goods back or refund them: their units are returns.
COUNTED_KINDS = frozenset({"refund_only", "return_refund", "exchange"})
#: A case in one of these statuses is not (or no longer) a return.
UNCOUNTED_STATUSES = frozenset({"closed", "rejected", "rejected_after_return"})


def is_counted(kind: str, status: str) -> bool:
    return kind in COUNTED_KINDS and status not in UNCOUNTED_STATUSES


MEASURES: tuple[str, ...] = (
    "sold_qty",
    "sold_fen",
    "orders",
    "returned_qty_o",
    "return_cases_o",
    "refund_orders_o",
    "refund_fen_o",
    "writeoff_fen_o",
    "freight_fen_o",
    "compensation_fen_o",
    "returned_qty_c",
    "return_cases_c",
    "refund_orders_c",
    "refund_fen_c",
    "writeoff_fen_c",
    "freight_fen_c",
    "compensation_fen_c",
)
M = {name: i for i, name in enumerate(MEASURES)}
N_MEASURES = len(MEASURES)
#: Measures that exist once per date basis; `_o` on the order's day, `_c` on the case's day.
BASIS_MEASURES = (
    "returned_qty",
    "return_cases",
    "refund_orders",
    "refund_fen",
    "writeoff_fen",
    "freight_fen",
    "compensation_fen",
)
BASES = ("order", "case")


def measure(name: str, basis: str) -> str:
    """'returned_qty', 'case' -> 'returned_qty_c'; sales measures have no basis."""
    if name in BASIS_MEASURES:
        return f"{name}_{'o' if basis == 'order' else 'c'}"
    return name


class Cube:
    SKU = "sku"  # sku, product, category
    PRODUCT = "product"  # product, category
    CATEGORY = "cat"  # category
    PROVINCE = "prov"  # province (dim)
    PROVINCE_CATEGORY = "provcat"  # category × province (dim)
    CHANNEL = "chan"  # platform (dim) × channel (dim2)
    CONTENT = "content"  # content id (dim) × author (dim2)
    CONTENT_PRODUCT = "contprod"  # product, category × content id (dim) × author (dim2)
    REASON = "reason"  # reason: returns and their costs only
    REASON_SKU = "rsku"  # sku, product, category × reason: returns and their costs only


ALL_CUBES = (
    Cube.SKU,
    Cube.PRODUCT,
    Cube.CATEGORY,
    Cube.PROVINCE,
    Cube.PROVINCE_CATEGORY,
    Cube.CHANNEL,
    Cube.CONTENT,
    Cube.CONTENT_PRODUCT,
    Cube.REASON,
    Cube.REASON_SKU,
)

#: (cube, sku_id, product_id, category_id, dim, dim2, reason)
Key = tuple[str, int, int, int, str, str, str]
#: (cube, day, sku_id, product_id, category_id, dim, dim2, reason)
DayKey = tuple[str, date, int, int, int, str, str, str]


@dataclass(frozen=True, slots=True)
class LineFact:
    line_id: int
    sku_id: int  # 0: not matched to a SKU of the catalogue
    product_id: int
    category_id: int
    quantity: int
    paid_fen: int
    is_gift: bool = False


@dataclass(frozen=True, slots=True)
class CaseFact:
    case_id: int
    day: date  # the day the case was opened (Asia/Shanghai)
    kind: str
    status: str
    reason: str
    lines: tuple[tuple[int, int], ...]  # (order line id, quantity)
    refund_fen: int = 0  # granted
    writeoff_fen: int = 0
    return_freight_fen: int = 0  # merchant-paid return freight (estimate), 0 when the buyer pays
    compensation_fen: int = 0

    @property
    def counted(self) -> bool:
        return is_counted(self.kind, self.status)


@dataclass(frozen=True, slots=True)
class OrderFact:
    order_id: int
    day: date  # the day the order was paid (Asia/Shanghai)
    platform: str
    channel: str
    content_id: str
    author: str
    province: str
    freight_fen: int
    lines: tuple[LineFact, ...]
    cases: tuple[CaseFact, ...] = ()


def _line_keys(order: OrderFact, line: LineFact, province: str) -> list[Key]:
    sku, product, category = line.sku_id, line.product_id, line.category_id
    keys: list[Key] = [
        (Cube.SKU, sku, product, category, "", "", ""),
        (Cube.PRODUCT, 0, product, category, "", "", ""),
        (Cube.CATEGORY, 0, 0, category, "", "", ""),
        (Cube.PROVINCE, 0, 0, 0, province, "", ""),
        (Cube.PROVINCE_CATEGORY, 0, 0, category, province, "", ""),
        (Cube.CHANNEL, 0, 0, 0, order.platform, order.channel, ""),
    ]
    if order.content_id:
        keys.append((Cube.CONTENT, 0, 0, 0, order.content_id, order.author, ""))
        keys.append((Cube.CONTENT_PRODUCT, 0, product, category, order.content_id, order.author, ""))
    return keys


def _paid_weights(parts: list[tuple[LineFact, int]]) -> list[int]:
    """Integer weights proportional to what was paid for `quantity` units of each line."""
    denominator = lcm(*(line.quantity for line, _ in parts)) if parts else 1
    return [line.paid_fen * quantity * (denominator // line.quantity) for line, quantity in parts]


class _Acc:
    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: dict[DayKey, list[int]] = {}

    def add(self, key: Key, day: date, index: int, value: int) -> None:
        if not value:
            return
        day_key = (key[0], day, *key[1:])
        row = self.rows.get(day_key)
        if row is None:
            row = self.rows[day_key] = [0] * N_MEASURES
        row[index] += value


def contributions(order: OrderFact) -> dict[DayKey, list[int]]:
    """Everything `order` adds to the rollups, per cube key and day (zero rows left out)."""
    acc = _Acc()
    province = normalise_province(order.province)
    lines = {line.line_id: line for line in order.lines}
    keys_of = {line.line_id: _line_keys(order, line, province) for line in order.lines}
    sold = [line for line in order.lines if not line.is_gift and line.quantity > 0]
    freight = allocate(order.freight_fen, [line.paid_fen for line in sold]) if sold else []
    order_keys: set[Key] = set()
    for line, freight_part in zip(sold, freight, strict=True):
        for key in keys_of[line.line_id]:
            acc.add(key, order.day, M["sold_qty"], line.quantity)
            acc.add(key, order.day, M["sold_fen"], line.paid_fen + freight_part)
            order_keys.add(key)
    for key in order_keys:
        acc.add(key, order.day, M["orders"], 1)

    first_refund_day: dict[Key, date] = {}
    for case in order.cases:
        parts = [(lines[line_id], qty) for line_id, qty in case.lines if line_id in lines and qty > 0]
        if not parts:
            continue
        by_reason: Key = (Cube.REASON, 0, 0, 0, "", "", case.reason)
        case_keys = {
            line.line_id: [
                *keys_of[line.line_id],
                by_reason,
                (Cube.REASON_SKU, line.sku_id, line.product_id, line.category_id, "", "", case.reason),
            ]
            for line, _ in parts
        }
        if case.counted:
            counted_keys: set[Key] = set()
            for line, qty in parts:
                if line.is_gift:
                    continue
                for key in case_keys[line.line_id]:
                    acc.add(key, order.day, M["returned_qty_o"], qty)
                    acc.add(key, case.day, M["returned_qty_c"], qty)
                    counted_keys.add(key)
            for key in counted_keys:
                acc.add(key, order.day, M["return_cases_o"], 1)
                acc.add(key, case.day, M["return_cases_c"], 1)
        _add_money(acc, order, case, parts, case_keys, first_refund_day)
    for key, day in first_refund_day.items():
        acc.add(key, order.day, M["refund_orders_o"], 1)
        acc.add(key, day, M["refund_orders_c"], 1)
    return acc.rows


def _add_money(
    acc: _Acc,
    order: OrderFact,
    case: CaseFact,
    parts: list[tuple[LineFact, int]],
    case_keys: dict[int, list[Key]],
    first_refund_day: dict[Key, date],
) -> None:
    paid_weights = _paid_weights(parts)
    qty_weights = [qty for _, qty in parts]
    goods_share = sum(line.paid_fen * qty // line.quantity for line, qty in parts)
    outbound_freight = max(0, case.refund_fen - goods_share)
    amounts = (
        ("refund_fen", allocate(case.refund_fen, paid_weights)),
        ("writeoff_fen", allocate(case.writeoff_fen, qty_weights)),
        ("freight_fen", allocate(outbound_freight + case.return_freight_fen, qty_weights)),
        ("compensation_fen", allocate(case.compensation_fen, paid_weights)),
    )
    for name, shares in amounts:
        for (line, _), share in zip(parts, shares, strict=True):
            for key in case_keys[line.line_id]:
                acc.add(key, order.day, M[f"{name}_o"], share)
                acc.add(key, case.day, M[f"{name}_c"], share)
                if name == "refund_fen" and share > 0:
                    known = first_refund_day.get(key)
                    if known is None or case.day < known:
                        first_refund_day[key] = case.day


def total(orders: Iterable[OrderFact]) -> dict[DayKey, list[int]]:
    """The sum of many orders' contributions (what a rebuild writes, before grains)."""
    out: dict[DayKey, list[int]] = {}
    for order in orders:
        for key, row in contributions(order).items():
            acc = out.get(key)
            if acc is None:
                out[key] = list(row)
            else:
                for i, value in enumerate(row):
                    acc[i] += value
    return out


def difference(new: dict[DayKey, list[int]], old: dict[DayKey, list[int]]) -> dict[DayKey, list[int]]:
    """new − old, zero rows left out."""
    out: dict[DayKey, list[int]] = {}
    for key in new.keys() | old.keys():
        a, b = new.get(key), old.get(key)
        if a is None:
            row = [-v for v in b]
        elif b is None:
            row = list(a)
        else:
            row = [x - y for x, y in zip(a, b, strict=True)]
        if any(row):
            out[key] = row
    return out


#: (cube, grain, start, sku_id, product_id, category_id, dim, dim2, reason)
RowKey = tuple[str, str, date, int, int, int, str, str, str]


def by_grain(rows: dict[DayKey, list[int]]) -> dict[RowKey, list[int]]:
    """Day contributions added into their day, week and month rows (zero rows left out)."""
    out: dict[RowKey, list[int]] = {}
    for (cube, day, *rest), values in rows.items():
        for grain, start in buckets_of(day):
            key = (cube, grain.value, start, *rest)
            acc = out.get(key)
            if acc is None:
                out[key] = list(values)
            else:
                for i, value in enumerate(values):
                    acc[i] += value
    return {k: v for k, v in out.items() if any(v)}


# -- storage of the facts an order's rollup contribution was last computed from ---------------------


def dumps(order: OrderFact) -> dict:
    return {
        "v": FACTS_VERSION,
        "d": order.day.isoformat(),
        "p": order.platform,
        "ch": order.channel,
        "ci": order.content_id,
        "au": order.author,
        "pr": order.province,
        "f": order.freight_fen,
        "l": [
            [x.line_id, x.sku_id, x.product_id, x.category_id, x.quantity, x.paid_fen, int(x.is_gift)]
            for x in order.lines
        ],
        "c": [
            [
                c.case_id,
                c.day.isoformat(),
                c.kind,
                c.status,
                c.reason,
                [list(p) for p in c.lines],
                c.refund_fen,
                c.writeoff_fen,
                c.return_freight_fen,
                c.compensation_fen,
            ]
            for c in order.cases
        ],
    }


def loads(order_id: int, data: dict | str | None) -> OrderFact | None:
    if not data:
        return None
    if isinstance(data, str):
        data = json.loads(data)
    return OrderFact(
        order_id=order_id,
        day=date.fromisoformat(data["d"]),
        platform=data["p"],
        channel=data["ch"],
        content_id=data["ci"],
        author=data["au"],
        province=data["pr"],
        freight_fen=data["f"],
        lines=tuple(LineFact(a, b, c, d, e, f, bool(g)) for a, b, c, d, e, f, g in data["l"]),
        cases=tuple(
            CaseFact(
                c[0],
                date.fromisoformat(c[1]),
                c[2],
                c[3],
                c[4],
                tuple(tuple(p) for p in c[5]),
                c[6],
                c[7],
                c[8],
                c[9],
            )
            for c in data["c"]
        ),
    )
