"""The address of the client behind a request, through the reverse proxies this server trusts.

Behind a proxy every request arrives from the proxy's address; the client's is in X-Forwarded-For,
where each proxy appends the address it received the request from. Only the entries added by our own
proxies can be believed (a client may send any X-Forwarded-For it likes), so the client is the address
TRUSTED_PROXIES places from the right: with one proxy (the README's nginx), the last entry.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, remote]  # the nearest hop last
    # Walk right to left past our own proxies; the next hop is the client. A chain shorter than our
    # proxies (a request that bypassed them) gives its leftmost entry, which is still not attacker-picked
    # beyond what reached our first proxy.
    candidate = chain[-(trusted + 1)] if len(chain) > trusted else chain[0]
    return candidate if _valid(candidate) else remote
