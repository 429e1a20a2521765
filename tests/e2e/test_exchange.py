"""An exchange in a real browser: the buyer picks the new size among those in stock on the phone, the
agent sees it on the case page and ships it. Also what a person sees on every page: the success message
sits in the page, never over it, and the dashboard's charts never write one label over another."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT
from tests.e2e.seed_exchange import ORDER_NO, PHONE

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
PHONE_SCREEN = {"width": 390, "height": 844}


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "aftersales-demo")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def seed(server_env, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "tests.e2e.seed_exchange", *args], env=server_env, cwd=ROOT, check=True)


def test_the_buyer_picks_a_size_and_the_agent_ships_it(browser, live_server_url, server_env, screenshots):
    base = live_server_url
    seed(server_env, "order")
    buyer = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True).new_page()
    buyer.goto(base + "/portal/")
    buyer.fill("#id_order_no", ORDER_NO)
    buyer.fill("#id_last4", PHONE[-4:])
    buyer.click("main button[type=submit]")
    buyer.click("text=申请售后")
    expect(buyer.locator("input.qty").first).to_have_value("1")  # one item: one of it, not zero
    sizes = buyer.locator("#exchange-sku")
    expect(sizes).to_be_hidden()  # only asked for an exchange
    buyer.select_option("#id_kind", "exchange")
    expect(sizes).to_be_visible()
    options = buyer.locator("#id_exchange_sku option").all_inner_texts()
    assert "L 碎花蓝（3 件有货）" in options and not any(o.startswith("S ") for o in options)  # S is sold out
    buyer.select_option("#id_reason", "size_fit")
    buyer.fill("#id_note", "M码小了，麻烦换成L码")
    buyer.select_option("#id_exchange_sku", label="L 碎花蓝（3 件有货）")
    buyer.screenshot(path=str(screenshots / "portal-exchange-request-phone.png"), full_page=True)
    buyer.click("main button[type=submit]")
    expect(buyer).to_have_url(re.compile(r"/portal/cases/\d+/$"))
    expect(buyer.locator("#exchange-for")).to_have_text("L 碎花蓝")
    case_id = re.search(r"/cases/(\d+)/", buyer.url).group(1)

    seed(server_env, "fulfil", case_id)
    agent = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(agent, base, "agent")
    agent.goto(f"{base}/console/cases/{case_id}/")
    expect(agent.locator("#exchange-sku")).to_have_text("L 碎花蓝")
    expect(agent.locator("#exchange")).to_contain_text("库存")
    agent.screenshot(path=str(screenshots / "console-exchange-fulfilling.png"), full_page=True)
    agent.locator("summary", has_text="发出换货").click()
    form = "form[action$='/act/ship_replacement/']"
    agent.fill(f"{form} input[name$='carrier']", "顺丰速运")
    agent.fill(f"{form} input[name$='tracking_no']", "SF5566778899")
    agent.locator(f"{form} button[type=submit]").click()
    expect(agent.locator(".flash")).to_contain_text("已登记发货")
    expect(agent.locator("h1 .badge").first).to_have_text("待买家收货")
    # One L left the shelf: the next buyer sees two.
    buyer.goto(base + "/portal/order/")
    agent.goto(f"{base}/console/cases/{case_id}/")
    expect(agent.locator("#exchange")).to_contain_text("2")

    # The message sits at the top of the page, in its flow: scrolled down, nothing is covered by it.
    agent.fill("#note-note", "已发 L 码")
    agent.locator("form[action$='/act/note/'] button[type=submit]").click()
    flash = agent.locator("#flash .flash")
    expect(flash).to_be_visible()
    assert agent.evaluate("getComputedStyle(document.getElementById('flash')).position") == "static"
    agent.mouse.wheel(0, 1500)
    agent.wait_for_timeout(200)
    # Scrolled past, it has gone up with the page instead of floating over what is read now.
    assert agent.evaluate("window.scrollY") > 0
    assert agent.evaluate("document.querySelector('#flash .flash').getBoundingClientRect().bottom") <= 0
    agent.evaluate("window.scrollTo(0, 0)")
    agent.locator("#flash [data-dismiss-flash]").first.click()
    expect(agent.locator("#flash .flash")).to_have_count(0)


# Every text ECharts draws, as the four corners of its (possibly turned) box on the canvas.
CHART_TEXTS = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const out = [];
  chart.getZr().storage.getDisplayList(true).forEach(el => {
    if ((el.type !== 'text' && el.type !== 'tspan') || el.invisible || el.ignore || !el.style || !el.style.text) return;
    const r = el.getBoundingRect(), m = el.getComputedTransform() || [1, 0, 0, 1, 0, 0];
    const pt = (x, y) => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
    out.push([String(el.style.text),
              [pt(r.x, r.y), pt(r.x + r.width, r.y), pt(r.x + r.width, r.y + r.height), pt(r.x, r.y + r.height)]]);
  });
  return out;
}"""


def _apart(p, q) -> bool:
    """Two convex boxes do not overlap (by more than a pixel): some edge's normal separates them."""
    for poly in (p, q):
        for i in range(4):
            (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % 4]
            ax, ay = y1 - y2, x2 - x1
            n = (ax * ax + ay * ay) ** 0.5 or 1
            pa = [(x * ax + y * ay) / n for x, y in p]
            qa = [(x * ax + y * ay) / n for x, y in q]
            if min(max(pa), max(qa)) - max(min(pa), min(qa)) <= 1:
                return True
    return False


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_SCREEN], ids=["desktop", "phone"])
def test_no_chart_label_is_written_over_another(browser, live_server_url, screenshots, viewport):
    page = browser.new_context(viewport=viewport).new_page()
    sign_in(page, live_server_url, "owner")
    page.goto(live_server_url + "/analytics/?first=2026-01-01&last=2027-12-31")
    page.wait_for_load_state("networkidle")
    for chart in ("chart-trend", "chart-pareto", "chart-heatmap", "chart-channels"):
        texts = page.evaluate(CHART_TEXTS, chart)
        assert texts, chart
        clashes = [(a[0], b[0]) for i, a in enumerate(texts) for b in texts[i + 1:] if not _apart(a[1], b[1])]
        assert clashes == [], (chart, viewport["width"], clashes)
    page.locator("#chart-heatmap").screenshot(path=str(screenshots / f"analytics-heatmap-{viewport['width']}.png"))
    # Nor is a short name in a figure's table cut into one character a line (尺/码/不/合/适) on a phone.
    broken = page.evaluate("""() => [...document.querySelectorAll('table.figure td')].filter(td => {
        const text = td.textContent.trim();
        if (!text || text.length > 6 || /\\s/.test(text)) return false;
        const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT), tops = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const range = document.createRange(); range.selectNodeContents(node);
          [...range.getClientRects()].forEach(r => tops.push(r.top));
        }
        return tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 8;  // a second line
      }).map(td => td.textContent.trim())""")
    assert broken == [], broken
