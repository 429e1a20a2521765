"""Every figure as one table — columns with labels and kinds, rows of plain values.

The same table is answered as JSON by the API, drawn by the dashboard, and written as CSV or XLSX.
Values stay exact: money in integer fen, rates in basis points; only the edge formats them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.analytics import causes, selectors
from aftersales.analytics.labels import Labeler
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.web import labels as page_labels

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # text, int, fen, bp, date, bool


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[dict]
    drill: list[dict] = field(default_factory=list)  # per row: the filters of the cases behind it


@dataclass(frozen=True)
class Params:
    first: date
    last: date
    basis: str = "order"
    filters: dict = field(default_factory=dict)

    @classmethod
    def of(cls, first: date | None, last: date | None, basis: str | None, filters: dict | None) -> Params:
        last = selectors.check_day(last, "last") if last else clock.shanghai_date(clock.now())
        first = selectors.check_day(first, "first") if first else last - timedelta(days=DEFAULT_DAYS - 1)
        basis = selectors.check_basis(basis or "order")
        selectors.check_period(first, last)
        return cls(first, last, basis, {k: v for k, v in (filters or {}).items() if v not in (None, "")})


KEY_COLUMNS: dict[str, list[Column]] = {
    "sku": [
        Column("sku", _("SKU"), "text"),
        Column("product", _("Product"), "text"),
        Column("category", _("Category"), "text"),
    ],
    "product": [Column("product", _("Product"), "text"), Column("category", _("Category"), "text")],
    "category": [Column("category", _("Category"), "text")],
    "platform": [Column("platform", _("Platform"), "text")],
    "channel": [Column("channel", _("Channel"), "text")],
    "content": [Column("content", _("Video or live session"), "text"), Column("author", _("Author"), "text")],
    "content_product": [
        Column("content", _("Video or live session"), "text"),
        Column("author", _("Author"), "text"),
        Column("product", _("Product"), "text"),
    ],
    "province": [Column("province", _("Province"), "text")],
    "province_category": [
        Column("province", _("Province"), "text"),
        Column("category", _("Category"), "text"),
    ],
    "reason": [Column("reason", _("Reason"), "text")],
}
#: The filters that lead from a row of each dimension to the cases behind it.
DRILL_KEYS: dict[str, dict[str, str]] = {
    "sku": {"sku_id": "sku"},
    "product": {"product_id": "product"},
    "category": {"category_id": "category"},
    "platform": {"dim": "platform"},
    "channel": {"dim2": "channel"},
    "content": {"dim": "content"},
    "content_product": {"dim": "content", "product_id": "product"},
    "province": {"dim": "province"},
    "province_category": {"dim": "province", "category_id": "category"},
    "reason": {"reason": "reason"},
}
RATE_COLUMNS = [
    Column("sold_qty", _("Units sold")),
    Column("returned_qty", _("Units returned")),
    Column("return_rate_bp", _("Return rate"), "bp"),
    Column("return_lower_bp", _("Return rate, at least"), "bp"),
    Column("verdict", _("Verdict"), "verdict"),
]
REFUND_COLUMNS = [
    Column("orders", _("Orders")),
    Column("refund_orders", _("Refunded orders")),
    Column("refund_order_rate_bp", _("Refunded orders rate"), "bp"),
    Column("sold_fen", _("Paid"), "fen"),
    Column("refund_fen", _("Refunded"), "fen"),
    Column("refund_amount_rate_bp", _("Refunded amount rate"), "bp"),
]
COST_COLUMNS = [
    Column("refund_fen", _("Refunds"), "fen"),
    Column("freight_fen", _("Freight"), "fen"),
    Column("writeoff_fen", _("Written off"), "fen"),
    Column("compensation_fen", _("Compensation"), "fen"),
    Column("cost_fen", _("Cost of returns"), "fen"),
    Column("cost_share_bp", _("Share of sales"), "bp"),
]


def _key_values(by: str, row: dict, names: Labeler) -> dict:
    sku, product, category = row.get("sku_id"), row.get("product_id"), row.get("category_id")
    values = {
        "sku": names.sku(sku) if sku is not None else None,
        "product": names.product(product) if product is not None else None,
        "category": names.category(category) if category is not None else None,
    }
    if by in ("platform",):
        values["platform"] = names.platform(row["dim"])
    if by == "channel":
        values["channel"] = names.channel(row["dim2"])
    if by in ("content", "content_product"):
        values["content"], values["author"] = row["dim"] or "—", row["dim2"]
    if by in ("province", "province_category"):
        values["province"] = row["dim"] or str(_("Unknown"))
    if by == "reason":
        values["reason"] = names.reason(row["reason"])
    return {c.key: values.get(c.key) for c in KEY_COLUMNS[by]}


def _drill(by: str, row: dict) -> dict:
    return {name: row[column] for column, name in DRILL_KEYS[by].items()}


def rates(shop_id: int, p: Params, by: str = "sku", limit: int | None = None) -> Table:
    rows = selectors.breakdown(shop_id, by, p.first, p.last, basis=p.basis, filters=p.filters)[:limit]
    names = Labeler(shop_id, rows)
    out = [
        {**_key_values(by, r, names), **{c.key: r[c.key] for c in RATE_COLUMNS + REFUND_COLUMNS}}
        for r in rows
    ]
    return Table(
        f"rates-{by}", KEY_COLUMNS[by] + RATE_COLUMNS + REFUND_COLUMNS, out, [_drill(by, r) for r in rows]
    )


def trend(shop_id: int, p: Params, grain: str = "week") -> Table:
    rows = selectors.trend(shop_id, grain, p.first, p.last, basis=p.basis, filters=p.filters)
    columns = [Column("bucket", pgettext_lazy("period", "From"), "date"), *RATE_COLUMNS[:4], *REFUND_COLUMNS]
    return Table(f"trend-{grain}", columns, [{c.key: r[c.key] for c in columns} for r in rows])


def heatmap(shop_id: int, p: Params) -> Table:
    rows = selectors.heatmap(shop_id, p.first, p.last, basis=p.basis)
    names = Labeler(shop_id, [r.key for r in rows])
    out, drill = [], []
    for r in rows:
        out.append(
            {
                "province": r.key["dim"] or str(_("Unknown")),
                "category": names.category(r.key["category_id"]),
                "category_id": r.key["category_id"],
                "sold_qty": r.sold_qty,
                "returned_qty": r.returned_qty,
                "return_rate_bp": r.rate_bp,
                "return_lower_bp": r.lower_bp,
                "verdict": r.verdict.value,
            }
        )
        drill.append(_drill("province_category", r.key))
    columns = KEY_COLUMNS["province_category"] + RATE_COLUMNS
    return Table("heatmap", columns, out, drill)


PARETO_COLUMNS = [
    Column("returned_qty", _("Units returned")),
    Column("share_bp", _("Share"), "bp"),
    Column("cumulative_bp", _("Cumulative share"), "bp"),
    Column("vital", _("Vital few"), "bool"),
]


def reasons(shop_id: int, p: Params) -> Table:
    rows = selectors.reasons(shop_id, p.first, p.last, basis=p.basis, filters=p.filters)
    names = Labeler(shop_id, [])
    out = [
        {
            "reason": names.reason(r.key),
            "returned_qty": r.count,
            "share_bp": r.share_bp,
            "cumulative_bp": r.cumulative_bp,
            "vital": r.vital,
        }
        for r in rows
    ]
    return Table(
        "reasons",
        [Column("reason", _("Reason"), "text"), *PARETO_COLUMNS],
        out,
        [{"reason": r.key} for r in rows],
    )


def reasons_by_product(shop_id: int, p: Params, limit: int = 10) -> Table:
    found = selectors.reasons_by_product(
        shop_id, p.first, p.last, basis=p.basis, limit=limit, filters=p.filters
    )
    names = Labeler(shop_id, [{"product_id": pid} for pid, _total, _rows in found])
    out, drill = [], []
    for product_id, _total, rows in found:
        for r in rows:
            out.append(
                {
                    "product": names.product(product_id),
                    "reason": names.reason(r.key),
                    "returned_qty": r.count,
                    "share_bp": r.share_bp,
                    "cumulative_bp": r.cumulative_bp,
                    "vital": r.vital,
                }
            )
            drill.append({"product": product_id, "reason": r.key})
    columns = [
        Column("product", _("Product"), "text"),
        Column("reason", _("Reason"), "text"),
        *PARETO_COLUMNS,
    ]
    return Table("reasons-by-product", columns, out, drill)


def content(shop_id: int, p: Params, min_sold: int = 10, limit: int = 50) -> Table:
    found = causes.content_report(shop_id, p.first, p.last, basis=p.basis, min_sold=min_sold, limit=limit)
    names = Labeler(shop_id, [{"product_id": r.figures.product_id} for r in found])
    out, drill = [], []
    for r in found:
        f = r.figures
        out.append(
            {
                "content": f.content_id,
                "author": f.author,
                "product": names.product(f.product_id),
                "sold_qty": f.sold,
                "returned_qty": f.returned,
                "return_rate_bp": f.rate_bp,
                "return_lower_bp": f.lower_bp,
                "baseline_bp": f.baseline_bp,
                "excess_returns": round(f.excess_returns),
                "flagged": f.flagged,
                "top_reasons": page_labels.join(f"{names.reason(code)} {units}" for code, units in r.top_reasons),
            }
        )
        drill.append({"content": f.content_id, "product": f.product_id})
    columns = [
        *KEY_COLUMNS["content_product"],
        Column("sold_qty", _("Units sold")),
        Column("returned_qty", _("Units returned")),
        Column("return_rate_bp", _("Return rate"), "bp"),
        Column("return_lower_bp", _("Return rate, at least"), "bp"),
        Column("baseline_bp", _("Same product elsewhere"), "bp"),
        Column("excess_returns", _("Returns above usual")),
        Column("flagged", _("Returned more than usual"), "bool"),
        Column("top_reasons", _("Main reasons"), "text"),
    ]
    return Table("content", columns, out, drill)


def buyers(shop_id: int, p: Params, limit: int = 50) -> Table:
    from aftersales.analytics.labels import signal_text

    found = causes.buyer_report(shop_id, p.first, p.last, limit=limit)
    names = Labeler(shop_id, [])
    out = []
    for r in found:
        b, f = r.buyer, r.figures
        out.append(
            {
                "buyer": str(b),
                "platform": names.platform(b.platform),
                "province": b.province,
                "phone": b.masked_phone,
                "units_bought": f.units_bought,
                "units_returned": f.units_returned,
                "return_rate_bp": selectors.rate_bp(f.units_returned, f.units_bought),
                "cases": f.cases,
                "signals": "；".join(signal_text(s) for s in r.signals),
            }
        )
    columns = [
        Column("buyer", _("Buyer"), "text"),
        Column("platform", _("Platform"), "text"),
        Column("province", _("Province"), "text"),
        Column("phone", _("Phone"), "text"),
        Column("units_bought", _("Units bought")),
        Column("units_returned", _("Units returned")),
        Column("return_rate_bp", _("Return rate"), "bp"),
        Column("cases", _("Return cases")),
        Column("signals", _("Why this buyer is listed"), "text"),
    ]
    return Table("buyers", columns, out, [{"buyer": r.buyer.pk} for r in found])


def costs(shop_id: int, p: Params, by: str = "product", limit: int | None = None) -> Table:
    rows = causes.costs(shop_id, by, p.first, p.last, basis=p.basis, filters=p.filters)[:limit]
    names = Labeler(shop_id, rows)
    columns = [
        *KEY_COLUMNS[by],
        Column("returned_qty", _("Units returned")),
        Column("sold_fen", _("Paid"), "fen"),
        *COST_COLUMNS,
    ]
    out = [
        {**_key_values(by, r, names), **{c.key: r[c.key] for c in columns[len(KEY_COLUMNS[by]) :]}}
        for r in rows
    ]
    return Table(f"costs-{by}", columns, out, [_drill(by, r) for r in rows])


FIGURES = ("rates", "trend", "heatmap", "reasons", "reasons-by-product", "content", "buyers", "costs")


def build(figure: str, shop_id: int, p: Params, *, by: str | None = None, grain: str | None = None) -> Table:
    """One figure by name (the API, the exports and the dashboard all come through here)."""
    if figure == "rates":
        return rates(shop_id, p, by or "sku")
    if figure == "trend":
        return trend(shop_id, p, grain or "week")
    if figure == "heatmap":
        return heatmap(shop_id, p)
    if figure == "reasons":
        return reasons(shop_id, p)
    if figure == "reasons-by-product":
        return reasons_by_product(shop_id, p)
    if figure == "content":
        return content(shop_id, p)
    if figure == "buyers":
        return buyers(shop_id, p)
    if figure == "costs":
        return costs(shop_id, p, by or "product")
    raise DomainError("input.invalid_choice", field="figure", value=str(figure))
