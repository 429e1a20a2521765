"""What buyers say, per product and category: the analytics page and GET /api/v1/analytics/words."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import ApiToken
from tests.integration.console_support import member, open_case, recent_order, text

pytestmark = pytest.mark.django_db

NOTES = [
    ("size_fit", "偏小一码，王晓明，电话13812345678"),
    ("quality_defect", "太小了穿不上，换大一码"),  # picked quality, the words say size
    ("quality_defect", "衣服有股很重的异味"),
]


@pytest.fixture
def said(shop):
    return [open_case(shop, recent_order(shop, f"DYA000{i}"), reason=reason, note=note)
            for i, (reason, note) in enumerate(NOTES)]


def test_the_page_shows_themes_quotes_masked_and_reasons_beside_the_words(client, shop, said):
    client.force_login(member(shop, "agent_a", "agent"))
    page = text(client.get("/analytics/words/"))
    assert "买家怎么说" in page and "3 个有买家原话的售后单" in page
    assert "尺码偏小" in page and "异味" in page
    assert "13812345678" not in page and "138****5678" in page
    assert "王晓明" not in page and "王**" in page
    assert "法式碎花连衣裙" in page  # the product's row
    assert "所选原因与原话不符：1 / 3" in page
    product = said[0].lines.get().order_line.product_id
    one = text(client.get("/analytics/words/", {"product": product}))
    assert "尺码偏小" in one
    other = text(client.get("/analytics/words/", {"product": product + 999}))
    assert "这段时间没有买家在售后单上留下原话" in other


def test_the_api_answers_the_same_figures(client, shop, said):
    raw = ApiToken.issue(shop, name="t")[1]
    headers = {"Authorization": f"Bearer {raw}"}
    body = client.get("/api/v1/analytics/words", headers=headers).json()
    assert body["cases"] == 3
    themes = {t["tag"]: t for t in body["themes"]}
    assert themes["尺码偏小"]["cases"] == 2 and themes["异味"]["cases"] == 1
    assert all("13812345678" not in q for t in body["themes"] for _, q in t["quotes"])
    assert body["reasons"]["said"] == [["size_fit", 2], ["quality_defect", 1]]
    assert body["reasons"]["mismatched"] == 1
    assert [p["name"] for p in body["products"]] == ["法式碎花连衣裙"]
    warehouse = ApiToken.issue(shop, name="w", role="warehouse")[1]
    refused = client.get("/api/v1/analytics/words", headers={"Authorization": f"Bearer {warehouse}"})
    assert refused.status_code == 403
    bad = client.get("/api/v1/analytics/words?first=2026-13-01", headers=headers)
    assert bad.status_code == 422 and bad.json()["code"] == "input.invalid"


def test_the_themes_read_in_english_on_the_english_pages(client, shop, said):
    """The tags are kept in Chinese in the data; an English page names them in English."""
    from tests.integration.console_support import english

    client.force_login(member(shop, "agent_e", "agent"))
    english(client)
    page = text(client.get("/analytics/words/"))
    assert "Runs small" in page and "Smell" in page
    assert 'tag">尺码偏小' not in page and 'tag">异味' not in page  # the buyers' own quotes stay as written
    case_page = text(client.get(f"/console/cases/{said[2].pk}/"))
    assert said[2].buyer_tags == ["异味"]
    assert '<span class="badge tag">Smell</span>' in case_page and "异味</span>" not in case_page
