"""Buyer notifications on the shop settings page: the webhook URL (checked against the server's own
network when saved and again when delivered), its signing secret shown once, and the e-mail toggle."""

from __future__ import annotations

import logging
import re
import socket

import pytest

from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.notifications.delivery import deliver_due
from aftersales.notifications.models import Message
from aftersales.notifications.outbox import channels_for
from aftersales.notifications.rendering import verify
from tests.integration.console_support import MERCHANT, english, member, open_case, recent_order, text
from tests.integration.webhook_support import Receiver

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"
SAVE = "/console/settings/notifications/"
ROTATE = "/console/settings/notifications/rotate-secret/"
REFUSED_ZH = "这是本机、内网或保留地址。为了安全，Webhook 只能发送到公网地址。"


@pytest.fixture
def dns(monkeypatch):
    """Names resolve to what the test says (`dns["name"] = [addresses]`); IP literals as they are."""
    real = socket.getaddrinfo
    zone: dict[str, list[str]] = {}

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket's names
        if host in zone:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (a, port, 0, 0) if ":" in a else (a, port)) for a in zone[host]]
        return real(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    zone["hooks.example.com"] = [PUBLIC]
    return zone


def state(shop) -> tuple[str, str, bool]:
    fresh = Shop.objects.get(pk=shop.pk)
    return fresh.webhook_url, fresh.webhook_secret, fresh.notify_email


def save(client, url: str, email: bool = False):
    data = {"notify-webhook_url": url}
    if email:
        data["notify-notify_email"] = "on"
    return client.post(SAVE, data)


def shown_secrets(page: str) -> list[str]:
    return re.findall(r"\b[0-9a-f]{64}\b", page)


def test_the_owner_sets_the_webhook_and_sees_the_secret_once(client, owner, shop, dns):
    page = text(client.get("/console/settings/"))
    assert "买家通知" in page and "Webhook 地址" in page and "尚未生成" in page
    assert state(shop) == ("", "", False)

    response = save(client, "  https://Hooks.Example.com/aftersales?shop=alpha ", email=True)
    assert response.status_code == 302 and response["Location"] == "/console/settings/"
    url, secret, email = state(shop)
    assert (url, email) == ("https://hooks.example.com/aftersales?shop=alpha", True)
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    assert channels_for(Shop.objects.get(pk=shop.pk)) == ["webhook", "email"]

    first = client.get("/console/settings/")
    page = text(first)
    assert "买家通知设置已保存。Webhook 签名密钥只在下方显示这一次，请立即复制到接收端。" in page
    assert shown_secrets(page) == [secret]
    assert first["Cache-Control"] == "no-store"
    assert "https://hooks.example.com/aftersales?shop=alpha" in page and f"…{secret[-4:]}" in page

    again = text(client.get("/console/settings/"))
    assert shown_secrets(again) == [] and f"…{secret[-4:]}" in again

    # Saving again keeps the secret: the receiver still has it.
    assert save(client, "https://hooks.example.com/v2").status_code == 302
    assert state(shop) == ("https://hooks.example.com/v2", secret, False)
    page = text(client.get("/console/settings/"))
    assert "买家通知设置已保存。" in page and shown_secrets(page) == []


def test_clearing_the_url_turns_the_webhook_off(client, owner, shop, dns):
    save(client, "https://hooks.example.com/aftersales")
    secret = state(shop)[1]
    response = save(client, "   ", email=True)
    assert response.status_code == 302
    assert state(shop) == ("", secret, True)
    assert channels_for(Shop.objects.get(pk=shop.pk)) == ["email"]
    assert "Webhook 已关闭" in text(client.get("/console/settings/"))
    save(client, "")
    assert channels_for(Shop.objects.get(pk=shop.pk)) == ["log"]


def test_rotating_makes_a_new_secret_shown_once_and_logs_no_secret(client, owner, shop, dns, caplog):
    save(client, "https://hooks.example.com/aftersales")
    client.get("/console/settings/")  # the first secret shown and gone
    old = state(shop)[1]
    with caplog.at_level(logging.INFO, logger="aftersales.notifications"):
        response = client.post(ROTATE)
    assert response.status_code == 302
    url, new, _email = state(shop)
    assert url == "https://hooks.example.com/aftersales"
    assert re.fullmatch(r"[0-9a-f]{64}", new) and new != old
    page = text(client.get("/console/settings/"))
    assert "已生成新的签名密钥，旧密钥立即失效。" in page
    assert shown_secrets(page) == [new] and old not in page
    assert shown_secrets(text(client.get("/console/settings/"))) == []
    assert "webhook signing secret rotated by owner_a" in caplog.text
    assert new not in caplog.text and old not in caplog.text


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:8080/hook", "「127.0.0.1」指向 127.0.0.1，" + REFUSED_ZH),
    ("http://10.1.2.3/hook", "「10.1.2.3」指向 10.1.2.3，" + REFUSED_ZH),
    ("http://[::1]/hook", "「::1」指向 ::1，" + REFUSED_ZH),
    ("http://169.254.169.254/latest/meta-data/", "「169.254.169.254」指向 169.254.169.254，" + REFUSED_ZH),
    ("https://internal.example.com/hook", "「internal.example.com」指向 192.168.0.7，" + REFUSED_ZH),
    ("file:///etc/passwd", "Webhook 地址必须以 https:// 或 http:// 开头。"),
    ("https://admin:pw@hooks.example.com/", "Webhook 地址里不能包含用户名或密码"),
    ("https://hooks.example.com:22/", "Webhook 不能发送到端口 22"),
    ("https://nowhere.example.com/", "找不到主机「nowhere.example.com」（域名无法解析），请检查网址。"),
])
def test_a_url_into_the_servers_network_is_refused_in_chinese_and_nothing_changes(client, owner, shop, dns,
                                                                                  url, message):
    dns["internal.example.com"] = [PUBLIC, "192.168.0.7"]
    save(client, "https://hooks.example.com/aftersales")
    client.get("/console/settings/")
    before = state(shop)
    response = save(client, url, email=True)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'value="' + url.replace("&", "&amp;") + '"' in page  # shown again as typed, to correct
    assert shown_secrets(page) == []
    assert state(shop) == before


def test_the_refusal_is_in_english_for_an_english_page(client, owner, shop, dns):
    english(client)
    response = save(client, "http://10.1.2.3/hook")
    assert response.status_code == 422
    assert ("“10.1.2.3” points to 10.1.2.3, an address of this server, a private network or a reserved range. "
            "For safety, webhooks go only to public addresses.") in text(response)
    assert state(shop) == ("", "", False)


def test_private_addresses_are_accepted_only_when_the_setting_allows_them(client, owner, shop, dns, settings):
    settings.AFTERSALES_WEBHOOK_ALLOW_PRIVATE = True
    assert save(client, "http://10.1.2.3:8080/hook").status_code == 302
    assert state(shop)[0] == "http://10.1.2.3:8080/hook"
    # The metadata service stays out of reach even then.
    assert save(client, "http://169.254.169.254/").status_code == 422
    assert state(shop)[0] == "http://10.1.2.3:8080/hook"


def test_only_the_owner_changes_notifications(client, shop, dns):
    shop.webhook_url, shop.webhook_secret = "https://hooks.example.com/aftersales", "a" * 64
    shop.save()
    before = state(shop)
    assert save(client, "https://evil.example.com/").status_code == 302  # not signed in: to the login page
    assert client.post(ROTATE).status_code == 302
    for role in ("agent", "warehouse"):
        client.force_login(member(shop, f"{role}_a", role))
        assert client.get("/console/settings/").status_code == 403
        assert save(client, "https://evil.example.com/", email=True).status_code == 403
        assert client.post(ROTATE).status_code == 403
        assert state(shop) == before
    client.force_login(member(shop, "owner_a", "owner"))
    assert client.get(SAVE).status_code == 405
    assert client.get(ROTATE).status_code == 405
    assert state(shop) == before


def _approved_case_message(shop) -> Message:
    case = open_case(shop, recent_order(shop, "DYN0001"))
    services.approve_case(shop, case.pk, MERCHANT)
    return Message.objects.get(case=case, channel="webhook")


def test_delivery_to_a_url_that_now_resolves_privately_is_dead(client, owner, shop, dns):
    assert save(client, "https://hooks.example.com/aftersales").status_code == 302
    message = _approved_case_message(shop)
    dns["hooks.example.com"] = ["10.0.0.5"]  # the name's owner points it inside our network
    report = deliver_due()
    assert report.counts == {"dead": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == ("dead", 1, None)
    assert message.last_error == (
        "webhook address refused: “hooks.example.com” points to 10.0.0.5, an address of this server, a private "
        "network or a reserved range. For safety, webhooks go only to public addresses. (private)")


def test_delivery_to_a_url_set_elsewhere_is_checked_too(shop, dns):
    shop.webhook_url, shop.webhook_secret = "http://127.0.0.1:8080/hook", "b" * 64  # e.g. in Django admin
    shop.save()
    message = _approved_case_message(shop)
    assert deliver_due().counts == {"dead": 1}
    message.refresh_from_db()
    assert message.status == "dead" and "points to 127.0.0.1" in message.last_error and "(loopback)" in message.last_error


def test_delivery_connects_to_the_address_it_checked_and_signs_for_the_name(client, owner, shop, dns, settings):
    settings.AFTERSALES_WEBHOOK_ALLOW_PRIVATE = True
    dns["hooks.example.com"] = ["127.0.0.1"]
    with Receiver() as receiver:
        assert save(client, f"http://hooks.example.com:{receiver.port}/in").status_code == 302
        message = _approved_case_message(shop)
        assert deliver_due().counts == {"sent": 1}
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert headers["Host"] == f"hooks.example.com:{receiver.port}"
    assert verify(body, state(shop)[1], headers["X-Aftersales-Signature"])
    assert headers["X-Aftersales-Delivery"] == str(message.pk)
