"""Alerts: judged on the Wilson lower bound, per category thresholds, jumps against a SKU's own history."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from aftersales.analytics import services
from aftersales.analytics.labels import alert_text
from aftersales.analytics.models import Alert
from aftersales.cases import services as cs
from aftersales.cases.domain.states import Actor
from aftersales.catalog.models import Category, Product, Sku
from aftersales.core.clock import SHANGHAI
from aftersales.core.errors import DomainError
from aftersales.orders.services import create_order

pytestmark = pytest.mark.django_db

MERCHANT = cs.By(Actor.MERCHANT)
MONDAY = date(2026, 9, 7)  # the week under judgement starts here
TODAY = MONDAY + timedelta(days=7)


def sku(shop, code: str, category: Category | None = None) -> Sku:
    category = category or Category.objects.get(shop=shop, name="女装")
    product = Product.objects.create(shop=shop, category=category, title=code)
    return Sku.objects.create(shop=shop, product=product, code=code, price_fen=1000)


def sell(shop, code: str, day: date, sold: int, returned: int, n: list[int]) -> None:
    n[0] += 1
    paid = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI).replace(hour=10)
    order = create_order(shop, {
        "platform": "douyin", "platform_order_id": f"A{n[0]}", "buyer": {"nick": f"b{n[0]}"}, "paid_at": paid,
        "shipped_at": paid + timedelta(hours=2), "signed_at": paid + timedelta(days=1),
        "lines": [{"platform_line_id": "1", "title": code, "sku_code": code, "quantity": sold,
                   "unit_price_fen": 1000, "paid_fen": 1000 * sold}],
    })
    if returned:
        line = order.lines.get()
        cs.open_case(shop, order_id=order.pk, lines=[(line.pk, returned)], kind="return_refund",
                     reason="size_fit", by=MERCHANT, enforce_policy=False, now=paid + timedelta(days=1))


def test_a_rate_alert_needs_the_lower_bound_to_reach_the_threshold(shop):
    n = [0]
    sku(shop, "TWO")
    sku(shop, "TWENTY")
    sell(shop, "TWO", MONDAY, 2, 1, n)  # 50%, but at least only 9.45%: no alarm
    sell(shop, "TWENTY", MONDAY, 20, 10, n)  # 50%, at least 29.9%
    result = services.evaluate_alerts(shop, today=TODAY)
    alerts = {a.subject_label: a for a in Alert.objects.filter(shop=shop, kind="rate", scope="sku")}
    assert set(alerts) == {"TWENTY"}
    alert = alerts["TWENTY"]
    assert (alert.sold_qty, alert.returned_qty, alert.rate_bp, alert.threshold_bp) == (20, 10, 5000, 1000)
    assert alert.lower_bp >= 1000 and alert.notified_at is None and alert.status == "open"
    assert "TWENTY" not in alert_text(alert) and "10" in alert_text(alert)
    assert result.opened == len(Alert.objects.filter(shop=shop))
    # evaluated again: the same alerts are updated, none added
    again = services.evaluate_alerts(shop, today=TODAY)
    assert again.opened == 0 and again.updated == result.opened
    assert services.alerts_to_notify(shop) == list(Alert.objects.filter(shop=shop).order_by("created_at", "pk"))
    assert services.mark_notified(shop, [alert.pk]) == 1
    assert alert not in services.alerts_to_notify(shop)


def test_a_category_may_be_more_tolerant_and_a_resolved_condition_resolves_the_alert(shop):
    n = [0]
    coats = Category.objects.create(shop=shop, name="大衣", law_category="apparel")
    sku(shop, "COAT", coats)
    sell(shop, "COAT", MONDAY, 40, 16, n)  # 40%, at least 26.3%
    services.evaluate_alerts(shop, today=TODAY)
    assert Alert.objects.filter(shop=shop, scope="sku", status="open").count() == 1
    services.set_category_thresholds(shop, coats.pk, good_rate_bp=1500, alert_rate_bp=3000)
    result = services.evaluate_alerts(shop, today=TODAY)
    assert result.resolved >= 1
    assert not Alert.objects.filter(shop=shop, scope="sku", status="open").exists()
    with pytest.raises(DomainError) as error:
        services.set_category_thresholds(shop, coats.pk, good_rate_bp=3000, alert_rate_bp=2000)
    assert error.value.code == "analytics.thresholds_out_of_order"


def test_a_weekly_jump_against_the_skus_own_history_is_flagged_and_explained(shop):
    n = [0]
    sku(shop, "STEADY")
    for week in range(8, 0, -1):
        sell(shop, "STEADY", MONDAY - timedelta(weeks=week), 100, 5, n)
    sell(shop, "STEADY", MONDAY, 100, 25, n)
    services.evaluate_alerts(shop, today=TODAY)
    (jump,) = Alert.objects.filter(shop=shop, kind="jump")
    assert (jump.period_start, jump.period_end) == (MONDAY, MONDAY + timedelta(days=6))
    assert jump.params["baseline_bp"] == 500 and jump.lower_bp > jump.threshold_bp
    assert jump.params["weeks"] == 8
    text = alert_text(jump)
    assert "5.00%" in text and "25.00%" in text
    # the 28-day rate (40 of 400) is not surely above 10%: no rate alert for the SKU
    assert not Alert.objects.filter(shop=shop, kind="rate", scope="sku").exists()
    services.acknowledge_alert(shop, jump.pk)
    jump.refresh_from_db()
    assert jump.status == "acknowledged" and jump.acknowledged_at is not None


def test_a_calm_week_is_no_jump(shop):
    n = [0]
    sku(shop, "CALM")
    for week in range(8, -1, -1):
        sell(shop, "CALM", MONDAY - timedelta(weeks=week), 100, 5 + week % 2, n)
    services.evaluate_alerts(shop, today=TODAY)
    assert not Alert.objects.filter(shop=shop, kind="jump").exists()


def test_settings_are_checked(shop):
    settings = services.update_settings(shop, good_rate_bp=300, alert_rate_bp=800, return_freight_fen=900)
    assert (settings.good_rate_bp, settings.alert_rate_bp, settings.return_freight_fen) == (300, 800, 900)
    for bad in ({"alert_rate_bp": 200}, {"jump_weeks": 2}, {"nonsense": 1}):
        with pytest.raises(DomainError):
            services.update_settings(shop, **bad)
