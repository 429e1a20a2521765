"""Reads of the rollups: rates by any dimension over any period, trends, the heat map, reasons, content.

Every function takes the shop first and reads only its rows. A period is a pair of calendar days in
Asia/Shanghai, both included; it is answered from the fewest rollup rows: a series from rows that add
up bucket by bucket (`domain.periods.plan`), a total per key from rows added or subtracted
(`domain.periods.cover`: 23 August to 20 November is September to November less 21 to 30 November,
plus 23 to 31 August).
`basis` is "order" (a return counts on its order's day) or "case" (on the day the case was opened).
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from aftersales.analytics.domain import periods
from aftersales.analytics.domain.facts import BASES, BASIS_MEASURES, Cube, measure
from aftersales.analytics.domain.pareto import ParetoRow, pareto
from aftersales.analytics.domain.rates import BP, Thresholds, Verdict, judge, rate_bp, wilson_lower_bp
from aftersales.analytics.models import AnalyticsSettings, Rollup
from aftersales.catalog.models import Category
from aftersales.core import clock
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


#: The calendar the figures cover (the years input may have anywhere: `core.clock`).
FIRST_DAY, LAST_DAY = date(clock.FIRST_YEAR, 1, 1), date(clock.LAST_YEAR, 12, 31)


def check_day(day: date, field: str) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError("analytics.day_out_of_range", field=field, value=day.isoformat(),
                          first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
    return day


def check_period(first: date, last: date) -> None:
    check_day(first, "first")
    check_day(last, "last")
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
    nonzero: bool = False,
) -> list[dict]:
    """Sum `measures` (names without the basis suffix) of one cube over [first, last], grouped by `group`.

    With `grain`, rows carry "bucket": the start of their day, week or month. Distinct counts that the
    grouping would double are None (see `DISTINCT_KEY`).

    A grouped total lists every key with a row in the period, unless `nonzero`: then keys whose
    measures all add up to zero are left out, which lets the period be read from the fewest rows,
    subtracting some (`periods.cover`). A total of everything (no `group`) is always one row.
    """
    check_period(first, last)
    check_basis(basis)
    keys = (*group, "grain", "start") if grain else group
    fixed = _filter_columns(cube, filters)
    signed = not grain and (nonzero or not group)
    spans = periods.cover(first, last) if signed else periods.plan(first, last, grain)
    rows = _fetch(shop_id, cube, spans, keys, measures, basis, fixed, nonzero=signed)
    if grain:
        rows = _by_bucket(rows, group, measures, grain)
    elif nonzero and group:
        rows = [row for row in rows if any(row[m] for m in measures)]
    if not DISTINCT_KEY[cube] <= {*group, *fixed}:
        for row in rows:
            row.update({m: None for m in measures if m in DISTINCT_MEASURES})
    return rows


def _query(
    shop_id: int,
    cube: str,
    spans: list[periods.Span] | tuple[periods.Span, ...],
    keys: tuple[str, ...],
    measures: tuple[str, ...],
    basis: str,
    fixed: dict,
    nonzero: bool = False,
) -> list[tuple]:
    """One grouped query, written out and run straight through the cursor (thousands of rows, no ORM work
    per row): rows of key values then sums. Every column name comes from the fixed lists above, every
    value is a parameter.

    Each span is one arm of a UNION ALL — an index range `shop_id, cube, grain, start` whose rows the
    covering index holds — read with its sign (subtracted spans negate their measures). With `nonzero`,
    rows whose measures are all zero (a day with only returns counted on the other date basis, say) are
    dropped before grouping: they add nothing, but would make a key with nothing in the period a row."""
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datefield_value
    table = quote(Rollup._meta.db_table)
    columns = [quote(measure(m, basis)) for m in measures]
    head = ", ".join(map(quote, keys))
    where = "shop_id = %s AND cube = %s AND grain = %s AND start >= %s AND start <= %s"
    for column in fixed:
        where += f" AND {quote(column)} = %s"
    if nonzero:
        where += " AND (" + " OR ".join(f"{c} <> 0" for c in columns) + ")"
    arms, params = [], []
    for span in spans:
        values = columns if span.sign > 0 else [f"-{c}" for c in columns]
        names = [f"{v} AS m{i}" for i, v in enumerate(values)]
        arms.append(f"SELECT {', '.join([*map(quote, keys), *names])} FROM {table} WHERE {where}")
        params += [shop_id, cube, span.grain.value, adapt(span.first), adapt(span.last), *fixed.values()]
    if not arms:  # no days: no rows, or one row of nothing
        zeros = [f"0 AS m{i}" for i in range(len(columns))]
        arms.append(f"SELECT {', '.join([*map(quote, keys), *zeros])} FROM {table} WHERE 1 = 0")
    # bigint: PostgreSQL would sum bigints as numeric, and the driver make each a Decimal
    sums_sql = ", ".join(f"CAST(SUM(m{i}) AS BIGINT)" for i in range(len(columns)))
    sql = f"SELECT {', '.join([head, sums_sql]) if keys else sums_sql} FROM ({' UNION ALL '.join(arms)}) AS r"
    if keys:
        sql += f" GROUP BY {head}"
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
    nonzero: bool = False,
) -> list[dict]:
    found = _query(shop_id, cube, spans, keys, measures, basis, fixed, nonzero)
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


def category_thresholds(shop_id: int) -> tuple[Thresholds, dict[int, Thresholds]]:
    """The shop's thresholds, and each category's (its own, or the shop's). One query: it runs with
    every rate table."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT 1, 0, good_rate_bp, alert_rate_bp FROM {quote(AnalyticsSettings._meta.db_table)} "
        f"WHERE shop_id = %s UNION ALL "
        f"SELECT 0, {quote(Category._meta.pk.column)}, good_rate_bp, alert_rate_bp "
        f"FROM {quote(Category._meta.db_table)} WHERE shop_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [shop_id, shop_id])
        rows = cursor.fetchall()
    default = next((Thresholds(good, alert) for shop, _, good, alert in rows if shop), Thresholds())
    return default, {pk: Thresholds.of(good, alert, default) for shop, pk, good, alert in rows if not shop}


# -- rates --------------------------------------------------------------------------------------


class RateRow:
    """One key's returned and sold units, rate, lower bound and verdict. `values` are the key columns'
    values in `group`'s order; `key` is them as a dict, and `rate_bp` the rate, both worked out when
    asked for (a table of thousands of rows is mostly ranked and sliced; the bound ranks it)."""

    __slots__ = ("group", "values", "sold_qty", "returned_qty", "lower_bp", "verdict")

    def __init__(
        self,
        group: tuple[str, ...],
        values: tuple,
        sold_qty: int,
        returned_qty: int,
        lower_bp: int | None,
        verdict: Verdict,
    ) -> None:
        self.group, self.values = group, values
        self.sold_qty, self.returned_qty = sold_qty, returned_qty
        self.lower_bp, self.verdict = lower_bp, verdict

    @property
    def rate_bp(self) -> int | None:
        return rate_bp(self.returned_qty, self.sold_qty)

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

    Reads only columns the covering index holds, from the fewest rows (`periods.cover`: keys read only
    to be subtracted add up to nothing and are left out, as are keys with nothing in the period). For
    `by="reason"` the whole is the units sold in the filtered scope (a reason's share of the return
    rate), and every reason with a row in the period is listed, so the period is read without
    subtracting.
    """
    cube, group = _dimension(by, filters)
    check_period(first, last)
    check_basis(basis)
    nonzero = by != "reason"  # keys with nothing are left out: read the fewest rows, none empty
    spans = periods.cover(first, last) if nonzero else periods.plan(first, last)
    found = _query(shop_id, cube, spans, group, RATE_MEASURES, basis, _filter_columns(cube, filters), nonzero)
    n = len(group)
    if found and not (type(found[0][n]) is int and type(found[0][n + 1]) is int):  # PostgreSQL: numeric
        found = [(*row[:n], int(row[n] or 0), int(row[n + 1] or 0)) for row in found]
    default, by_category = category_thresholds(shop_id)
    at = group.index("category_id") if "category_id" in group else None
    if by == "reason":
        whole = scope_sold(shop_id, first, last, filters)["sold_qty"]
        out = [_rate_row(group, row[:n], whole, row[n + 1], default) for row in found if whole or row[n + 1]]
        out.sort(key=lambda r: (-(r.lower_bp or 0), -r.returned_qty, r.values))
        return out
    found.sort()  # by key (the GROUP BY's order on SQLite, nearly free): ties in rank keep it
    out, ranks = [], []
    lower_bp, no_data = wilson_lower_bp, Verdict.NO_DATA
    attention, good, watch = Verdict.ATTENTION, Verdict.GOOD, Verdict.WATCH
    for row in found:
        sold, returned = row[n], row[n + 1]
        if not (sold or returned):
            continue
        values = row[:n]
        # judge(), written out: it runs for every row of every rate table.
        if sold > 0:
            lower = lower_bp(returned, sold)
            t = default if at is None else by_category.get(values[at], default)
            if lower >= t.alert_bp:
                verdict = attention
            elif returned * BP <= t.good_bp * sold:
                verdict = good
            else:
                verdict = watch
            # highest bound first, then most returned: one integer (|returned| < 2**63, a bigint)
            ranks.append(-(lower << 64) - returned)
        else:  # returns of goods sold before the period, none sold in it
            lower, verdict = None, no_data
            ranks.append(-returned)
        out.append(RateRow(group, values, sold, returned, lower, verdict))
    return [out[i] for i in sorted(range(len(out)), key=ranks.__getitem__)]


def _rate_row(
    group: tuple[str, ...], values: tuple, sold: int, returned: int, thresholds: Thresholds
) -> RateRow:
    lower = wilson_lower_bp(returned, sold)
    return RateRow(group, values, sold, returned, lower, judge(returned, sold, thresholds, lower))


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
    # Rows with nothing are left out below; a reason is listed with the scope's sales whatever it adds.
    rows = sums(shop_id, cube, first, last, group=group, basis=basis, filters=filters, nonzero=by != "reason")
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
        nonzero=True,  # the Pareto drops zero counts
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
        nonzero=True,  # a product with nothing returned is never listed
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
