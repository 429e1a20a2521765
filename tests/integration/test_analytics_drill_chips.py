"""The chips above the cases behind a figure name what was picked as a person reads it: 原因 尺码不合适,
not `reason: size_fit`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from aftersales.cases import services as cs
from aftersales.cases.domain.states import Actor
from tests.integration.console_support import english, member, text

pytestmark = pytest.mark.django_db

PERIOD = "first=2026-11-01&last=2026-11-30"


def chips(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", c).strip() for c in re.findall(r'<span class="badge filter-chip">(.*?)</span>', page)]


def test_each_chip_names_the_filter_and_its_value_in_words(client, shop, order):
    line = order.lines.order_by("pk").first()
    cs.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="return_refund", reason="size_fit",
                 by=cs.By(Actor.MERCHANT), now=order.paid_at + timedelta(days=3))
    client.force_login(member(shop, "owner_a", "owner"))
    query = (f"/analytics/cases/?{PERIOD}&reason=size_fit&sku={line.sku_id}&product={line.product_id}"
             "&platform=douyin&channel=live_stream&province=广东省")
    page = text(client.get(query))
    assert chips(page) == ["SKU：QZ-1001-M M", "商品：法式碎花连衣裙", "省份：广东省", "平台：抖店", "流量来源：直播",
                           "原因：尺码不合适"]
    assert "size_fit" not in "".join(chips(page)) and "reason:" not in page
    english(client)
    assert "Reason: Size or fit" in chips(text(client.get(query)))
