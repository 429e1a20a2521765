"""The analytics pages: owners and agents of the current shop only; every figure leads to its cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.analytics.models import Alert
from aftersales.cases import services as cs
from aftersales.cases.domain.states import Actor
from aftersales.catalog.models import Category
from tests.integration.console_support import english, member, text

pytestmark = pytest.mark.django_db

MERCHANT = cs.By(Actor.MERCHANT)
PERIOD = "first=2026-11-01&last=2026-11-30"


@pytest.fixture
def returned(shop, order):
    line = order.lines.order_by("pk").first()
    return cs.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="return_refund", reason="size_fit",
                        by=MERCHANT, now=order.paid_at + timedelta(days=3))


def test_the_dashboard_shows_every_figure_and_its_charts(client, shop, returned):
    client.force_login(member(shop, "owner_a", "owner"))
    response = client.get(f"/analytics/?{PERIOD}")
    assert response.status_code == 200
    page = text(response)
    for needle in ("退货分析", "chart-trend", "chart-pareto", "chart-heatmap", "analytics-charts",
                   "vendor/echarts/echarts.min.js", returned.order.lines.first().sku.code, "/analytics/cases/?"):
        assert needle in page, needle
    reversed_period = text(client.get("/analytics/?first=2026-11-30&last=2026-11-01"))
    assert "开始日期（2026-11-30）晚于结束日期（2026-11-01）" in reversed_period and "退货分析" in reversed_period
    english(client)
    assert "Return analytics" in text(client.get(f"/analytics/?{PERIOD}"))


def test_roles(client, shop, returned):
    assert client.get("/analytics/").status_code == 302  # to the login page
    client.force_login(member(shop, "keeper", "warehouse"))
    assert client.get("/analytics/").status_code == 403
    client.force_login(member(shop, "agent_a", "agent"))
    assert client.get("/analytics/").status_code == 200
    assert client.post("/analytics/thresholds/", {}).status_code == 403


def test_the_cases_behind_a_figure_stay_inside_the_shop(client, shop, other_shop, returned):
    sku = returned.lines.get().order_line.sku_id
    client.force_login(member(shop, "owner_a", "owner"))
    page = text(client.get(f"/analytics/cases/?{PERIOD}&sku={sku}"))
    assert returned.number in page and f"/console/cases/{returned.pk}/" in page
    assert returned.number not in text(client.get(f"/analytics/cases/?{PERIOD}&sku={sku}&reason=wrong_item"))
    client.force_login(member(other_shop, "owner_b", "owner"))
    assert returned.number not in text(client.get(f"/analytics/cases/?{PERIOD}&sku={sku}"))


def test_exports_from_the_page(client, shop, returned):
    client.force_login(member(shop, "agent_a", "agent"))
    response = client.get(f"/analytics/export/rates.csv?{PERIOD}&by=sku")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert "退货率" in response.content.decode("utf-8-sig")
    assert "attachment" in response["Content-Disposition"]
    response = client.get(f"/analytics/export/heatmap.xlsx?{PERIOD}")
    assert response.content[:2] == b"PK"
    assert client.get("/analytics/export/nothing.csv").status_code == 404
    # A yes/no column reads as the English page's other words do, capitalised ("yes" sat beside "Size or fit").
    assert ",是" in client.get(f"/analytics/export/reasons.csv?{PERIOD}").content.decode("utf-8-sig")
    english(client)
    reasons = client.get(f"/analytics/export/reasons.csv?{PERIOD}").content.decode("utf-8-sig")
    assert reasons.splitlines()[1].endswith(",Yes") and ",yes" not in reasons


def test_thresholds_and_alerts_from_the_page(client, shop, returned):
    client.force_login(member(shop, "owner_a", "owner"))
    category = Category.objects.get(shop=shop)
    response = client.post("/analytics/thresholds/", {f"good_{category.pk}": "8", f"alert_{category.pk}": "15.5"})
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.good_rate_bp, category.alert_rate_bp) == (800, 1550)
    assert client.post("/analytics/alerts/evaluate/").status_code == 302
    alert = Alert.objects.create(shop=shop, key="rate:sku:1", kind="rate", scope="sku", subject_id=1,
                                 subject_label="QZ", period_start=returned.created_at.date(),
                                 period_end=returned.created_at.date(), sold_qty=10, returned_qty=5, rate_bp=5000,
                                 lower_bp=2366, threshold_bp=1000, created_at=returned.created_at,
                                 updated_at=returned.created_at)
    assert "QZ" in text(client.get("/analytics/"))
    client.post(f"/analytics/alerts/{alert.pk}/acknowledge/")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
