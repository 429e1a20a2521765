"""The data the dashboard's ECharts draw, with the link behind every point (the cases it counts)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext

from aftersales.analytics.domain import periods
from aftersales.analytics.figures import Params, Table


def _pct(bp: int | None) -> float | None:
    return None if bp is None else bp / 100


def _cases_url(p: Params, **filters) -> str:
    values = {
        "first": p.first.isoformat(),
        "last": p.last.isoformat(),
        "basis": p.basis,
        **p.filters,
        **filters,
    }
    return (
        reverse("analytics:cases") + "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})
    )


def _bucket_end(grain: str, start) -> object:
    if grain == "day":
        return start
    if grain == "week":
        return start + timedelta(days=6)
    return periods.month_end(start)


def trend_chart(table: Table, p: Params, grain: str) -> dict:
    labels, sold, rate, lower, refund, urls = [], [], [], [], [], []
    for row in table.rows:
        start = row["bucket"]
        first, last = max(start, p.first), min(_bucket_end(grain, start), p.last)
        labels.append(start.isoformat())
        sold.append(row["sold_qty"])
        rate.append(_pct(row["return_rate_bp"]))
        lower.append(_pct(row["return_lower_bp"]))
        refund.append(_pct(row["refund_amount_rate_bp"]))
        urls.append(_cases_url(Params(first, last, p.basis, p.filters)))
    return {
        "labels": labels,
        "sold": sold,
        "rate": rate,
        "lower": lower,
        "refund": refund,
        "urls": urls,
        "t": {
            "sold": gettext("Units sold"),
            "rate": gettext("Return rate"),
            "lower": gettext("Return rate, at least"),
            "refund": gettext("Refunded amount rate"),
        },
    }


def pareto_chart(table: Table, p: Params) -> dict:
    return {
        "labels": [r["reason"] for r in table.rows],
        "counts": [r["returned_qty"] for r in table.rows],
        "cumulative": [_pct(r["cumulative_bp"]) for r in table.rows],
        "urls": [_cases_url(p, **d) for d in table.drill],
        "t": {"count": gettext("Units returned"), "cumulative": gettext("Cumulative share")},
    }


def heatmap_chart(table: Table, p: Params) -> dict:
    provinces = sorted({r["province"] for r in table.rows})
    categories = sorted({r["category"] for r in table.rows})
    cells, urls = [], {}
    for row, drill in zip(table.rows, table.drill, strict=True):
        x, y = categories.index(row["category"]), provinces.index(row["province"])
        cells.append(
            [
                x,
                y,
                _pct(row["return_rate_bp"]),
                row["sold_qty"],
                row["returned_qty"],
                _pct(row["return_lower_bp"]),
            ]
        )
        urls[f"{x},{y}"] = _cases_url(p, **drill)
    top = max((c[2] or 0 for c in cells), default=0)
    return {
        "provinces": provinces,
        "categories": categories,
        "cells": cells,
        "urls": urls,
        "max": max(top, 10),
        "t": {
            "rate": gettext("Return rate"),
            "sold": gettext("Units sold"),
            "returned": gettext("Units returned"),
            "lower": gettext("Return rate, at least"),
        },
    }


def bar_chart(table: Table, p: Params, label_key: str) -> dict:
    return {
        "labels": [r[label_key] for r in table.rows],
        "rate": [_pct(r["return_rate_bp"]) for r in table.rows],
        "refund": [_pct(r["refund_order_rate_bp"]) for r in table.rows],
        "urls": [_cases_url(p, **d) for d in table.drill],
        "t": {"rate": gettext("Return rate"), "refund": gettext("Refunded orders rate")},
    }


def dashboard_charts(tables: dict[str, Table], p: Params, wide: Params, grain: str) -> dict:
    return {
        "trend": trend_chart(tables["trend"], p, grain),
        "pareto": pareto_chart(tables["reasons"], p),
        "heatmap": heatmap_chart(tables["heatmap"], wide),
        "channels": bar_chart(tables["channels"], wide, "channel"),
    }
