"""A refused case is still open (the buyer may appeal to the platform): the workbench gives it its own tab,
so the status tabs add up to 全部进行中."""

from __future__ import annotations

import re

import pytest

from aftersales.cases import services
from tests.integration.console_support import MERCHANT, member, open_case, recent_order, text

pytestmark = pytest.mark.django_db


def test_refused_cases_have_a_tab_and_the_tabs_add_up(client, shop):
    refused = open_case(shop, recent_order(shop, "DYR0001"))
    services.reject_case(shop, refused.pk, MERCHANT, reason_code="other", as_owner=True)
    waiting = open_case(shop, recent_order(shop, "DYR0002"))
    client.force_login(member(shop, "agent_r", "agent"))
    page = text(client.get("/console/"))
    counts = {key: int(n) for key, n in re.findall(r'data-tab="(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', page)}
    assert counts["rejected"] == 1 and counts["review"] == 1
    assert sum(n for key, n in counts.items() if key != "finished") == 2  # = 全部进行中
    assert "已拒绝" in page
    listed = text(client.get("/console/?tab=rejected"))
    assert refused.number in listed and waiting.number not in listed
