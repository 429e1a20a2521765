"""Names for the ids and codes in the figures, and the sentences that explain alerts and signals."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.analytics.domain.abuse import Signal
from aftersales.analytics.domain.rates import format_bp
from aftersales.catalog.models import Category, Product, Sku
from aftersales.web import labels as console_labels

CHANNEL = {
    "live_stream": _("Live stream"),
    "short_video": _("Short video"),
    "search": _("Search"),
    "shop_page": _("Shop page"),
    "other": _("Other source"),
}
VERDICT = {
    "good": _("Good"),
    "watch": _("Watch"),
    "attention": _("Needs attention"),
    "no_data": _("No sales"),
}
BASIS = {"order": _("on the order's date"), "case": _("on the case's date")}
GRAIN = {"day": _("Day"), "week": _("Week"), "month": _("Month")}


#: The name of each drill-down filter, as the figure's own column calls it.
FILTER_HEADINGS = {
    "sku": _("SKU"), "product": _("Product"), "category": _("Category"), "province": _("Province"),
    "platform": _("Platform"), "channel": _("Channel"), "content": _("Video or live session"),
    "reason": _("Reason"),
}


def filter_chips(shop_id: int, filters: dict) -> list[tuple[str, str]]:
    """(name, value) of each filter behind a drill-down, both in words: 原因 尺码不合适, not reason=size_fit."""
    names = Labeler(shop_id, [{f"{k}_id": v for k, v in filters.items() if k in ("sku", "product", "category")}])
    value = {
        "sku": names.sku, "product": names.product, "category": names.category,
        "platform": console_labels.platform_label, "channel": lambda code: str(CHANNEL.get(code, code)),
        "reason": lambda code: console_labels.label("reason", code),
    }
    return [(str(heading), value.get(name, str)(filters[name]))
            for name, heading in FILTER_HEADINGS.items() if name in filters]


def verdict_label(code: str) -> str:
    return VERDICT.get(str(code), code)


class Labeler:
    """Looks up the names of the SKUs, products and categories that `rows` mention, in three queries."""

    def __init__(self, shop_id: int, rows: list[dict]) -> None:
        ids = {
            name: {r.get(f"{name}_id") for r in rows} - {None, 0} for name in ("sku", "product", "category")
        }
        self.skus = {
            s.pk: (f"{s.code} {s.spec}".strip())
            for s in Sku.objects.filter(shop_id=shop_id, pk__in=ids["sku"])
        }
        self.products = dict(
            Product.objects.filter(shop_id=shop_id, pk__in=ids["product"]).values_list("pk", "title")
        )
        self.categories = dict(
            Category.objects.filter(shop_id=shop_id, pk__in=ids["category"]).values_list("pk", "name")
        )

    def sku(self, pk: int) -> str:
        return self.skus.get(pk) or (str(_("Not in the catalogue")) if not pk else f"#{pk}")

    def product(self, pk: int) -> str:
        return self.products.get(pk) or (str(_("Not in the catalogue")) if not pk else f"#{pk}")

    def category(self, pk: int) -> str:
        return self.categories.get(pk) or (str(_("No category")) if not pk else f"#{pk}")

    @staticmethod
    def platform(code: str) -> str:
        return console_labels.platform_label(code)

    @staticmethod
    def channel(code: str) -> str:
        return str(CHANNEL.get(code, code))

    @staticmethod
    def reason(code: str) -> str:
        return str(console_labels.REASON.get(code, code))


def signal_text(signal: Signal) -> str:
    p = {k: (format_bp(v) if k.endswith("_bp") else v) for k, v in signal.params.items()}
    texts = {
        "high_return_rate": gettext(
            "returned %(returned)s of %(bought)s units (%(rate_bp)s, at least %(lower_bp)s; "
            "the shop: %(shop_bp)s)"
        ),
        "many_cases": gettext("%(cases)s return cases"),
        "refund_without_return": gettext("%(count)s refunds without returning the goods after delivery"),
        "not_received_but_signed": gettext("said %(count)s times that a signed-for parcel never arrived"),
        "failed_inspections": gettext("%(count)s returns failed inspection"),
        "empty_or_wrong_item": gettext("%(count)s returns came back empty or with a different item"),
    }
    return texts.get(signal.code, signal.code) % p


def alert_text(alert) -> str:
    """One sentence that says why the alert was raised, with its numbers."""
    values = {
        "returned": alert.returned_qty,
        "sold": alert.sold_qty,
        "rate": format_bp(alert.rate_bp),
        "lower": format_bp(alert.lower_bp),
        "threshold": format_bp(alert.threshold_bp),
        "first": alert.period_start.isoformat(),
        "last": alert.period_end.isoformat(),
    }
    if alert.kind == "jump":
        params = alert.params or {}
        values.update(
            baseline=format_bp(params.get("baseline_bp")),
            sigma=format_bp(params.get("sigma_bp")),
            weeks=params.get("weeks"),
            k=f"{(params.get('k_tenths') or 0) / 10:g}",
        )
        return (
            gettext(
                "Week of %(first)s: %(returned)s of %(sold)s units returned (%(rate)s, at least "
                "%(lower)s), above the usual %(baseline)s of the last %(weeks)s weeks + %(k)s × %(sigma)s "
                "= %(threshold)s."
            )
            % values
        )
    return (
        gettext(
            "%(first)s to %(last)s: %(returned)s of %(sold)s units returned (%(rate)s); even the lower bound "
            "%(lower)s reaches the alert threshold %(threshold)s."
        )
        % values
    )
