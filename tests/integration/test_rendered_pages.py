"""What a person sees: no page of the console, the desk or the portal shows template syntax."""

from __future__ import annotations

import pytest

from tests.integration.console_support import member, open_case, recent_order, text

pytestmark = pytest.mark.django_db


def no_template_syntax(page: str) -> None:
    for token in ("{#", "#}", "{%", "%}", "{{", "}}"):
        assert token not in page, token


def test_staff_and_buyer_pages_show_no_template_comments(client, shop):
    order = recent_order(shop, "DYR0001", phone="13812345678")
    case = open_case(shop, order)
    client.force_login(member(shop, "owner_r", "owner"))
    for path in ("/console/", f"/console/cases/{case.pk}/", "/console/settings/", "/warehouse/",
                 f"/warehouse/cases/{case.pk}/inspect/"):
        response = client.get(path)
        assert response.status_code in (200, 302), path
        if response.status_code == 200:
            no_template_syntax(text(response))
    client.logout()
    assert client.post("/portal/", {"order_no": "DYR0001", "last4": "5678"}).status_code == 302
    for path in ("/portal/order/", f"/portal/cases/{case.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        no_template_syntax(text(response))
