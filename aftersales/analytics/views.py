"""The analytics pages: the dashboard, the cases behind any figure, exports, alerts and thresholds.

Owners and agents of the current shop only (the console's `staff_view` resolves the shop from the
session among the user's own memberships). Every query is filtered by that shop.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.analytics import exports, figures, services
from aftersales.analytics.buyer_says import what_buyers_say
from aftersales.analytics.charts import dashboard_charts
from aftersales.analytics.domain.facts import Cube
from aftersales.analytics.domain.rates import BP
from aftersales.analytics.drill import FILTER_NAMES, WHAT, cases_behind
from aftersales.analytics.labels import BASIS, GRAIN, alert_text, filter_chips
from aftersales.analytics.models import Alert
from aftersales.analytics.selectors import category_thresholds, sums, with_rates
from aftersales.catalog.models import Category, Product
from aftersales.core.errors import DomainError
from aftersales.web.access import CONSOLE_ROLES, OWNER, staff_view
from aftersales.web.errors import error_text

PAGE_SIZE = 50
TOP = 20


class PeriodForm(forms.Form):
    first = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    basis = forms.ChoiceField(required=False, label=_("Count a return"), choices=list(BASIS.items()))
    grain = forms.ChoiceField(required=False, label=_("Trend by"), choices=list(GRAIN.items()))
    category = forms.TypedChoiceField(required=False, label=_("Category"), coerce=int, empty_value=None)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (str(c.pk), c.name) for c in categories
        ]


def _params(request: HttpRequest, extra_filters: dict | None = None) -> figures.Params:
    """The period, basis and filters of a page's query string; bad values fall back to the defaults."""
    get = request.GET
    try:
        first = date.fromisoformat(get["first"]) if get.get("first") else None
        last = date.fromisoformat(get["last"]) if get.get("last") else None
    except ValueError:
        first = last = None
    filters = {name: get.get(name)[:64] for name in FILTER_NAMES if get.get(name)}
    for name, value in list(filters.items()):
        numeric = name in ("sku", "product", "category")
        if (
            numeric and not (value.isascii() and value.isdigit() and len(value) < 19)
        ) or not value.isprintable():
            filters.pop(name)
        elif numeric:
            filters[name] = int(value)
    try:
        return figures.Params.of(
            first, last, get.get("basis") or "order", {**filters, **(extra_filters or {})}
        )
    except DomainError as exc:  # say why, then show the default period rather than nothing
        messages.error(request, error_text(exc))
        return figures.Params.of(None, None, "order", {})


def _query(p: figures.Params, **more) -> str:
    values = {"first": p.first.isoformat(), "last": p.last.isoformat(), "basis": p.basis, **p.filters, **more}
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _drill_urls(table: figures.Table, p: figures.Params, what: str = "returns") -> list[str]:
    base = reverse("analytics:cases")
    scope = {k: v for k, v in p.filters.items()}
    return [f"{base}?{_query(p, **{**scope, **d}, what=what)}" for d in table.drill]


def _only(filters: dict, *names: str) -> dict:
    return {k: v for k, v in filters.items() if k in names}


@staff_view(*CONSOLE_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    shop_id = staff.shop.pk
    categories = list(Category.objects.filter(shop=staff.shop).order_by("name"))
    p = _params(request)
    category = p.filters.get("category")
    p = figures.Params(p.first, p.last, p.basis, {"category": category} if category else {})
    grain = request.GET.get("grain") if request.GET.get("grain") in GRAIN else "week"
    form = PeriodForm(
        initial={"first": p.first, "last": p.last, "basis": p.basis, "grain": grain, "category": category},
        categories=categories,
    )
    cat_only = _only(p.filters, "category")
    wide = figures.Params(p.first, p.last, p.basis, {})
    total = with_rates(
        sums(
            shop_id,
            Cube.CATEGORY if category else Cube.CHANNEL,
            p.first,
            p.last,
            basis=p.basis,
            filters=cat_only,
        )[0]
    )
    tables = {
        "trend": figures.trend(shop_id, p, grain),
        "skus": figures.rates(shop_id, p, "sku", limit=TOP),
        "categories": figures.rates(shop_id, wide, "category"),
        "channels": figures.rates(shop_id, wide, "channel"),
        "platforms": figures.rates(shop_id, wide, "platform"),
        "provinces": figures.rates(shop_id, p, "province", limit=TOP),
        "reasons": figures.reasons(shop_id, p),
        "reasons_by_product": figures.reasons_by_product(shop_id, p, limit=5),
        "content": figures.content(shop_id, p, limit=TOP),
        "buyers": figures.buyers(shop_id, wide, limit=TOP),
        "costs": figures.costs(shop_id, p, "category" if not category else "product", limit=TOP),
        "heatmap": figures.heatmap(shop_id, wide),
    }
    drills = {
        name: _drill_urls(
            t,
            wide if name in ("categories", "channels", "platforms", "heatmap", "buyers") else p,
            "costs" if name == "costs" else "returns",
        )
        for name, t in tables.items()
        if name != "trend"
    }
    alerts = list(
        Alert.objects.filter(
            shop=staff.shop, status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED]
        ).order_by("status", "-updated_at")[:30]
    )
    default, by_category = category_thresholds(shop_id)
    context = {
        "nav": "analytics",
        "staff": staff,
        "form": form,
        "p": p,
        "grain": grain,
        "total": total,
        "tables": tables,
        "drills": drills,
        "query": _query(p),
        "wide_query": _query(wide),
        "alerts": [(a, alert_text(a)) for a in alerts],
        "charts": dashboard_charts(tables, p, wide, grain),
        "thresholds": [(c, by_category.get(c.pk, default)) for c in categories],
        "default_thresholds": default,
        "is_owner": staff.role == OWNER,
        "basis_label": BASIS[p.basis],
    }
    return render(request, "analytics/dashboard.html", context)


class WordsForm(PeriodForm):
    """The period and the category of "what buyers say" (a return's basis and a trend grain mean nothing here)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["basis"], self.fields["grain"]


@staff_view(*CONSOLE_ROLES)
def words(request: HttpRequest) -> HttpResponse:
    """What buyers say, of the shop or of one category or product: themes with quotes and trend, and the
    reasons they picked beside the reasons in their words, by product and by category."""
    staff = request.staff
    categories = list(Category.objects.filter(shop=staff.shop).order_by("name"))
    p = _params(request)
    category, product = p.filters.get("category"), p.filters.get("product")
    says = what_buyers_say(staff.shop.pk, p.first, p.last, category_id=category, product_id=product)
    scope_name = ""
    if product:
        scope_name = Product.objects.filter(shop=staff.shop, pk=product).values_list("title", flat=True).first() or ""
    elif category:
        scope_name = next((c.name for c in categories if c.pk == category), "")
    form = WordsForm(initial={"first": p.first, "last": p.last, "category": category}, categories=categories)
    scope = figures.Params(p.first, p.last, p.basis, {"category": category} if category else {})
    context = {"nav": "analytics", "says": says, "form": form, "product": product or "",
               "scope_name": scope_name, "query": _query(scope)}
    return render(request, "analytics/words.html", context)


@staff_view(*CONSOLE_ROLES)
def cases(request: HttpRequest) -> HttpResponse:
    """The cases behind a figure, inside the current shop."""
    p = _params(request)
    what = request.GET.get("what") if request.GET.get("what") in WHAT else "returns"
    try:
        qs = cases_behind(request.staff.shop.pk, p.first, p.last, basis=p.basis, what=what, filters=p.filters)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("analytics:dashboard")
    page = Paginator(qs.select_related("order", "buyer"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "analytics",
        "staff": request.staff,
        "page": page,
        "p": p,
        "what": what,
        "query": _query(p, what=what),
        "basis_label": BASIS[p.basis],
        "filters": filter_chips(request.staff.shop.pk, p.filters),
    }
    return render(request, "analytics/cases.html", context)


@staff_view(*CONSOLE_ROLES)
def export(request: HttpRequest, figure: str, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS or figure not in figures.FIGURES:
        raise Http404
    p = _params(request)
    by = request.GET.get("by") or None
    grain = request.GET.get("grain") or None
    try:
        table = figures.build(figure, request.staff.shop.pk, p, by=by, grain=grain)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("analytics:dashboard")
    return exports.response(table, fmt, p.first, p.last)


@require_POST
@staff_view(*CONSOLE_ROLES)
def evaluate(request: HttpRequest) -> HttpResponse:
    result = services.evaluate_alerts(request.staff.shop)
    messages.success(
        request,
        gettext("Alerts checked: %(opened)d new, %(updated)d still true, %(resolved)d resolved.")
        % {"opened": result.opened, "updated": result.updated, "resolved": result.resolved},
    )
    return redirect(reverse("analytics:dashboard") + "#alerts")


@require_POST
@staff_view(*CONSOLE_ROLES)
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        services.acknowledge_alert(request.staff.shop, alert_id, user=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    return redirect(reverse("analytics:dashboard") + "#alerts")


def _percent_to_bp(text: str) -> int | None:
    text = (text or "").strip().rstrip("%")
    if not text:
        return None
    value = round(float(text) * 100)
    if not 0 <= value <= BP:
        raise ValueError(text)
    return value


@require_POST
@staff_view(OWNER)
def save_thresholds(request: HttpRequest) -> HttpResponse:
    """Each category's good / alert return rates, entered in percent; empty = the shop's default."""
    shop = request.staff.shop
    for category in Category.objects.filter(shop=shop):
        try:
            good = _percent_to_bp(request.POST.get(f"good_{category.pk}", ""))
            alert = _percent_to_bp(request.POST.get(f"alert_{category.pk}", ""))
            services.set_category_thresholds(shop, category.pk, good_rate_bp=good, alert_rate_bp=alert)
        except ValueError:
            messages.error(
                request, gettext("%(name)s: enter a percentage between 0 and 100.") % {"name": category.name}
            )
        except DomainError as exc:
            messages.error(request, f"{category.name}: {error_text(exc)}")
    messages.success(request, gettext("Thresholds saved."))
    return redirect(reverse("analytics:dashboard") + "#thresholds")
