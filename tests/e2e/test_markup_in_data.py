"""Markup planted in every free-text field that reaches a chart (a buyer's province through the API, a
product category's name) shows as text on the analytics dashboard: no element is made from it and no
script runs, and the Content-Security-Policy would stop an inline one if escaping were ever missed."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BIN, ROOT
from tests.e2e.test_return_flow import DESKTOP, sign_in

pytestmark = pytest.mark.e2e

PROVINCE = "<img/src=x/onerror=alert(1)>"  # provinces are stored without spaces
CATEGORY = "<img src=y onerror=alert(2)>类目"
SKU = "XSS-SKU-1"

PLANT_CATEGORY = f"""
import django
django.setup()
from aftersales.accounts.models import Shop
from aftersales.catalog.models import Category, Product, Sku
shop = Shop.objects.get(slug="demo")
category = Category.objects.create(shop=shop, name={CATEGORY!r}, law_category="other")
product = Product.objects.create(shop=shop, category=category, title="标记测试商品")
Sku.objects.create(shop=shop, product=product, code={SKU!r}, price_fen=5000)
"""


def _api(base: str, token: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{path}: {error.code} {error.read().decode()}") from None


@pytest.fixture(scope="module")
def planted(server_env, live_server_url):
    subprocess.run([sys.executable, "-c", PLANT_CATEGORY], env=server_env, cwd=ROOT, check=True)
    out = subprocess.run([BIN / "aftersales", "create-token", "--shop", "demo", "--role", "owner"],
                         env=server_env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    token = out.split()[-1]
    from aftersales.core import clock

    paid = clock.now() - timedelta(days=4)
    order = _api(live_server_url, token, "/api/v1/orders", {
        "platform": "douyin", "platform_order_id": "XSS20261201001", "paid_at": paid.isoformat(),
        "shipped_at": (paid + timedelta(hours=5)).isoformat(), "signed_at": (paid + timedelta(days=1)).isoformat(),
        "buyer": {"nick": "标记买家", "phone": "13900009999", "province": PROVINCE, "city": "某市"},
        "lines": [{"platform_line_id": "XSS-1", "title": "标记测试商品", "sku_code": SKU, "quantity": 2,
                   "unit_price_fen": 5000, "paid_fen": 10000}],
        "freight_fen": 0, "payments": [{"route": "alipay", "amount_fen": 10000}],
    })
    line = order["lines"][0]["id"]
    _api(live_server_url, token, "/api/v1/cases", {
        "order_id": order["id"], "lines": [{"order_line_id": line, "quantity": 1}], "kind": "return_refund",
        "reason": "size_fit"})
    return order


def test_markup_in_chart_data_is_shown_as_text_and_never_runs(browser, live_server_url, planted):
    page = browser.new_context(viewport=DESKTOP).new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live_server_url, "owner")
    response = page.goto(live_server_url + "/analytics/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#chart-heatmap canvas").first).to_be_visible()

    # Show the heat-map tooltip of the planted cell, as hovering it does.
    shown = page.evaluate("""([province, category]) => {
        const chart = echarts.getInstanceByDom(document.getElementById("chart-heatmap"));
        const data = JSON.parse(document.getElementById("analytics-charts").textContent).heatmap;
        const y = data.provinces.indexOf(province), x = data.categories.indexOf(category);
        const index = data.cells.findIndex(c => c[0] === x && c[1] === y);
        if (index < 0) return false;
        chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: index});
        return true;
    }""", [PROVINCE, CATEGORY])
    assert shown, page.evaluate("""() => {const h = JSON.parse(document.getElementById("analytics-charts")
        .textContent).heatmap; return [h.provinces, h.categories];}""")
    tooltip = page.locator("#chart-heatmap div", has_text="onerror").last
    expect(tooltip).to_contain_text(f"{PROVINCE} · {CATEGORY}")
    assert page.locator("#chart-heatmap img").count() == 0

    # The axis tooltips (pareto, channels, trend) list names too: none of them makes an element either.
    for chart in ("chart-trend", "chart-pareto", "chart-channels"):
        page.evaluate("""(id) => echarts.getInstanceByDom(document.getElementById(id))
            .dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 0})""", chart)
    page.wait_for_timeout(300)
    assert page.locator("main img[src=x], main img[src=y]").count() == 0
    assert dialogs == []

    # The table under the dashboard names the province as text as well.
    expect(page.locator("main", has_text=PROVINCE).first).to_be_visible()
    assert dialogs == []
