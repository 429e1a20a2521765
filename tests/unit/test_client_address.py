"""The client's address through a configured number of trusted proxies (rightmost untrusted hop)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from aftersales.serving.client_address import client_address


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("trusted,remote,forwarded,client", [
    (0, "203.0.113.1", "1.1.1.1", "203.0.113.1"),                       # no proxy: the header is the client's lie
    (1, "10.0.0.1", "198.51.100.2", "198.51.100.2"),                    # nginx appended the client
    (1, "10.0.0.1", "6.6.6.6, 198.51.100.2", "198.51.100.2"),           # a forged entry on the left is ignored
    (2, "10.0.0.1", "6.6.6.6, 198.51.100.2, 10.0.0.9", "198.51.100.2"),  # CDN then nginx
    (1, "10.0.0.1", None, "10.0.0.1"),                                  # no header: the connecting address
    (1, "10.0.0.1", "not-an-ip", "10.0.0.1"),                            # garbage is not an address
    (1, "10.0.0.1", "2001:db8::5", "2001:db8::5"),
    (3, "10.0.0.1", "198.51.100.2", "198.51.100.2"),                    # fewer hops than proxies: leftmost
])
def test_the_client_is_the_hop_just_before_our_proxies(settings, trusted, remote, forwarded, client):
    settings.TRUSTED_PROXIES = trusted
    assert client_address(_request(remote, forwarded)) == client
