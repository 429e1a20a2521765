"""The workbench as 抖店/千牛 agents know it: status tabs with counts, whose move it is (us, the buyer or
the platform), the daily follow-ups, search by buyer, phone digits, product and tracking number, and no
red overdue for a deadline that is the buyer's or the platform's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.cases import services
from aftersales.cases.models import Case
from aftersales.core import clock
from tests.integration.console_support import BUYER, MERCHANT, open_case, recent_order, text

pytestmark = pytest.mark.django_db


def rows(page: str) -> int:
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return body.count("<tr") - body.count('class="muted" style="text-align:center')


@pytest.fixture
def loop(shop):
    """One case to review, one waiting for the buyer's parcel (its deadline passed), one in transit."""
    review = open_case(shop, recent_order(shop, "DYW0001", phone="13900001111"))
    waiting = open_case(shop, recent_order(shop, "DYW0002", phone="13900002222"), reason="quality_defect")
    services.approve_case(shop, waiting.pk, MERCHANT)
    Case.objects.filter(pk=waiting.pk).update(deadline_at=clock.now() - timedelta(days=2))
    moving = open_case(shop, recent_order(shop, "DYW0003", phone="13900003333"), reason="quality_defect")
    services.approve_case(shop, moving.pk, MERCHANT)
    services.record_return_shipment(shop, moving.pk, BUYER, carrier="顺丰速运", tracking_no="SF7788990011")
    return review, waiting, moving


def test_tabs_count_and_filter_the_cases(client, agent, loop):
    review, waiting, moving = loop
    page = text(client.get("/console/"))
    assert 'data-tab="review"' in page
    for key, n in (("review", 1), ("awaiting_return", 1), ("to_receive", 1), ("to_refund", 0)):
        tab = page[page.index(f'data-tab="{key}"'):]
        assert f'<span class="count">{n}</span>' in tab[:tab.index("</a>")], key
    page = text(client.get("/console/", {"tab": "awaiting_return"}))
    assert waiting.number in page and review.number not in page and moving.number not in page
    assert rows(page) == 1


def test_a_buyer_side_deadline_is_not_our_overdue(client, agent, loop):
    review, waiting, moving = loop
    page = text(client.get("/console/"))
    row = next(chunk for chunk in page.split("<tr") if waiting.number in chunk)
    assert 'data-waiting="buyer"' in row and "due-overdue" not in row and "等买家处理" in row
    overdue = text(client.get("/console/", {"overdue": "on"}))
    assert waiting.number not in overdue
    theirs = text(client.get("/console/", {"waiting": "buyer"}))
    assert waiting.number in theirs and moving.number not in theirs and review.number not in theirs
    ours = text(client.get("/console/", {"waiting": "us"}))
    assert review.number in ours and moving.number in ours and waiting.number not in ours
    case_page = text(client.get(f"/console/cases/{waiting.pk}/"))
    assert 'data-waiting="buyer"' in case_page


def test_search_by_buyer_phone_digits_product_and_tracking(client, agent, shop, loop):
    review, waiting, moving = loop
    assert review.number in text(client.get("/console/", {"q": "1111"}))
    assert rows(text(client.get("/console/", {"q": "1111"}))) == 1
    assert moving.number in text(client.get("/console/", {"q": "SF7788990011"}))
    named = text(client.get("/console/", {"q": "王晓明"}))
    assert rows(named) == 3
    assert rows(text(client.get("/console/", {"q": "碎花连衣裙"}))) == 3
    nick = text(client.get("/console/", {"q": "买家002"}))
    assert rows(nick) == 1 and waiting.number in nick
    assert rows(text(client.get("/console/", {"q": "羽绒服"}))) == 0


def test_an_over_long_search_is_refused_with_a_message(client, agent, loop):
    page = text(client.get("/console/", {"q": "查" * 65}))
    assert "搜索内容最多 64 个字符" in page


def test_todays_follow_ups(client, agent, shop, loop):
    review, waiting, moving = loop
    services.set_follow_up(shop, moving.pk, MERCHANT, follow_up=True)
    page = text(client.get("/console/", {"follow_up": "on"}))
    assert moving.number in page and rows(page) == 1
    quick = text(client.get("/console/"))
    assert 'data-quick="follow_up"' in quick


def test_the_platform_s_move_is_neither_ours_nor_overdue(client, agent, shop, loop):
    review, waiting, moving = loop
    # 平台介入, its evidence clock passed a day ago; and a decision pushed that the platform has not confirmed.
    ruling = open_case(shop, recent_order(shop, "DYW0004", phone="13900004444"), reason="quality_defect")
    services.escalate_case(shop, ruling.pk, BUYER, note="商家不处理")
    Case.objects.filter(pk=ruling.pk).update(deadline_at=clock.now() - timedelta(days=1))
    pushed = open_case(shop, recent_order(shop, "DYW0005", phone="13900005555"))
    Case.objects.filter(pk=pushed.pk).update(awaiting_platform="approve", deadline_at=clock.now() - timedelta(hours=1))
    page = text(client.get("/console/"))
    quick = page[page.index('<div class="quick">'):]
    quick = quick[:quick.index("</div>")]
    for who, n in (("us", 2), ("buyer", 1), ("platform", 2)):
        chip = quick[quick.index(f'data-quick="{who}"'):]
        assert f"<strong>{n}</strong>" in chip[:chip.index("</a>")], who
    assert "等平台处理" in quick
    arbitration = page[page.index('data-tab="arbitration"'):]
    assert '<span class="count">1</span>' in arbitration[:arbitration.index("</a>")]
    for case in (ruling, pushed):
        row = next(chunk for chunk in page.split("<tr") if case.number in chunk)
        assert 'data-waiting="platform"' in row and "due-overdue" not in row and "等平台处理" in row
    theirs = text(client.get("/console/", {"waiting": "platform"}))
    assert rows(theirs) == 2 and ruling.number in theirs and pushed.number in theirs
    ours = text(client.get("/console/", {"waiting": "us"}))
    assert ruling.number not in ours and pushed.number not in ours and rows(ours) == 2
    assert rows(text(client.get("/console/", {"overdue": "on"}))) == 0
    case_page = text(client.get(f"/console/cases/{ruling.pk}/"))
    assert 'data-waiting="platform"' in case_page and "等平台处理" in case_page and "due-overdue" not in case_page


def test_assigning_the_ticked_cases_without_choosing_anyone_changes_nothing(client, agent, shop, loop):
    """The list preselected 无 (nobody): 分配所选 pressed without a choice unassigned every ticked case."""
    case = Case.objects.filter(shop=shop).first()
    Case.objects.filter(pk=case.pk).update(assignee=agent)
    page = text(client.get("/console/"))
    assert "分配给…" in page and "无（取消分配）" in page
    assert 'title="适用于未发货的仅退款申请：一次同意并退款勾选的售后单' in page  # what 批量同意退款 is for
    response = client.post("/console/bulk/", {"do": "assign", "case": [case.pk], "assignee": ""}, follow=True)
    case.refresh_from_db()
    assert case.assignee == agent
    assert "请从列表中选择处理人。" in text(response)
    response = client.post("/console/bulk/", {"do": "assign", "case": [case.pk], "assignee": "0"}, follow=True)
    case.refresh_from_db()
    assert case.assignee is None
    assert "已取消 1 个售后单的处理人。" in text(response)
