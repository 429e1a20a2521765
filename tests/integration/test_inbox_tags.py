"""Tags are the agent's own words, mostly Chinese: filtering the inbox by one finds the cases that carry it."""

from __future__ import annotations

import pytest

from aftersales.cases.models import Case
from tests.integration.console_support import open_case, recent_order, text

pytestmark = pytest.mark.django_db


def test_a_chinese_tag_filters_the_inbox_to_its_cases(client, agent, shop):
    tagged = open_case(shop, recent_order(shop, "DYT0001"))
    other = open_case(shop, recent_order(shop, "DYT0002"))
    assert client.post(f"/console/cases/{tagged.pk}/act/tags/", {"tags-tags": "催发货，色差"}).status_code == 302
    assert client.post(f"/console/cases/{other.pk}/act/tags/", {"tags-tags": "催发货了吗"}).status_code == 302
    assert Case.objects.filter(shop=shop, tags__icontains="催发货").count() == 2
    page = text(client.get("/console/", {"tag": "催发货"}))
    assert tagged.number in page and other.number not in page
    page = text(client.get("/console/", {"tag": "色差"}))
    assert tagged.number in page and other.number not in page
    # A tag is matched whole: part of one finds nothing.
    page = text(client.get("/console/", {"tag": "发货"}))
    assert tagged.number not in page and other.number not in page
