"""Every page the product serves carries a Content-Security-Policy that lets no inline or foreign script
run, so markup that reaches a page from data cannot execute even where escaping were missed."""

from __future__ import annotations

import re

import pytest

from tests.integration.console_support import open_case, recent_order

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def _assert_locked(response) -> None:
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["default-src"]
    assert not INLINE_SCRIPT.findall(response.content.decode())


def test_every_staff_page_forbids_inline_script(client, shop, owner):
    case = open_case(shop, recent_order(shop, "DYCSP001"))
    pages = ["/console/", f"/console/cases/{case.pk}/", "/console/settings/", "/analytics/",
             "/analytics/cases/", "/imports/", "/warehouse/", "/api/v1/docs"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_locked(response)


def test_public_pages_forbid_inline_script_too(client, db):
    for url, status in (("/portal/", 200), ("/accounts/login/", 200), ("/console/no-such-page/", 404)):
        response = client.get(url)
        assert response.status_code == status, url
        _assert_locked(response)
