"""Where a shop's webhook may go (aftersales.notifications.addresses): no database, no real DNS."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from aftersales.core.errors import DomainError
from aftersales.core.messages import translate
from aftersales.notifications import addresses

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


def _info(address: str, port: int = 443):
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


@pytest.fixture
def dns(monkeypatch):
    """A fake resolver: `dns["name"] = ["addr", …]`; unknown names fail as a real look-up does. Every
    question asked is kept in `dns.asked`."""

    class Zone(dict):
        asked: list[tuple[str, int]]

    zone = Zone()
    zone.asked = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket's names
        zone.asked.append((host, port))
        if host not in zone:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [_info(address, port) for address in zone[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return zone


def code_of(call, *args, **kwargs) -> tuple[str, dict]:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value.code, caught.value.params


# The URL itself ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "stored", "host", "port"), [
    ("https://hooks.example.com/aftersales", "https://hooks.example.com/aftersales", "hooks.example.com", 443),
    ("  HTTPS://Hooks.Example.COM  ", "https://hooks.example.com/", "hooks.example.com", 443),
    ("http://hooks.example.com:8080/in?shop=1#top", "http://hooks.example.com:8080/in?shop=1",
     "hooks.example.com", 8080),
    ("https://例子.中国/钩子?a=值", "https://xn--fsqu00a.xn--fiqs8s/%E9%92%A9%E5%AD%90?a=%E5%80%BC",
     "xn--fsqu00a.xn--fiqs8s", 443),
    ("http://[2606:2800:21f:cb07::1]:8443/h", "http://[2606:2800:21f:cb07::1]:8443/h",
     "2606:2800:21f:cb07::1", 8443),
    ("https://hooks.example.com:443/", "https://hooks.example.com:443/", "hooks.example.com", 443),
])
def test_a_good_url_is_kept_in_a_form_that_can_be_requested(url, stored, host, port):
    assert addresses.check_url(url) == addresses.Target(url=stored, scheme=stored.split(":")[0], host=host,
                                                        port=port)


@pytest.mark.parametrize(("url", "code"), [
    ("", "webhook.invalid_url"),
    ("   ", "webhook.invalid_url"),
    ("file:///etc/passwd", "webhook.scheme_not_allowed"),
    ("ftp://hooks.example.com/x", "webhook.scheme_not_allowed"),
    ("gopher://hooks.example.com:70/_x", "webhook.scheme_not_allowed"),
    ("javascript:alert(1)", "webhook.scheme_not_allowed"),
    ("hooks.example.com/aftersales", "webhook.scheme_not_allowed"),
    ("https://user:pw@hooks.example.com/", "webhook.credentials_not_allowed"),
    ("https://token@hooks.example.com/", "webhook.credentials_not_allowed"),
    ("https://@hooks.example.com/", "webhook.credentials_not_allowed"),
    ("http://hooks.example.com\\@127.0.0.1/", "webhook.credentials_not_allowed"),
    ("https:///only-a-path", "webhook.invalid_url"),
    ("https://[::1/", "webhook.invalid_url"),
    ("https://hooks.example.com:http/", "webhook.invalid_url"),
    ("https://hooks.example.com:70000/", "webhook.invalid_url"),
    ("https://hooks example.com/", "webhook.invalid_url"),
    ("https://hooks.example.com/a\nb", "webhook.invalid_url"),
    ("https://hooks.exa%6dple.com/", "webhook.invalid_url"),
    ("https://a..b/", "webhook.invalid_url"),
    ("https://hooks.example.com/" + "x" * 200, "webhook.url_too_long"),
])
def test_a_bad_url_is_refused_with_its_reason(url, code):
    assert code_of(addresses.check_url, url)[0] == code


@pytest.mark.parametrize("port", [22, 25, 53, 79, 110, 143, 587, 993, 1023, 2049, 5060, 6000, 6667, 10080])
def test_ports_of_other_protocols_are_refused(port):
    assert code_of(addresses.check_url, f"http://hooks.example.com:{port}/") == (
        "webhook.port_not_allowed", {"port": port})


@pytest.mark.parametrize("port", [80, 443, 1024, 3000, 5000, 8000, 8080, 8443, 9999, 12345, 65535])
def test_http_and_unprivileged_ports_are_allowed(port):
    assert addresses.check_url(f"https://hooks.example.com:{port}/").port == port


# Addresses -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("10.0.0.5", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("169.254.169.254", "link-local"),  # the cloud metadata service
    ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("100.64.0.1", "not globally reachable"),  # shared address space (carrier NAT, clusters)
    # IPv6 addresses that lead to an IPv4 one are judged by it.
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.1.2.3", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::a00:5", "private"),  # NAT64 of 10.0.0.5
    ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
])
def test_addresses_of_the_servers_own_network_are_refused(address, kind):
    assert addresses.refusal(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", [PUBLIC_V4, "1.1.1.1", PUBLIC_V6, "::ffff:93.184.215.14",
                                     "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"])
def test_public_addresses_are_allowed(address):
    assert addresses.refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(("address", "allowed"), [
    ("127.0.0.1", True), ("::1", True), ("10.0.0.5", True), ("192.168.1.1", True), ("fd00::1", True),
    ("::ffff:127.0.0.1", True), ("100.64.0.1", True),
    ("169.254.169.254", False), ("fe80::1", False), ("224.0.0.1", False), ("0.0.0.0", False),
    ("240.0.0.1", False),
])
def test_allowing_private_addresses_still_refuses_metadata_multicast_and_reserved(address, allowed):
    kind = addresses.refused_kind(ipaddress.ip_address(address), allow_private=True)
    assert (kind is None) is allowed
    assert addresses.refused_kind(ipaddress.ip_address(address)) is not None


# Look-ups --------------------------------------------------------------------------------------------------

def test_a_host_with_only_public_addresses_passes(dns):
    dns["hooks.example.com"] = [PUBLIC_V4, PUBLIC_V6]
    target = addresses.check("https://hooks.example.com/aftersales")
    assert target.url == "https://hooks.example.com/aftersales"
    assert dns.asked == [("hooks.example.com", 443)]


@pytest.mark.parametrize(("answer", "refused"), [
    (["127.0.0.1"], "127.0.0.1"),
    (["10.0.0.5"], "10.0.0.5"),
    (["::1"], "::1"),
    (["fe80::1%eth0"], "fe80::1"),
    (["::ffff:192.168.0.10"], "::ffff:192.168.0.10"),
    ([PUBLIC_V4, "10.0.0.5"], "10.0.0.5"),  # one bad answer among good ones is enough
    ([PUBLIC_V6, "fd00::2"], "fd00::2"),
])
def test_a_name_that_resolves_into_the_servers_network_is_refused(dns, answer, refused):
    dns["hooks.example.com"] = answer
    refused = str(ipaddress.ip_address(refused))  # Python 3.13 writes ::ffff:a.b.c.d as such
    code, params = code_of(addresses.check, "https://hooks.example.com/aftersales")
    assert code == "webhook.address_not_allowed"
    assert (params["host"], params["address"]) == ("hooks.example.com", refused)
    assert translate(code, "zh-hans", **params) == (
        f"「hooks.example.com」指向 {refused}，这是本机、内网或保留地址。为了安全，Webhook 只能发送到公网地址。")


@pytest.mark.parametrize(("url", "address"), [
    ("http://127.0.0.1:8080/hook", "127.0.0.1"),
    ("http://10.0.0.5/hook", "10.0.0.5"),
    ("http://[::1]/hook", "::1"),
    ("http://[::ffff:7f00:1]/hook", "::ffff:127.0.0.1"),
    ("http://2130706433/hook", "127.0.0.1"),  # 127.0.0.1 as one number: judged by what it resolves to
    ("http://localhost/hook", "127.0.0.1"),
])
def test_literal_and_disguised_local_hosts_are_refused(dns, url, address):
    mapped = str(ipaddress.ip_address("::ffff:127.0.0.1"))
    dns.update({"127.0.0.1": ["127.0.0.1"], "10.0.0.5": ["10.0.0.5"], "::1": ["::1"], mapped: [mapped],
                "2130706433": ["127.0.0.1"], "localhost": ["127.0.0.1"]})
    code, params = code_of(addresses.check, url)
    assert (code, params["address"]) == ("webhook.address_not_allowed", str(ipaddress.ip_address(address)))
    assert addresses.check(url, allow_private=True).host in dns


def test_a_name_that_does_not_resolve_is_refused_when_saved(dns):
    assert code_of(addresses.check, "https://no-such-host.example/") == (
        "webhook.unresolvable", {"host": "no-such-host.example"})


def test_connect_checks_the_addresses_of_its_own_look_up_and_never_looks_twice(dns, monkeypatch):
    dns["hooks.example.com"] = ["10.0.0.5"]
    opened = []
    monkeypatch.setattr(socket, "socket", lambda *a, **k: opened.append(a) or pytest.fail("no socket"))
    code, params = code_of(addresses.connect, ("hooks.example.com", 443), 5)
    assert (code, params["kind"]) == ("webhook.address_not_allowed", "private")
    assert opened == [] and dns.asked == [("hooks.example.com", 443)]


def test_connect_goes_to_the_address_it_checked(dns, monkeypatch):
    dns["hooks.example.com"] = [PUBLIC_V4]
    connected = []

    class FakeSocket:
        def __init__(self, family, kind, proto):
            self.family = family

        def settimeout(self, timeout):
            self.timeout = timeout

        def connect(self, sockaddr):
            connected.append((sockaddr, self.timeout))

    monkeypatch.setattr(socket, "socket", FakeSocket)
    sock = addresses.connect(("hooks.example.com", 443), 7.5)
    assert isinstance(sock, FakeSocket) and sock.family == socket.AF_INET
    assert connected == [((PUBLIC_V4, 443), 7.5)]
    assert dns.asked == [("hooks.example.com", 443)]


def test_a_failed_look_up_at_connect_time_is_an_os_error_to_retry(dns):
    with pytest.raises(OSError):
        addresses.connect(("gone.example.com", 443), 5)


def test_every_refusal_reads_well_in_both_languages():
    params = {"limit": 200, "port": 22, "host": "hooks.example.com", "address": "10.0.0.5"}
    codes = ["webhook.invalid_url", "webhook.url_too_long", "webhook.scheme_not_allowed",
             "webhook.credentials_not_allowed", "webhook.port_not_allowed", "webhook.unresolvable",
             "webhook.address_not_allowed"]
    for code in codes:
        zh, en = translate(code, "zh-hans", **params), translate(code, "en", **params)
        assert zh != code and en != code and "{" not in zh + en
    assert translate("webhook.port_not_allowed", "zh-hans", port=22) == (
        "Webhook 不能发送到端口 22：只允许 80、443 或 1024 以上的常用端口。")
