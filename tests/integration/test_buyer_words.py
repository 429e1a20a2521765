"""Cases carry what the buyer's words say — by every path a case opens (API, portal, import, service) —
the inbox sorts and filters by it, and staff corrections are kept per shop as training data."""

from __future__ import annotations

import pytest

from aftersales.cases import services
from aftersales.cases.models import Case, CaseEvent
from aftersales.core.errors import DomainError
from aftersales.intelligence.models import ReasonCorrection
from aftersales.intelligence.selectors import reason_corrections
from aftersales.platforms.services import import_file
from tests.integration.console_support import (
    MERCHANT,
    english,
    member,
    open_case,
    recent_order,
    text,
    upload,
)
from tests.unit import platform_fixtures as fx

pytestmark = pytest.mark.django_db

ANGRY_SIZE = "质量问题！衣服太小了根本穿不上，再不给换我就投诉"
WORDS = {"suggested_reason": "size_fit", "urgency": 3, "buyer_tags": ["尺码偏小"], "suggested_by": "model"}


def words_of(case: Case) -> dict:
    case.refresh_from_db()
    return {name: getattr(case, name) for name in WORDS}


def test_the_service_reads_the_buyers_words_beside_the_picked_reason(shop):
    case = open_case(shop, recent_order(shop, "DYW0001"), reason="quality_defect", note=ANGRY_SIZE)
    assert words_of(case) == WORDS
    assert case.reason == "quality_defect"  # the buyer's pick is kept as picked
    assert case.reason_evidence[:4] == ["太小", "穿不上", "小了", "投诉"]
    assert 0.5 < case.suggested_confidence <= 1


def test_no_words_leave_the_suggestion_blank(shop):
    case = open_case(shop, recent_order(shop, "DYW0002"), note="")
    assert (case.suggested_reason, case.urgency, case.buyer_tags, case.reason_evidence, case.suggested_by) == (
        "", 0, [], [], "")


def test_a_case_opened_over_the_api_carries_the_words(api, order):
    line = order.lines.get(platform_line_id=f"{order.platform_order_id}-1")
    response = api.post("/api/v1/cases", {
        "order_id": order.pk, "lines": [{"order_line_id": line.pk, "quantity": 1}], "kind": "return_refund",
        "reason": "quality_defect", "buyer_note": ANGRY_SIZE})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in WORDS} == WORDS
    assert body["reason"] == "quality_defect" and body["reason_evidence"][:2] == ["太小", "穿不上"]
    assert words_of(Case.objects.get(pk=body["id"])) == WORDS


def test_a_case_opened_in_the_portal_carries_the_words(client, shop):
    order = recent_order(shop, "DYW0003", phone="13812345678")
    client.post("/portal/", {"order_no": "DYW0003", "last4": "5678"})
    line = order.lines.get()
    response = client.post("/portal/order/request/", {
        f"qty_{line.pk}": "1", "kind": "return_refund", "reason": "quality_defect", "note": ANGRY_SIZE,
        "photos": [upload()]})
    assert response.status_code == 302
    assert words_of(Case.objects.get(order=order)) == WORDS


def test_cases_imported_from_a_platform_export_carry_the_words(db):
    from aftersales.accounts.models import Shop

    shop = Shop.objects.create(slug="demo", name="演示店")
    import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv())
    rows = [dict(row) for row in fx.DOUYIN_CASE_ROWS]
    rows[0] = {**rows[0], "售后原因": "质量问题", "用户售后说明": ANGRY_SIZE}
    run = import_file(shop, "douyin", "cases", "售后单.xlsx", fx.douyin_cases_xlsx(rows))
    assert run.status == "done", run.error_en
    angry = Case.objects.get(buyer_note=ANGRY_SIZE)
    assert angry.reason == "quality_defect"
    assert words_of(angry) == WORDS
    assert not Case.objects.exclude(buyer_note="").filter(suggested_reason="").exists()


def test_staff_correct_the_reason_and_the_shop_keeps_the_pair(client, shop):
    agent = member(shop, "agent_w", "agent")
    client.force_login(agent)
    case = open_case(shop, recent_order(shop, "DYW0004"), reason="quality_defect", note="颜色和图片差太多")
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert "原话判断" in page and "与描述不符" in page and "所选原因与原话不符" in page
    response = client.post(f"/console/cases/{case.pk}/act/correct_reason/", {"correct_reason-reason": "service"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.suggested_reason, case.suggested_by, case.suggested_confidence, case.reason) == (
        "service", "agent", 1.0, "quality_defect")
    [kept] = list(reason_corrections(shop))
    assert (kept.text, kept.picked_reason, kept.suggested_reason, kept.corrected_reason, kept.corrected_by) == (
        "颜色和图片差太多", "quality_defect", "not_as_described", "service", agent)
    event = CaseEvent.objects.get(case=case, action="correct_reason")
    assert event.payload == {"before": "not_as_described", "after": "service", "picked": "quality_defect"}
    assert "已由客服更正" in text(client.get(f"/console/cases/{case.pk}/"))


def test_a_bad_correction_changes_nothing(client, shop, other_shop):
    client.force_login(member(shop, "agent_x", "agent"))
    case = open_case(shop, recent_order(shop, "DYW0005"), note="发错货了")
    before = (words_of(case), case.version, case.events.count())
    response = client.post(f"/console/cases/{case.pk}/act/correct_reason/", {"correct_reason-reason": "bogus"})
    assert response.status_code == 422
    theirs = open_case(other_shop, recent_order(other_shop, "DYW0006"), note="发错货了")
    response = client.post(f"/console/cases/{theirs.pk}/act/correct_reason/", {"correct_reason-reason": "other"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert (words_of(case), case.version, case.events.count()) == before
    assert not ReasonCorrection.objects.exists()
    silent = open_case(shop, recent_order(shop, "DYW0007"), note="")
    with pytest.raises(DomainError) as err:
        services.correct_reason(shop, silent.pk, MERCHANT, reason="other")
    assert err.value.code == "case.no_buyer_words"
    with pytest.raises(DomainError):
        services.correct_reason(shop, case.pk, MERCHANT, reason="nonsense")
    assert not ReasonCorrection.objects.exists()


def test_the_buyer_never_sees_the_correction(client, shop):
    order = recent_order(shop, "DYW0008", phone="13812345678")
    case = open_case(shop, order, note="少发了一件")
    services.correct_reason(shop, case.pk, MERCHANT, reason="missing_item")
    client.post("/portal/", {"order_no": "DYW0008", "last4": "5678"})
    english(client)
    page = text(client.get(f"/portal/cases/{case.pk}/"))
    assert "corrected" not in page.lower()


@pytest.fixture
def three(shop):
    """A calm size case (picked right), an angry wrong item picked as quality, a threat about delivery."""
    calm = open_case(shop, recent_order(shop, "DYW0101", days_ago=3), reason="size_fit", note="偏小，想换大一码")
    angry = open_case(shop, recent_order(shop, "DYW0102", days_ago=2), reason="quality_defect",
                      note="发错货了！垃圾店铺，骗子！！！")
    threat = open_case(shop, recent_order(shop, "DYW0103", days_ago=1), reason="not_received",
                       note="一直没收到货，再不处理我就投诉到12315")
    return calm, angry, threat


def test_the_inbox_sorts_and_filters_by_the_buyers_words(client, shop, three):
    calm, angry, threat = three
    assert [c.urgency for c in (calm, angry, threat)] == [0, 2, 3]
    assert [c.suggested_reason for c in (calm, angry, threat)] == ["size_fit", "wrong_item", "not_received"]
    client.force_login(member(shop, "agent_y", "agent"))

    def order_of(**query) -> list[str]:
        page = text(client.get("/console/", query))
        found = [(page.find(c.number), c.number) for c in three if c.number in page]
        return [number for _, number in sorted(found)]

    assert order_of(sort="urgency") == [threat.number, angry.number, calm.number]
    assert order_of(urgency="2") == sorted([threat.number, angry.number], key=order_of().index)
    assert order_of(urgency="3") == [threat.number]
    assert order_of(urgent="on") == [threat.number]  # the older link still works
    assert order_of(mismatch="on") == [angry.number]
    assert order_of(said="wrong_item") == [angry.number]
    page = text(client.get("/console/", {"mismatch": "on"}))
    assert "原话: 发错货" in page or "原话：发错货" in page
    page = text(client.get("/console/", {"urgency": "9"}))
    assert "部分筛选条件无法识别" in page


def test_the_api_lists_by_urgency_and_mismatch_and_corrects(api, shop, three):
    calm, angry, threat = three
    ids = lambda response: [item["id"] for item in response.json()["items"]]  # noqa: E731
    assert ids(api.get("/api/v1/cases?sort=urgency")) == [threat.pk, angry.pk, calm.pk]
    assert ids(api.get("/api/v1/cases?urgency_min=2&sort=urgency")) == [threat.pk, angry.pk]
    assert ids(api.get("/api/v1/cases?mismatch=true")) == [angry.pk]
    assert ids(api.get("/api/v1/cases?said=size_fit,not_received&sort=urgency")) == [threat.pk, calm.pk]
    bad = api.get("/api/v1/cases?urgency_min=4")
    assert bad.status_code == 422 and bad.json()["code"] == "input.invalid"
    assert api.get("/api/v1/cases?sort=loudest").status_code == 422
    response = api.post(f"/api/v1/cases/{angry.pk}/reason", {"reason": "wrong_item"})
    assert response.status_code == 200
    assert (response.json()["suggested_reason"], response.json()["suggested_by"]) == ("wrong_item", "agent")
    refused = api.post(f"/api/v1/cases/{angry.pk}/reason", {"reason": "nonsense"})
    assert refused.status_code == 422 and refused.json()["code"] == "input.invalid_choice"
    assert ReasonCorrection.objects.count() == 1
    listed = api.get("/api/v1/reasons/corrections").json()
    assert listed["count"] == 1
    assert {k: listed["items"][0][k] for k in ("case_id", "text", "picked_reason", "suggested_reason",
                                                  "corrected_reason")} == {
        "case_id": angry.pk, "text": "发错货了！垃圾店铺，骗子！！！", "picked_reason": "quality_defect",
        "suggested_reason": "wrong_item", "corrected_reason": "wrong_item"}


def test_the_inbox_and_the_api_keep_only_sure_readings_of_another_goods_reason(client, api, shop, three):
    """One rule with the case's signal: an unsure reading or words about the service read otherwise for
    nobody (the filter used to list them)."""
    calm, angry, threat = three
    Case.objects.filter(pk=calm.pk).update(suggested_reason="wrong_item", suggested_confidence=0.59)
    Case.objects.filter(pk=threat.pk).update(suggested_reason="service", suggested_confidence=0.95)
    assert [item["id"] for item in api.get("/api/v1/cases?mismatch=true").json()["items"]] == [angry.pk]
    client.force_login(member(shop, "agent_w", "agent"))
    assert "mismatch-badge" not in client.get(f"/console/cases/{calm.pk}/").content.decode()
    assert "mismatch-badge" not in client.get(f"/console/cases/{threat.pk}/").content.decode()
    inbox = client.get("/console/").content.decode()
    assert inbox.count('class="small mismatch"') == 1  # the angry case's line only
    Case.objects.filter(pk=calm.pk).update(suggested_confidence=0.6)
    assert {item["id"] for item in api.get("/api/v1/cases?mismatch=true").json()["items"]} == {angry.pk, calm.pk}
    assert "mismatch-badge" in client.get(f"/console/cases/{calm.pk}/").content.decode()
