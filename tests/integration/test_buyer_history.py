"""The buyer's history on the case page: their orders, earlier cases with how each ended, their ratings —
of this shop only."""

from __future__ import annotations

import re

import pytest

from aftersales.care import services as care
from aftersales.cases import services
from aftersales.cases.models import Case
from aftersales.refunds import services as refunds
from tests.integration.console_support import BUYER, MERCHANT, open_case, recent_order, text

pytestmark = pytest.mark.django_db


def panel(page: str) -> str:
    start = page.index('id="buyer-history"')
    return page[start:page.index("</section>", start)]


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def history(shop, other_shop):
    """Buyer 买家001 (the same nick on every order: one buyer of the shop): a refunded and rated case, a
    case closed offline, and now a third request."""
    first = open_case(shop, recent_order(shop, "BH1001", shipped=False, days_ago=30), kind="refund_only",
                      reason="no_reason")
    services.approve_case(shop, first.pk, MERCHANT)
    refunds.grant_refund(shop, first.pk, MERCHANT, amount_fen=15900)
    refunds.execute_refund(shop, first.pk, MERCHANT, idempotency_key="bh-key-0001")
    care.rate_case(shop, first.pk, BUYER, score=4, comment="退款很快")
    second = open_case(shop, recent_order(shop, "BH2001", days_ago=20), kind="return_refund", reason="size_fit")
    services.close_case(shop, second.pk, MERCHANT, reason_code="resolved_offline")
    care.rate_case(shop, second.pk, BUYER, score=2)
    current = open_case(shop, recent_order(shop, "BH3001", days_ago=3))
    # Someone else in the shop, and the same nick in another shop: neither belongs to this history.
    open_case(shop, recent_order(shop, "BH4002", phone="13900009999", days_ago=5))
    stranger = open_case(other_shop, recent_order(other_shop, "BH5001", days_ago=5))
    care_case = Case.objects.get(pk=stranger.pk)
    services.close_case(other_shop, care_case.pk, MERCHANT, reason_code="resolved_offline")
    care.rate_case(other_shop, care_case.pk, BUYER, score=1, comment="别家店的评价")
    return {"first": Case.objects.get(pk=first.pk), "second": Case.objects.get(pk=second.pk),
            "current": current}


def test_the_case_page_shows_the_buyers_history_in_the_shop(client, agent, history):
    page = panel(text(client.get(f"/console/cases/{history['current'].pk}/")))
    summary = squeeze(page[page.index(">", page.index('id="buyer-history-summary"')) + 1:])
    assert summary.startswith("3 笔订单，共付 ¥477.00")
    assert "此前售后 2 次 · 已退款 ¥159.00 · 评分 3.0/5（2 次评价）" in summary
    cases = squeeze(page[page.index('id="buyer-history-cases"'):page.index("</table>")])
    first, second = history["first"], history["second"]
    assert first.status == "completed" and second.status == "closed"
    # Newest first, each with its outcome and rating.
    assert cases.index(second.number) < cases.index(first.number)
    assert f"{first.number}" in cases and "仅退款 · 七天无理由" in cases and "已退款 ¥159.00" in cases
    assert "★★★★☆" in cases and "退款很快" in cases and "★★☆☆☆" in cases
    assert history["current"].number not in cases
    orders = squeeze(page[page.index('id="buyer-history-orders"'):])
    assert orders.index("BH3001") < orders.index("BH2001") < orders.index("BH1001")
    assert "BH4002" not in page and "BH5001" not in page and "别家店的评价" not in page


def test_a_new_buyer_is_said_to_be_new(client, agent, shop):
    case = open_case(shop, recent_order(shop, "BH9009"))
    page = squeeze(panel(text(client.get(f"/console/cases/{case.pk}/"))))
    assert "1 笔订单，共付 ¥159.00" in page and "此前售后 0 次" in page and "暂无评价" in page
    assert "新买家：这是其在本店的第一笔订单、第一次售后。" in page


def test_the_history_stays_within_the_shop(client, other_shop, history):
    from tests.integration.console_support import member

    client.force_login(member(other_shop, "agent_other", "agent"))
    assert client.get(f"/console/cases/{history['current'].pk}/").status_code == 404
