"""Writes of analytics: the shop's settings, category thresholds, and the evaluation of alerts.

Alerts are evaluated for a window that ended yesterday (Asia/Shanghai), with returns counted on the
day the case was opened — the figure that moves as soon as buyers start sending goods back:

* **rate** — a SKU or a category whose Wilson lower bound over the last `alert_window_days` reaches
  its category's alert threshold (the shop's default when the category sets none);
* **jump** — a SKU whose last complete week is surely above its own trailing weeks (`domain.jumps`).

An open alert is updated, not repeated, while its condition holds; a rate alert whose condition no
longer holds is marked resolved. The notifications outbox sends alerts whose `notified_at` is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.analytics.domain import periods
from aftersales.analytics.domain.facts import Cube
from aftersales.analytics.domain.jumps import Week, check_jump
from aftersales.analytics.domain.rates import BP, Verdict
from aftersales.analytics.models import Alert, AnalyticsSettings
from aftersales.analytics.selectors import RATE_MEASURES, category_thresholds, return_rates, sums
from aftersales.catalog.models import Category, Product, Sku
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFoundError
from aftersales.core.money import check_fen

ALERT_BASIS = "case"
SETTING_LIMITS = {
    "good_rate_bp": (0, BP),
    "alert_rate_bp": (1, BP),
    "jump_k_tenths": (5, 100),
    "jump_weeks": (4, 26),
    "alert_window_days": (7, 365),
}


def settings_of(shop: Shop) -> AnalyticsSettings:
    """The shop's analytics settings (defaults, unsaved, when it never changed them)."""
    return AnalyticsSettings.objects.filter(shop=shop).first() or AnalyticsSettings(shop=shop)


@transaction.atomic
def update_settings(shop: Shop, **changes) -> AnalyticsSettings:
    current, _ = AnalyticsSettings.objects.select_for_update().get_or_create(shop=shop)
    for name, value in changes.items():
        if value is None:
            continue
        if name == "return_freight_fen":
            check_fen(value)
        elif name in SETTING_LIMITS:
            low, high = SETTING_LIMITS[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise DomainError("analytics.setting_out_of_range", field=name, low=low, high=high)
        else:
            raise DomainError("input.invalid_choice", field="setting", value=name)
        setattr(current, name, value)
    _check_pair(current.good_rate_bp, current.alert_rate_bp)
    current.save()
    return current


def _check_pair(good: int | None, alert: int | None) -> None:
    for name, value in (("good_rate_bp", good), ("alert_rate_bp", alert)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= BP
        ):
            raise DomainError("analytics.setting_out_of_range", field=name, low=0, high=BP)
    if good is not None and alert is not None and good >= alert:
        raise DomainError("analytics.thresholds_out_of_order", good=good, alert=alert)


@transaction.atomic
def set_category_thresholds(
    shop: Shop, category_id: int, *, good_rate_bp: int | None, alert_rate_bp: int | None
) -> Category:
    """A category's own thresholds in basis points; None falls back to the shop's."""
    category = Category.objects.select_for_update().filter(shop=shop, pk=category_id).first()
    if category is None:
        raise NotFoundError("catalog.category_not_found", category_id=category_id)
    defaults = settings_of(shop)
    _check_pair(good_rate_bp, alert_rate_bp)
    _check_pair(
        defaults.good_rate_bp if good_rate_bp is None else good_rate_bp,
        defaults.alert_rate_bp if alert_rate_bp is None else alert_rate_bp,
    )
    category.good_rate_bp, category.alert_rate_bp = good_rate_bp, alert_rate_bp
    category.save(update_fields=["good_rate_bp", "alert_rate_bp"])
    return category


@dataclass
class Evaluation:
    opened: int = 0
    updated: int = 0
    resolved: int = 0


def _labels(shop: Shop, scope: str, ids: set[int]) -> dict[int, str]:
    if scope == "sku":
        return {s.pk: f"{s.code} {s.spec}".strip() for s in Sku.objects.filter(shop=shop, pk__in=ids)}
    if scope == "product":
        return dict(Product.objects.filter(shop=shop, pk__in=ids).values_list("pk", "title"))
    return dict(Category.objects.filter(shop=shop, pk__in=ids).values_list("pk", "name"))


@transaction.atomic
def evaluate_alerts(shop: Shop, *, today: date | None = None, now: datetime | None = None) -> Evaluation:
    now = now or clock.now()
    today = today or clock.shanghai_date(now)
    # One evaluation per shop at a time: the settings row is the lock.
    settings, _ = AnalyticsSettings.objects.select_for_update().get_or_create(shop=shop)
    last = today - timedelta(days=1)
    first = last - timedelta(days=settings.alert_window_days - 1)
    found: dict[str, dict] = {}
    default, by_category = category_thresholds(shop.pk)
    for scope, by in (("sku", "sku"), ("category", "category")):
        for row in return_rates(shop.pk, by, first, last, basis=ALERT_BASIS):
            if row.verdict != Verdict.ATTENTION:
                continue
            subject = row.key["sku_id"] if scope == "sku" else row.key["category_id"]
            threshold = by_category.get(row.key.get("category_id", 0), default).alert_bp
            found[f"rate:{scope}:{subject}"] = dict(
                kind=Alert.Kind.RATE,
                scope=scope,
                subject_id=subject,
                category_id=row.key.get("category_id", 0),
                period_start=first,
                period_end=last,
                sold_qty=row.sold_qty,
                returned_qty=row.returned_qty,
                rate_bp=row.rate_bp,
                lower_bp=row.lower_bp,
                threshold_bp=threshold,
                params={},
            )
    found.update(_jumps(shop, today, settings))
    labels = {
        scope: _labels(shop, scope, {f["subject_id"] for f in found.values() if f["scope"] == scope})
        for scope in ("sku", "category")
    }
    result = Evaluation()
    live = {
        a.key: a
        for a in Alert.objects.select_for_update().filter(
            shop=shop, status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED]
        )
    }
    for key, fields in found.items():
        label = labels[fields["scope"]].get(fields["subject_id"], str(fields["subject_id"]))
        alert = live.get(key)
        if alert is None:
            Alert.objects.create(
                shop=shop,
                key=key,
                subject_label=label[:200],
                basis=ALERT_BASIS,
                created_at=now,
                updated_at=now,
                **fields,
            )
            result.opened += 1
        else:
            for name, value in fields.items():
                setattr(alert, name, value)
            alert.subject_label, alert.updated_at = label[:200], now
            alert.save()
            result.updated += 1
    for key, alert in live.items():
        if alert.kind == Alert.Kind.RATE and key not in found:
            alert.status, alert.updated_at = Alert.Status.RESOLVED, now
            alert.save(update_fields=["status", "updated_at"])
            result.resolved += 1
    return result


def _jumps(shop: Shop, today: date, settings: AnalyticsSettings) -> dict[str, dict]:
    """SKUs whose last complete week jumped against the `jump_weeks` before it."""
    week = periods.week_start(today) - periods.WEEK
    history_first = week - settings.jump_weeks * periods.WEEK
    rows = sums(
        shop.pk,
        Cube.SKU,
        history_first,
        week + timedelta(days=6),
        group=("sku_id", "category_id"),
        measures=RATE_MEASURES,
        basis=ALERT_BASIS,
        grain="w",
    )
    weeks: dict[tuple[int, int], dict[date, Week]] = {}
    for row in rows:
        weeks.setdefault((row["sku_id"], row["category_id"]), {})[row["bucket"]] = Week(
            row["sold_qty"], row["returned_qty"]
        )
    out = {}
    for (sku_id, category_id), by_week in weeks.items():
        history = [
            by_week.get(history_first + i * periods.WEEK, Week(0, 0)) for i in range(settings.jump_weeks)
        ]
        this = by_week.get(week, Week(0, 0))
        check = check_jump(this, history, k_tenths=settings.jump_k_tenths)
        if check.jumped:
            out[f"jump:sku:{sku_id}:{week.isoformat()}"] = dict(
                kind=Alert.Kind.JUMP,
                scope="sku",
                subject_id=sku_id,
                category_id=category_id,
                period_start=week,
                period_end=week + timedelta(days=6),
                sold_qty=this.sold,
                returned_qty=this.returned,
                rate_bp=check.this_rate_bp,
                lower_bp=check.this_lower_bp,
                threshold_bp=check.limit_bp,
                params=check.as_params(),
            )
    return out


@transaction.atomic
def acknowledge_alert(shop: Shop, alert_id: int, *, user=None, now: datetime | None = None) -> Alert:
    alert = Alert.objects.select_for_update().filter(shop=shop, pk=alert_id).first()
    if alert is None:
        raise NotFoundError("analytics.alert_not_found", alert_id=alert_id)
    if alert.status == Alert.Status.OPEN:
        alert.status = Alert.Status.ACKNOWLEDGED
        alert.acknowledged_at = now or clock.now()
        alert.acknowledged_by = user if getattr(user, "is_authenticated", False) else None
        alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    return alert


def alerts_to_notify(shop: Shop) -> list[Alert]:
    """Open alerts no message has been queued for yet (for the notifications outbox)."""
    return list(
        Alert.objects.filter(shop=shop, status=Alert.Status.OPEN, notified_at__isnull=True).order_by(
            "created_at", "pk"
        )
    )


@transaction.atomic
def mark_notified(shop: Shop, alert_ids: list[int], *, now: datetime | None = None) -> int:
    return Alert.objects.filter(shop=shop, pk__in=alert_ids, notified_at__isnull=True).update(
        notified_at=now or clock.now()
    )
