"""Reads of the rollups: rates by any dimension over any period, trends, the heat map, reasons, content.

Every function takes the shop first and reads only its rows. A period is a pair of calendar days in
Asia/Shanghai, both included; it is answered from the fewest rollup rows (`domain.periods.plan`).
`basis` is "order" (a return counts on its order's day) or "case" (on the day the case was opened).
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from aftersales.analytics.domain import periods
from aftersales.analytics.domain.facts import BASES, BASIS_MEASURES, Cube, measure
from aftersales.analytics.domain.pareto import ParetoRow, pareto
from aftersales.analytics.domain.rates import Thresholds, Verdict, judge, rate_bp, wilson_lower_bp
from aftersales.analytics.models import AnalyticsSettings, Rollup
from aftersales.catalog.models import Category
from aftersales.core.errors import DomainError

#: dimension -> (the cubes that can answer it, smallest first; the key columns that name one row)
DIMENSIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sku": ((Cube.SKU,), ("sku_id", "product_id", "category_id")),
    "product": ((Cube.PRODUCT, Cube.SKU), ("product_id", "category_id")),
    "category": ((Cube.CATEGORY, Cube.PRODUCT, Cube.SKU), ("category_id",)),
    "platform": ((Cube.CHANNEL,), ("dim",)),
    "channel": ((Cube.CHANNEL,), ("dim2",)),
    "platform_channel": ((Cube.CHANNEL,), ("dim", "dim2")),
    "content": ((Cube.CONTENT, Cube.CONTENT_PRODUCT), ("dim", "dim2")),
    "content_product": ((Cube.CONTENT_PRODUCT,), ("dim", "dim2", "product_id", "category_id")),
    "province": ((Cube.PROVINCE, Cube.PROVINCE_CATEGORY), ("dim",)),
    "province_category": ((Cube.PROVINCE_CATEGORY,), ("dim", "category_id")),
    "reason": ((Cube.REASON, Cube.REASON_SKU), ("reason",)),
}
#: Filters each cube can apply (query parameter -> column).
FILTERS: dict[str, dict[str, str]] = {
    Cube.SKU: {"sku": "sku_id", "product": "product_id", "category": "category_id"},
    Cube.PRODUCT: {"product": "product_id", "category": "category_id"},
    Cube.CATEGORY: {"category": "category_id"},
    Cube.PROVINCE: {"province": "dim"},
    Cube.PROVINCE_CATEGORY: {"category": "category_id", "province": "dim"},
    Cube.CHANNEL: {"platform": "dim", "channel": "dim2"},
    Cube.CONTENT: {"content": "dim"},
    Cube.CONTENT_PRODUCT: {"content": "dim", "product": "product_id", "category": "category_id"},
    Cube.REASON: {"reason": "reason"},
    Cube.REASON_SKU: {
        "sku": "sku_id",
        "product": "product_id",
        "category": "category_id",
        "reason": "reason",
    },
}
#: Orders, cases and refunded orders are counted once per cube key. Summed over a coarser grouping they
#: would count an order once per line key (an order with two SKUs, two products...). They are exact when
#: these columns are grouped on or fixed by a filter (the rest are functions of them, or, like the
#: platform or the province, one value per order); otherwise they are left out (None).
DISTINCT_KEY: dict[str, frozenset[str]] = {
    Cube.SKU: frozenset({"sku_id"}),
    Cube.PRODUCT: frozenset({"product_id"}),
    Cube.CATEGORY: frozenset({"category_id"}),
    Cube.PROVINCE: frozenset(),
    Cube.PROVINCE_CATEGORY: frozenset({"category_id"}),
    Cube.CHANNEL: frozenset(),
    Cube.CONTENT: frozenset(),
    Cube.CONTENT_PRODUCT: frozenset({"product_id"}),
    Cube.REASON: frozenset({"reason"}),
    Cube.REASON_SKU: frozenset({"sku_id", "reason"}),
}
DISTINCT_MEASURES = frozenset({"orders", "return_cases", "refund_orders"})
ALL_MEASURES = ("sold_qty", "sold_fen", "orders", *BASIS_MEASURES)
RATE_MEASURES = ("sold_qty", "returned_qty")


def check_period(first: date, last: date) -> None:
    if first > last:
        raise DomainError("analytics.period_reversed", first=first.isoformat(), last=last.isoformat())
    if (last - first).days > 3700:
        raise DomainError("analytics.period_too_long", days=(last - first).days)


def check_basis(basis: str) -> str:
    if basis not in BASES:
        raise DomainError("input.invalid_choice", field="basis", value=str(basis))
    return basis


def _filter_columns(cube: str, filters: dict | None) -> dict:
    allowed = FILTERS[cube]
    out = {}
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if name not in allowed:
            raise DomainError("analytics.filter_not_supported", filter=name, cube=cube)
        out[allowed[name]] = value
    return out


def sums(
    shop_id: int,
    cube: str,
    first: date,
    last: date,
    *,
    group: tuple[str, ...] = (),
    measures: tuple[str, ...] = ALL_MEASURES,
    basis: str = "order",
    filters: dict | None = None,
    grain: str | None = None,
) -> list[dict]:
    """Sum `measures` (names without the basis suffix) of one cube over [first, last], grouped by `group`.

    With `grain`, rows carry "bucket": the start of their day, week or month. Distinct counts that the
    grouping would double are None (see `DISTINCT_KEY`).
    """
    check_period(first, last)
    check_basis(basis)
    keys = (*group, "grain", "start") if grain else group
    fixed = _filter_columns(cube, filters)
    rows = _fetch(shop_id, cube, periods.plan(first, last, grain), keys, measures, basis, fixed)
    if grain:
        rows = _by_bucket(rows, group, measures, grain)
    if not DISTINCT_KEY[cube] <= {*group, *fixed}:
        for row in rows:
            row.update({m: None for m in measures if m in DISTINCT_MEASURES})
    return rows


def _query(
    shop_id: int,
    cube: str,
    spans: list[periods.Span],
    keys: tuple[str, ...],
    measures: tuple[str, ...],
    basis: str,
    fixed: dict,
) -> list[tuple]:
    """One grouped query, written out and run straight through the cursor (thousands of rows, no ORM work
    per row): rows of key values then sums. Every column name comes from the fixed lists above, every
    value is a parameter."""
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datefield_value
    table = quote(Rollup._meta.db_table)
    where = ["shop_id = %s", "cube = %s"]
    params: list = [shop_id, cube]
    ranges = []
    for span in spans:
        ranges.append("(grain = %s AND start >= %s AND start <= %s)")
        params += [span.grain.value, adapt(span.first), adapt(span.last)]
    where.append("(" + " OR ".join(ranges or ["1 = 0"]) + ")")
    for column, value in fixed.items():
        where.append(f"{quote(column)} = %s")
        params.append(value)
    sums_sql = ", ".join(f"SUM({quote(measure(m, basis))})" for m in measures)
    sql = f"SELECT {', '.join([*map(quote, keys), sums_sql])} FROM {table} WHERE {' AND '.join(where)}"
    if keys:
        sql += f" GROUP BY {', '.join(map(quote, keys))}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fetch(
    shop_id: int,
    cube: str,
    spans: list[periods.Span],
    keys: tuple[str, ...],
    measures: tuple[str, ...],
    basis: str,
    fixed: dict,
) -> list[dict]:
    found = _query(shop_id, cube, spans, keys, measures, basis, fixed)
    names = (*keys, *measures)
    rows = [dict(zip(names, row, strict=True)) for row in found]
    if rows and not all(isinstance(rows[0][m], int) for m in measures):  # PostgreSQL: numeric; none: NULL
        for row in rows:
            for m in measures:
                row[m] = int(row[m] or 0)
    if "start" in keys and rows and isinstance(rows[0]["start"], str):  # SQLite keeps dates as text
        for row in rows:
            row["start"] = date.fromisoformat(row["start"])
    return rows


def _by_bucket(rows: list[dict], group: tuple[str, ...], measures: tuple[str, ...], grain: str) -> list[dict]:
    merged: dict[tuple, dict] = {}
    for row in rows:
        bucket = periods.bucket_start(grain, row["start"])
        key = (*(row[g] for g in group), bucket)
        acc = merged.get(key)
        if acc is None:
            merged[key] = {
                **{g: row[g] for g in group},
                "bucket": bucket,
                **{m: row[m] or 0 for m in measures},
            }
        else:
            for m in measures:
                acc[m] += row[m] or 0
    return sorted(merged.values(), key=lambda r: (r["bucket"], *(r[g] for g in group)))


# -- thresholds ---------------------------------------------------------------------------------


def shop_thresholds(shop_id: int) -> Thresholds:
    found = (
        AnalyticsSettings.objects.filter(shop_id=shop_id).values_list("good_rate_bp", "alert_rate_bp").first()
    )
    return Thresholds(*found) if found else Thresholds()


def category_thresholds(shop_id: int) -> tuple[Thresholds, dict[int, Thresholds]]:
    default = shop_thresholds(shop_id)
    rows = Category.objects.filter(shop_id=shop_id).values_list("pk", "good_rate_bp", "alert_rate_bp")
    return default, {pk: Thresholds.of(good, alert, default) for pk, good, alert in rows}


# -- rates --------------------------------------------------------------------------------------


class RateRow:
    """One key's returned and sold units, rate, lower bound and verdict. `key` is a dict of the key
    columns (built when asked for: a table of thousands of rows is mostly sorted and sliced)."""

    __slots__ = ("group", "values", "sold_qty", "returned_qty", "rate_bp", "lower_bp", "verdict")

    def __init__(
        self,
        group: tuple[str, ...],
        values: tuple,
        sold_qty: int,
        returned_qty: int,
        rate_bp: int | None,
        lower_bp: int | None,
        verdict: Verdict,
    ) -> None:
        self.group, self.values = group, values
        self.sold_qty, self.returned_qty = sold_qty, returned_qty
        self.rate_bp, self.lower_bp, self.verdict = rate_bp, lower_bp, verdict

    @property
    def key(self) -> dict:
        return dict(zip(self.group, self.values, strict=True))

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"RateRow({self.key}, {self.returned_qty}/{self.sold_qty})"


def _verdict(
    row: dict, default: Thresholds, by_category: dict[int, Thresholds], lower: int | None = None
) -> Verdict:
    thresholds = by_category.get(row.get("category_id") or 0, default)
    return judge(row["returned_qty"], row["sold_qty"], thresholds, lower)


def return_rates(
    shop_id: int, by: str, first: date, last: date, *, basis: str = "order", filters: dict | None = None
) -> list[RateRow]:
    """Returned ÷ sold units per `by` key, with the Wilson lower bound and the verdict; highest bound first.

    Reads only columns the covering index holds. For `by="reason"` the whole is the units sold in the
    filtered scope (a reason's share of the return rate).
    """
    cube, group = _dimension(by, filters)
    check_period(first, last)
    check_basis(basis)
    found = _query(
        shop_id, cube, periods.plan(first, last), group, RATE_MEASURES, basis, _filter_columns(cube, filters)
    )
    whole = scope_sold(shop_id, first, last, filters)["sold_qty"] if by == "reason" else None
    default, by_category = category_thresholds(shop_id)
    at = group.index("category_id") if "category_id" in group else None
    n = len(group)
    out = []
    for row in found:
        sold = int(row[n] or 0) if whole is None else whole
        returned = int(row[n + 1] or 0)
        if sold or returned:
            lower = wilson_lower_bp(returned, sold)
            thresholds = default if at is None else by_category.get(row[at], default)
            out.append(
                RateRow(
                    group,
                    row[:n],
                    sold,
                    returned,
                    rate_bp(returned, sold),
                    lower,
                    judge(returned, sold, thresholds, lower),
                )
            )
    out.sort(key=lambda r: (-(r.lower_bp or 0), -r.returned_qty, r.values))
    return out


def scope_sold(shop_id: int, first: date, last: date, filters: dict | None) -> dict[str, int]:
    """Units, paid amount and orders in the scope a reason filter names (a SKU, a product, a category,
    or the whole shop)."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "") and k != "reason"}
    cube = scope_cube(filters)
    return sums(shop_id, cube, first, last, measures=("sold_qty", "sold_fen", "orders"), filters=filters)[0]


def _dimension(by: str, filters: dict | None = None) -> tuple[str, tuple[str, ...]]:
    """The smallest cube that can answer `by` under `filters`, and its key columns."""
    try:
        cubes, group = DIMENSIONS[by]
    except KeyError:
        raise DomainError("input.invalid_choice", field="by", value=str(by)) from None
    present = {k for k, v in (filters or {}).items() if v not in (None, "")}
    for cube in cubes:
        if present <= FILTERS[cube].keys():
            return cube, group
    raise DomainError("analytics.filter_not_supported", filter=",".join(sorted(present)), cube=by)


def with_rates(row: dict) -> dict:
    """Add the derived figures to a row of summed measures."""
    sold, returned = row.get("sold_qty", 0), row.get("returned_qty", 0)
    cost = sum(row.get(m, 0) for m in ("refund_fen", "freight_fen", "writeoff_fen", "compensation_fen"))
    return {
        **row,
        "return_rate_bp": rate_bp(returned, sold),
        "return_lower_bp": wilson_lower_bp(returned, sold),
        "refund_order_rate_bp": None
        if row.get("orders") is None or row.get("refund_orders") is None
        else rate_bp(row["refund_orders"], row["orders"]),
        "refund_amount_rate_bp": rate_bp(row.get("refund_fen", 0), row.get("sold_fen", 0)),
        "cost_fen": cost,
        "cost_share_bp": rate_bp(cost, row.get("sold_fen", 0)),
    }


def breakdown(
    shop_id: int, by: str, first: date, last: date, *, basis: str = "order", filters: dict | None = None
) -> list[dict]:
    """Every measure per `by` key with the return rate, refund rates and cost; highest lower bound first."""
    cube, group = _dimension(by, filters)
    rows = sums(shop_id, cube, first, last, group=group, basis=basis, filters=filters)
    if by == "reason":
        sold = scope_sold(shop_id, first, last, filters)
        for row in rows:
            row["sold_qty"] = sold["sold_qty"]
    default, by_category = category_thresholds(shop_id)
    out = []
    for row in rows:
        if not any(row[m] for m in ALL_MEASURES):
            continue
        row = with_rates(row)
        row["verdict"] = _verdict(row, default, by_category).value
        out.append(row)
    out.sort(
        key=lambda r: (-(r["return_lower_bp"] or 0), -r["returned_qty"], tuple(str(r[g]) for g in group))
    )
    return out


def trend(
    shop_id: int, grain: str, first: date, last: date, *, basis: str = "order", filters: dict | None = None
) -> list[dict]:
    """One row per day, week or month of [first, last] (empty buckets included), with rates."""
    grain = periods.GRAIN_NAMES.get(grain, grain)
    if grain not in {g.value for g in periods.Grain}:
        raise DomainError("input.invalid_choice", field="grain", value=str(grain))
    cube = scope_cube(filters or {})
    rows = {
        r["bucket"]: r for r in sums(shop_id, cube, first, last, basis=basis, filters=filters, grain=grain)
    }
    out = []
    for bucket in periods.series_buckets(first, last, grain):
        row = rows.get(bucket) or {"bucket": bucket, **{m: 0 for m in ALL_MEASURES}}
        out.append(with_rates(row))
    return out


#: Cubes from the fewest rows to the most: the first that can apply every filter answers a scope.
SMALLEST_FIRST = (
    Cube.CHANNEL,
    Cube.CATEGORY,
    Cube.PROVINCE,
    Cube.PRODUCT,
    Cube.PROVINCE_CATEGORY,
    Cube.CONTENT,
    Cube.SKU,
    Cube.CONTENT_PRODUCT,
)


def scope_cube(filters: dict) -> str:
    """The smallest cube that can apply all of `filters` (the whole shop: the channel cube)."""
    present = {k for k, v in filters.items() if v not in (None, "")}
    for cube in SMALLEST_FIRST:
        if present <= FILTERS[cube].keys():
            return cube
    raise DomainError("analytics.filter_not_supported", filter=",".join(sorted(present)), cube="trend")


def heatmap(shop_id: int, first: date, last: date, *, basis: str = "order") -> list[RateRow]:
    """Province × category: returned ÷ sold units of each cell."""
    return return_rates(shop_id, "province_category", first, last, basis=basis)


def reasons(
    shop_id: int, first: date, last: date, *, basis: str = "order", filters: dict | None = None
) -> list[ParetoRow]:
    """Pareto of returned units by reason (optionally of one SKU, product or category)."""
    cube, _ = _dimension("reason", filters)
    rows = sums(
        shop_id,
        cube,
        first,
        last,
        group=("reason",),
        measures=("returned_qty",),
        basis=basis,
        filters=filters,
    )
    return pareto((r["reason"], r["returned_qty"]) for r in rows)


def reasons_by_product(
    shop_id: int,
    first: date,
    last: date,
    *,
    basis: str = "order",
    limit: int = 10,
    filters: dict | None = None,
) -> list[tuple[int, int, list[ParetoRow]]]:
    """For the products with the most returned units: (product id, returned units, Pareto of reasons)."""
    rows = sums(
        shop_id,
        Cube.REASON_SKU,
        first,
        last,
        group=("product_id", "reason"),
        measures=("returned_qty",),
        basis=basis,
        filters=filters,
    )
    by_product: dict[int, list[tuple[str, int]]] = {}
    for row in rows:
        by_product.setdefault(row["product_id"], []).append((row["reason"], row["returned_qty"]))
    ranked = sorted(by_product.items(), key=lambda kv: (-sum(c for _, c in kv[1]), kv[0]))
    out = []
    for product_id, counts in ranked[:limit]:
        total = sum(c for _, c in counts)
        if total > 0:
            out.append((product_id, total, pareto(counts)))
    return out
