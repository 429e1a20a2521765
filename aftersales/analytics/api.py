"""Analytics API: every figure of the dashboard as JSON, CSV or XLSX (`?format=`), alerts, settings.

Figures take the period (`first`, `last`: Asia/Shanghai days, both included; default the last 90
days), the `basis` ("order": a return counts on its order's date; "case": on its case's date) and
filters. Money is in integer fen, rates in basis points (1234 = 12.34%).
"""

# No `from __future__ import annotations` here: django-ninja reads the annotations at import time.
from dataclasses import asdict

from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.analytics import exports, figures, services
from aftersales.analytics.buyer_says import what_buyers_say
from aftersales.analytics.drill import cases_behind
from aftersales.analytics.labels import alert_text
from aftersales.analytics.models import Alert
from aftersales.analytics.schemas import (
    AlertOut,
    CaseRowOut,
    EvaluationOut,
    FigureOut,
    FigureQuery,
    Format,
    SettingsIn,
    SettingsOut,
    ThresholdsIn,
    ThresholdsOut,
    WordsQuery,
)
from aftersales.analytics.selectors import DIMENSIONS, category_thresholds
from aftersales.api_auth import require_role
from aftersales.api_paging import Page
from aftersales.catalog.models import Category
from aftersales.core.errors import DomainError

router = Router(tags=["analytics"])
READERS = ("owner", "agent")


def _figure(request, name: str, q: FigureQuery, **kwargs):
    require_role(request, *READERS)
    params = figures.Params.of(q.first, q.last, q.basis.value, q.filters())
    table = figures.build(name, request.shop.pk, params, **kwargs)
    if q.format != Format.JSON:
        return exports.response(table, q.format.value, params.first, params.last)
    return {
        "figure": table.name,
        "first": params.first,
        "last": params.last,
        "basis": params.basis,
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns],
        "rows": table.rows,
        "drill": table.drill,
    }


def _by(by: str) -> str:
    if by not in DIMENSIONS:
        raise DomainError("input.invalid_choice", field="by", value=by)
    return by


@router.get("/rates", response=FigureOut)
def rates(request, by: str = "sku", q: Query[FigureQuery] = None):
    """Return rate (returned ÷ sold units, with its Wilson lower bound and verdict) and refund rates
    (refunded ÷ paid orders, refunded ÷ paid amount) by sku, product, category, platform, channel,
    content, content_product, province, province_category or reason."""
    return _figure(request, "rates", q, by=_by(by))


@router.get("/trend", response=FigureOut)
def trend(request, grain: str = "week", q: Query[FigureQuery] = None):
    """The same rates per day, week (Monday to Sunday) or month, of the shop or of the filtered scope."""
    return _figure(request, "trend", q, grain=grain)


@router.get("/heatmap", response=FigureOut)
def heatmap(request, q: Query[FigureQuery] = None):
    """Province × category return rates."""
    return _figure(request, "heatmap", q)


@router.get("/reasons", response=FigureOut)
def reasons(request, q: Query[FigureQuery] = None):
    """Pareto of the reasons behind returned units (of the shop, or of one SKU, product or category)."""
    return _figure(request, "reasons", q)


@router.get("/reasons/by-product", response=FigureOut)
def reasons_by_product(request, q: Query[FigureQuery] = None):
    """Pareto of reasons for each of the ten products with the most returned units."""
    return _figure(request, "reasons-by-product", q)


@router.get("/words", response=dict)
def words(request, q: Query[WordsQuery] = None):
    """What buyers say: the product-cause themes of the period with their counts, trend (first half →
    second half) and up to three quotes (phones and names masked); the reasons buyers picked beside the
    reasons in their words, with the mismatches; the same by product and by category (ten each)."""
    require_role(request, *READERS)
    params = figures.Params.of(q.first, q.last, "order", {})
    says = what_buyers_say(request.shop.pk, params.first, params.last, category_id=q.category,
                           product_id=q.product)
    return asdict(says)


@router.get("/content", response=FigureOut)
def content(request, q: Query[FigureQuery] = None):
    """Products bought from a video or live session and returned more than the same product elsewhere."""
    return _figure(request, "content", q)


@router.get("/buyers", response=FigureOut)
def buyers(request, q: Query[FigureQuery] = None):
    """Buyers with unusually many returns, each with the signals that list them (phone masked)."""
    return _figure(request, "buyers", q)


@router.get("/costs", response=FigureOut)
def costs(request, by: str = "product", q: Query[FigureQuery] = None):
    """Cost of returns: refunds, freight both ways, goods written off, compensation."""
    return _figure(request, "costs", q, by=_by(by))


@router.get("/cases", response=list[CaseRowOut])
@paginate(Page)
def cases(request, what: str = "returns", q: Query[FigureQuery] = None):
    """The cases behind a figure: pass a row's `drill` filters with the figure's period and basis."""
    require_role(request, *READERS)
    params = figures.Params.of(q.first, q.last, q.basis.value, q.filters())
    return cases_behind(
        request.shop.pk, params.first, params.last, basis=params.basis, what=what, filters=params.filters
    )


def _alert_out(alert: Alert) -> dict:
    fields = {f: getattr(alert, f) for f in AlertOut.model_fields if f != "explanation"}
    return {**fields, "explanation": alert_text(alert)}


@router.get("/alerts", response=list[AlertOut])
@paginate(Page)
def alerts(request, status: str | None = "open"):
    """Stored alerts, newest first (`status`: open, acknowledged, resolved; empty for all)."""
    require_role(request, *READERS)
    qs = Alert.objects.filter(shop=request.shop)
    if status:
        qs = qs.filter(status=status)
    return [_alert_out(a) for a in qs.order_by("-created_at", "-pk")[:500]]


@router.post("/alerts/evaluate", response=EvaluationOut)
def evaluate(request):
    """Evaluate the alerts now (they are also evaluated every hour)."""
    require_role(request, *READERS)
    result = services.evaluate_alerts(request.shop)
    return {"opened": result.opened, "updated": result.updated, "resolved": result.resolved}


@router.post("/alerts/{int:alert_id}/acknowledge", response=AlertOut)
def acknowledge(request, alert_id: int):
    require_role(request, *READERS)
    return _alert_out(services.acknowledge_alert(request.shop, alert_id))


@router.get("/settings", response=SettingsOut)
def get_settings(request):
    require_role(request, *READERS)
    return services.settings_of(request.shop)


@router.put("/settings", response=SettingsOut)
def put_settings(request, payload: SettingsIn):
    require_role(request, "owner")
    return services.update_settings(request.shop, **payload.model_dump())


def _thresholds(shop_id: int) -> list[dict]:
    default, by_category = category_thresholds(shop_id)
    return [
        {
            "category_id": c.pk,
            "name": c.name,
            "good_rate_bp": c.good_rate_bp,
            "alert_rate_bp": c.alert_rate_bp,
            "effective_good_rate_bp": by_category.get(c.pk, default).good_bp,
            "effective_alert_rate_bp": by_category.get(c.pk, default).alert_bp,
        }
        for c in Category.objects.filter(shop_id=shop_id).order_by("name", "pk")
    ]


@router.get("/thresholds", response=list[ThresholdsOut])
def thresholds(request):
    """Each category's return-rate thresholds (basis points) and the ones in effect."""
    require_role(request, *READERS)
    return _thresholds(request.shop.pk)


@router.put("/thresholds/{int:category_id}", response=ThresholdsOut)
def put_thresholds(request, category_id: int, payload: ThresholdsIn):
    """Set a category's own thresholds; null falls back to the shop's."""
    require_role(request, "owner")
    services.set_category_thresholds(
        request.shop, category_id, good_rate_bp=payload.good_rate_bp, alert_rate_bp=payload.alert_rate_bp
    )
    return next(t for t in _thresholds(request.shop.pk) if t["category_id"] == category_id)
