"""平台授权 pages, the push-message receiver, the simulator over HTTP, the sync command and the worker cycle."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from aftersales.cases.models import Case
from aftersales.core import clock
from aftersales.notifications.models import Message
from aftersales.platforms.connectors import douyin
from aftersales.platforms.connectors.base import BaseConnector
from aftersales.platforms.simulator import simulator_for
from aftersales.platforms.simulator.server import serve
from aftersales.platforms.sync.health import warn_stalled
from aftersales.platforms.sync.models import PushedCase, StoreConnection
from aftersales.platforms.sync.secrets import unseal
from aftersales.platforms.sync.tasks import run_cycle
from tests.integration.console_support import member
from tests.integration.platform_sync_support import connected

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(BaseConnector, "calls_per_second", 0.0)
    monkeypatch.setattr(BaseConnector, "backoff", 0.0)


@pytest.fixture
def http_sim():
    simulator = simulator_for("douyin", app_key="app-1", app_secret="s3cret-value")
    server = serve(simulator, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield simulator, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_owner_connects_a_store_over_http_and_secrets_stay_sealed(client, shop, http_sim):
    simulator, base = http_sim
    owner = member(shop, "owner1", "owner")
    client.force_login(owner)
    access, refresh = simulator.token
    response = client.post(reverse("stores:home"), {
        "platform": "douyin", "name": "抖店旗舰店", "base_url": base, "app_key": "app-1",
        "app_secret": "s3cret-value", "access_token": access, "refresh_token": refresh, "return_address_id": "1001"})
    assert response.status_code == 302
    connection = StoreConnection.objects.get(shop=shop)
    assert "s3cret-value" not in connection.app_secret_enc and unseal(connection.app_secret_enc) == "s3cret-value"
    assert access not in connection.access_token_enc
    page = client.get(reverse("stores:home")).content.decode()
    assert "抖店旗舰店" in page and "app-1" in page
    assert "s3cret-value" not in page and access not in page and refresh not in page
    simulator.add_case(kind="refund_only", amount_fen=990, paid_fen=990)
    call_command("sync", store=connection.pk)
    assert Case.objects.filter(shop=shop, platform="douyin").count() == 1


def test_a_wrong_secret_is_refused_and_nothing_is_kept(client, shop, http_sim):
    simulator, base = http_sim
    client.force_login(member(shop, "owner1", "owner"))
    access, refresh = simulator.token
    response = client.post(reverse("stores:home"), {
        "platform": "douyin", "name": "店", "base_url": base, "app_key": "app-1", "app_secret": "wrong",
        "access_token": access, "refresh_token": refresh}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "连接平台失败" in response.content.decode()
    assert not StoreConnection.objects.exists()


def test_agents_and_other_shops_cannot_see_the_stores(client, shop, other_shop):
    connected(other_shop, "douyin")
    client.force_login(member(shop, "agent1", "agent"))
    assert client.get(reverse("stores:home")).status_code == 403
    client.force_login(member(shop, "owner1", "owner"))
    foreign = StoreConnection.objects.get(shop=other_shop)
    assert client.post(reverse("stores:action", args=[foreign.pk, "pause"])).status_code == 404
    assert "测试店" not in client.get(reverse("stores:home")).content.decode()


def test_a_push_message_leads_to_the_case_within_one_worker_cycle(client, shop):
    simulator, connection = connected(shop, "douyin")
    pushed = []
    simulator.receiver = lambda headers, body: pushed.append((headers, body))
    StoreConnection.objects.filter(pk=connection.pk).update(next_run_at=clock.now() + timedelta(hours=1))
    simulator.add_case(kind="refund_only")
    headers, body = pushed[-1]
    url = reverse("stores:push", args=[connection.pk])
    forged = client.post(url, body, content_type="application/json",
                         headers={"app-id": simulator.app_key, "event-sign": "0" * 32})
    assert forged.status_code == 403 and not PushedCase.objects.exists()
    answer = client.post(url, body, content_type="application/json",
                         headers={"app-id": headers["app-id"], "event-sign": headers["event-sign"]})
    assert answer.status_code == 200 and json.loads(answer.content)["code"] == 0
    run_cycle()  # the periodic pull is not due: the push alone brings the case
    assert Case.objects.filter(shop=shop).count() == 1
    assert not PushedCase.objects.exists()


def test_taobao_tmc_messages_bring_the_case_within_one_cycle(shop):
    simulator, connection = connected(shop, "taobao")
    StoreConnection.objects.filter(pk=connection.pk).update(next_run_at=clock.now() + timedelta(hours=1))
    simulator.add_case(kind="return_refund")
    assert simulator.tmc
    run_cycle()
    assert Case.objects.filter(shop=shop, platform="taobao").count() == 1
    assert not simulator.tmc


def test_a_store_not_synced_for_thirty_minutes_warns_the_owner_once(shop):
    member(shop, "boss", "owner")
    _simulator, connection = connected(shop, "jd")
    StoreConnection.objects.filter(pk=connection.pk).update(last_success_at=clock.now() - timedelta(minutes=31))
    assert warn_stalled() == 1
    assert warn_stalled() == 0
    message = Message.objects.get(template="platform.sync_stalled")
    assert message.recipient == "boss" and "30分钟" in message.subject


def test_push_signature_helper_rejects_a_body_changed_in_transit():
    body = b'[{"tag":"200","msg_id":"1","data":"{\\"aftersale_id\\":\\"1\\"}"}]'
    sign = douyin.push_sign("k", "s", body)
    assert douyin.Connector.pushed_case_ids("k", "s", {"app-id": "k", "event-sign": sign}, body + b" ") is None


def test_the_case_page_shows_the_platform_refusal_in_the_agents_language(client, shop):
    from aftersales.cases.domain.states import Actor
    from aftersales.cases.services import By, reject_case
    from aftersales.platforms.sync.pull import pull_store
    from aftersales.platforms.sync.push import deliver_commands

    simulator, connection = connected(shop, "taobao")
    simulator.add_case(kind="return_refund", no_reason_7day=True)
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    agent = member(shop, "agent1", "agent")
    reject_case(shop, case.pk, By(Actor.MERCHANT, agent), reason_code="not_intact")
    deliver_commands()
    client.force_login(agent)
    page = client.get(reverse("console:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "平台规则不允许这个操作" in page and 'data-platform-command="forbidden"' in page
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("console:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "do not allow this action" in page


def test_pdd_refusal_links_to_the_merchant_backend(client, shop):
    from aftersales.cases.domain.states import Actor
    from aftersales.cases.services import By, reject_case
    from aftersales.platforms.sync.pull import pull_store

    simulator, connection = connected(shop, "pdd")
    simulator.add_case(kind="return_refund")
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    agent = member(shop, "agent1", "agent")
    reject_case(shop, case.pk, By(Actor.MERCHANT, agent), reason_code="not_intact")
    client.force_login(agent)
    page = client.get(reverse("console:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "平台没有这个操作的接口" in page and "mms.pinduoduo.com" in page


@pytest.mark.parametrize("platform", ["jd", "pdd"])
def test_jd_and_pdd_push_messages_bring_the_case_within_one_worker_cycle(client, shop, platform):
    simulator, connection = connected(shop, platform)
    pushed = []
    simulator.receiver = lambda headers, body: pushed.append((headers, body))
    StoreConnection.objects.filter(pk=connection.pk).update(next_run_at=clock.now() + timedelta(hours=1))
    sim_case = simulator.add_case(kind="refund_only")
    headers, body = pushed[-1]
    url = reverse("stores:push", args=[connection.pk])
    message = json.loads(body)
    forged = client.post(url, json.dumps({**message, "sign": "0" * 32}), content_type="application/json")
    assert forged.status_code == 403 and not PushedCase.objects.exists()
    altered = json.dumps({**message, "content": message["content"].replace(sim_case.case_id, "1")})
    assert client.post(url, altered, content_type="application/json").status_code == 403
    other_app = simulator_for(platform, app_key="other-app", app_secret="other-secret")
    _foreign_headers, foreign_body = other_app.push_message(sim_case, "created")
    assert client.post(url, foreign_body, content_type="application/json").status_code == 403
    assert not PushedCase.objects.exists()
    answer = client.post(url, body, content_type="application/json", headers={"Content-Type": headers["Content-Type"]})
    assert answer.status_code == 200 and json.loads(answer.content)["code"] == 0
    assert list(PushedCase.objects.values_list("platform_case_id", flat=True)) == [sim_case.case_id]
    run_cycle()  # the periodic pull is not due: the push alone brings the case
    case = Case.objects.get(shop=shop, platform=platform)
    assert case.platform_case_id == sim_case.case_id
    assert not PushedCase.objects.exists()
    # A later change is pushed too and fetched at the next cycle.
    simulator.cases[sim_case.case_id].status = "closed"
    simulator.touch(simulator.cases[sim_case.case_id], "closed")
    client.post(url, pushed[-1][1], content_type="application/json")
    run_cycle()
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_taobao_has_no_push_receiver(client, shop):
    _simulator, connection = connected(shop, "taobao")
    assert client.post(reverse("stores:push", args=[connection.pk]), b"{}",
                       content_type="application/json").status_code == 404


@pytest.mark.parametrize(("lang", "names"), [("en", ["Douyin", "Taobao", "Tmall", "JD", "Pinduoduo"]),
                                             ("zh-hans", ["抖店", "淘宝", "天猫", "京东", "拼多多"])])
def test_the_connect_form_names_the_platforms_in_the_pages_language(client, shop, lang, names):
    client.force_login(member(shop, "owner_lang", "owner"))
    client.cookies["django_language"] = lang
    page = client.get(reverse("stores:home")).content.decode()
    options = [f'<option value="{code}">{name}</option>' for code, name in
               zip(("douyin", "taobao", "tmall", "jd", "pdd"), names, strict=True)]
    assert all(option in page for option in options), lang
