"""The owner's other pages in a real browser: the analytics dashboard draws its charts and drills down to
the cases behind a figure; a platform export uploaded on /imports/ lands, and importing it again
duplicates nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_return_flow import DESKTOP, shot, sign_in
from tests.unit import platform_fixtures as fx

pytestmark = pytest.mark.e2e


def test_the_dashboard_draws_its_charts_and_drills_down(browser, live_server_url, screenshots):
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server_url, "owner")
    page.click("nav >> text=数据分析")
    expect(page.locator("h1")).to_have_text("退货分析")
    for chart in ("#chart-trend", "#chart-pareto", "#chart-heatmap", "#chart-channels"):
        expect(page.locator(f"{chart} canvas").first).to_be_visible()  # ECharts drew it, from the project's copy
    shot(page, screenshots, "analytics")
    page.locator("a", has_text="售后单 ›").first.click()
    expect(page.locator("h1")).to_have_text("数字背后的售后单")
    expect(page.locator("table.list tbody tr").first).to_contain_text("AS")


def test_an_export_uploaded_on_the_imports_page_lands_once(browser, live_server_url, screenshots, tmp_path):
    export = tmp_path / "抖店订单导出.csv"
    export.write_bytes(fx.douyin_orders_csv())
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server_url, "agent")
    page.click("nav >> text=数据导入")
    for attempt, created, unchanged in ((1, "3", "0"), (2, "0", "3")):
        page.select_option("#id_platform", "douyin")
        page.select_option("#id_kind", "orders")
        page.set_input_files("#id_file", str(export))
        page.click("main button[type=submit]")
        status = page.locator("#run-status")
        expect(status.locator("h2").first).to_contain_text("已完成")
        expect(status.locator("dt:text-is('新建') + dd")).to_have_text(created)
        expect(status.locator("dt:text-is('未变') + dd")).to_have_text(unchanged)
        if attempt == 1:
            shot(page, screenshots, "imports-done")
            page.click("nav >> text=数据导入")
