"""Where a shop's webhook may be sent: never into the server's own network (SSRF).

A webhook URL is typed by a shop owner, and the server then POSTs to it from inside its own network. So
the URL is checked when it is saved (`check_url`, then `resolve`) and again at every delivery, where the
connection itself goes through `connect`: the host is looked up once, every address it resolves to is
checked, and the socket is opened to one of those very addresses. A name that resolved to a public
address when it was saved and resolves to 10.0.0.5 today is refused today; a name whose answer changes
between the check and the connection (DNS rebinding) cannot slip through, as there is no second look-up.

Refused:

- schemes other than https and http (file:, ftp:, gopher: …), and a user name or password in the URL;
- hosts with any address (IPv4 or IPv6) that is unspecified (0.0.0.0/8, ::), link-local (169.254/16
  with the cloud metadata service, fe80::/10), multicast, loopback, private (10/8, 172.16/12,
  192.168/16, fc00::/7 …), reserved, or otherwise not globally reachable (100.64/10 …). An IPv6 address
  that carries an IPv4 one (::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged by the IPv4
  address it leads to. One bad address among several refuses the host: a client may connect to any;
- ports other than 80, 443 and 1024–65535, and among those the ones on the "bad port" list of the
  WHATWG Fetch standard (the list browsers refuse to send HTTP to: IRC, SIP, NFS, X11 …). Below 1024
  live the services of other protocols (SSH 22, SMTP 25, DNS 53 …), where an HTTP request only serves
  to talk to them; above it, webhook receivers listen where they like (3000, 8080, 8443, a tunnel's
  port), and it is the address check, not the port, that keeps internal services out of reach.

`allow_private` (the setting AFTERSALES_WEBHOOK_ALLOW_PRIVATE) lets loopback and private addresses
through, for a receiver on the same machine or the shop's intranet, and for tests. Unspecified,
link-local, multicast and reserved addresses stay refused even then.

Pure Python (no Django); refusals are `DomainError`s whose codes are in `core/messages.toml`.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from aftersales.core.errors import DomainError

SCHEMES = {"http": 80, "https": 443}
#: Shop.webhook_url is a URLField of Django's default length.
MAX_URL_LENGTH = 200
#: Ports of the WHATWG Fetch standard's "bad port" list above 1023 (those below are refused anyway).
BAD_PORTS = frozenset({1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566,
                       6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080})
#: Kinds of address refused even when private addresses are allowed.
ALWAYS_REFUSED = frozenset({"unspecified", "link-local", "multicast", "reserved"})

_HOST_NAME = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# Left as they are when a path or query is made ASCII (non-ASCII is percent-encoded).
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    url: str  # the URL as it is stored and requested: host in ASCII (IDNA), no fragment
    scheme: str
    host: str  # without brackets for IPv6
    port: int


def port_allowed(port: int) -> bool:
    return port in (80, 443) or (1024 <= port <= 65535 and port not in BAD_PORTS)


def check_url(url: str) -> Target:
    """What can be told from the URL itself, without a look-up. Raises DomainError("webhook.…")."""
    text = (url or "").strip()
    if not text:
        raise DomainError("webhook.invalid_url")
    if len(text) > MAX_URL_LENGTH:
        raise DomainError("webhook.url_too_long", limit=MAX_URL_LENGTH)
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise DomainError("webhook.invalid_url")
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed [IPv6 bracket
        raise DomainError("webhook.invalid_url") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise DomainError("webhook.scheme_not_allowed")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise DomainError("webhook.credentials_not_allowed")
    try:
        explicit_port = parts.port
    except ValueError:  # not a number, or above 65535
        raise DomainError("webhook.invalid_url") from None
    host = _ascii_host(parts.hostname or "")
    port = explicit_port if explicit_port is not None else SCHEMES[scheme]
    if not port_allowed(port):
        raise DomainError("webhook.port_not_allowed", port=port)
    netloc = f"[{host}]" if ":" in host else host
    if explicit_port is not None:
        netloc = f"{netloc}:{explicit_port}"
    path = quote(parts.path, safe=_URL_SAFE) or "/"
    query = quote(parts.query, safe=_URL_SAFE)
    return Target(url=urlunsplit((scheme, netloc, path, query, "")), scheme=scheme, host=host, port=port)


def _ascii_host(host: str) -> str:
    if not host:
        raise DomainError("webhook.invalid_url")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:  # not an address literal: a host name, checked below
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise DomainError("webhook.invalid_url") from None
    if len(ascii_host) > 253 or not _HOST_NAME.match(ascii_host):
        raise DomainError("webhook.invalid_url")
    return ascii_host


def refusal(address: IPAddress) -> str | None:
    """Why a connection to `address` is refused (a kind of address), or None where it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and any(address in net for net in _NAT64):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal(embedded)
    if address.is_unspecified or address in _THIS_NETWORK:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_loopback:
        return "loopback"
    if address.is_reserved:
        return "reserved"
    if address.is_private or getattr(address, "is_site_local", False):
        return "private"
    if not address.is_global:
        return "not globally reachable"
    return None


def refused_kind(address: IPAddress, *, allow_private: bool = False) -> str | None:
    kind = refusal(address)
    if kind is None or (allow_private and kind not in ALWAYS_REFUSED):
        return None
    return kind


def _address(sockaddr) -> IPAddress:
    return ipaddress.ip_address(sockaddr[0].split("%", 1)[0])  # an IPv6 scope (fe80::1%eth0) aside


def vet(host: str, infos: list, *, allow_private: bool = False) -> list:
    """`infos` (from getaddrinfo) if every address in them may be connected to; else DomainError."""
    for info in infos:
        address = _address(info[4])
        kind = refused_kind(address, allow_private=allow_private)
        if kind is not None:
            raise DomainError("webhook.address_not_allowed", host=host, address=str(address), kind=kind)
    return infos


def lookup(host: str, port: int) -> list:
    """getaddrinfo for a TCP connection; socket.gaierror (an OSError) when the name does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not infos:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    return infos


def resolve(host: str, port: int, *, allow_private: bool = False) -> list:
    """Look the host up and vet every address; a name that does not resolve is refused too."""
    try:
        infos = lookup(host, port)
    except (OSError, UnicodeError):
        raise DomainError("webhook.unresolvable", host=host) from None
    return vet(host, infos, allow_private=allow_private)


def check(url: str, *, allow_private: bool = False) -> Target:
    """Everything: the URL, then every address its host resolves to. What saving a URL runs."""
    target = check_url(url)
    resolve(target.host, target.port, allow_private=allow_private)
    return target


def connect(address: tuple[str, int], timeout: float | None = None, source_address=None, *,
            allow_private: bool = False) -> socket.socket:
    """socket.create_connection with the check in between: one look-up, every address vetted, then a
    connection to one of those addresses. A refused address raises DomainError (not an OSError, so
    that urllib passes it through untouched); a failed look-up or connection raises OSError."""
    host, port = address
    infos = vet(host, lookup(host, port), allow_private=allow_private)
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = None
        try:
            sock = socket.socket(family, kind, proto)
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            if sock is not None:
                sock.close()
    raise error or OSError(f"no address to connect to for {host}")
