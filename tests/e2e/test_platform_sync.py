"""A store connected to the 抖店 contract simulator, in a real browser: the owner authorises it, a case
the buyer opens on the platform arrives in the inbox, the agent approves it, the platform has it approved.

The simulator runs over HTTP in this process; the worker's cycle is `aftersales sync --cycle` against
the server's database, as the huey consumer would run it.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BIN, ROOT
from tests.e2e.test_return_flow import DESKTOP, shot, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def simulator_url():
    from aftersales.platforms.simulator import simulator_for
    from aftersales.platforms.simulator.server import serve

    simulator = simulator_for("douyin", app_key="e2e-app", app_secret="e2e-secret-value")
    server = serve(simulator, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.loads(answer.read())


def _post(url: str, data: dict):
    request = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


def worker_cycle(env) -> str:
    done = subprocess.run([BIN / "aftersales", "sync", "--cycle"], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=120)
    return done.stdout


def test_connect_pull_approve_push(browser, live_server_url, server_env, simulator_url, screenshots):
    base = live_server_url
    credentials = _get(simulator_url + "/_sim/credentials")
    owner = browser.new_context(viewport=DESKTOP).new_page()

    # 1. The owner connects the store: 店铺设置 → 平台授权.
    sign_in(owner, base, "owner")
    owner.goto(base + "/console/settings/")
    owner.click("text=已授权店铺与同步状态")
    expect(owner.locator("h1")).to_contain_text("平台授权")
    owner.select_option("#id_platform", "douyin")
    owner.fill("#id_name", "抖店模拟店")
    owner.fill("#id_base_url", simulator_url)
    owner.fill("#id_app_key", credentials["app_key"])
    owner.fill("#id_app_secret", credentials["app_secret"])
    owner.fill("#id_access_token", credentials["access_token"])
    owner.fill("#id_refresh_token", credentials["refresh_token"])
    owner.fill("#id_return_address_id", credentials["return_address_id"])
    owner.click("#connect button[type=submit]")
    expect(owner.locator("tr[data-store]", has_text="抖店模拟店")).to_be_visible()
    assert credentials["app_secret"] not in owner.content()
    shot(owner, screenshots, "platform-stores")

    # 2. A buyer opens a refund on the platform; one worker cycle later it is in the inbox.
    created = _post(simulator_url + "/_sim/cases", {"kind": "refund_only", "amount_fen": 8800, "paid_fen": 8800,
                                                    "title": "抖音直播款针织开衫", "reason": "不想要了"})
    worker_cycle(server_env)
    agent = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(agent, base, "agent")
    agent.fill("#id_q", created["order_id"])
    agent.keyboard.press("Enter")
    expect(agent.locator("table.inbox tbody tr")).to_have_count(1)
    agent.locator("table.inbox tbody tr a").first.click()
    expect(agent).to_have_url(re.compile(r"/console/cases/\d+/$"))
    expect(agent.locator("body")).to_contain_text("抖音直播款针织开衫")

    # 3. The agent approves; the next cycle sends it and the platform answers.
    agent.click("text=同意申请")
    # Nothing is claimed before the platform answers: the case waits, marked 等平台确认.
    expect(agent.locator(".flash")).to_contain_text("已提交平台")
    expect(agent.locator("#platform-sync")).to_contain_text("等平台确认")
    expect(agent.locator(".page-head .badge.awaiting-platform")).to_have_text("等平台确认")
    expect(agent.locator(".page-head .badge.status-requested")).to_be_visible()
    shot(agent, screenshots, "platform-case-awaiting")
    # The inbox row says so too, on a phone as on a desk.
    agent.set_viewport_size({"width": 390, "height": 844})
    agent.goto(f"{base}/console/?q={created['order_id']}")
    expect(agent.locator("table.inbox tbody tr .badge.awaiting-platform")).to_have_text("等平台确认")
    shot(agent, screenshots, "platform-inbox-awaiting-phone")
    agent.set_viewport_size(DESKTOP)
    agent.go_back()
    worker_cycle(server_env)
    status = {c["case_id"]: c["status"] for c in _get(simulator_url + "/_sim/cases")}
    assert status[created["case_id"]] == "completed"
    agent.reload()
    expect(agent.locator("#platform-sync")).to_contain_text("平台已确认")
    expect(agent.locator(".page-head .badge.awaiting-platform")).to_have_count(0)
    expect(agent.locator(".page-head .badge.status-completed")).to_be_visible()
    shot(agent, screenshots, "platform-case-confirmed")
