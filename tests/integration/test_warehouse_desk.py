"""The receiving desk: scan, receive, inspect and grade; parcels with no information matched later."""

from __future__ import annotations

import pytest

from aftersales.cases import services
from aftersales.cases.models import Case, CaseEvent
from aftersales.warehouse.models import Inspection, ReturnParcel
from tests.integration.console_support import (
    BUYER,
    MERCHANT,
    english,
    member,
    open_case,
    recent_order,
    text,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(client, shop):
    user = member(shop, "keeper", "warehouse")
    client.force_login(user)
    return user


@pytest.fixture
def shipped_case(shop):
    case = open_case(shop, recent_order(shop, "DYW0001"))
    services.approve_case(shop, case.pk, MERCHANT)
    services.record_return_shipment(shop, case.pk, BUYER, carrier="顺丰", tracking_no="SF20261122001")
    return case


def test_scan_receive_and_grade_a_moves_the_case_to_the_refund(client, keeper, shipped_case):
    page = text(client.get("/warehouse/", {"tracking_no": "sf 20261122001"}))
    assert shipped_case.number in page and "签收并质检" in page
    response = client.post("/warehouse/receive/", {"parcel-tracking_no": "SF20261122001",
                                                   "parcel-case": shipped_case.pk})
    assert response.status_code == 302 and response["Location"] == f"/warehouse/cases/{shipped_case.pk}/inspect/"
    assert Case.objects.get(pk=shipped_case.pk).status == "return_received"
    form = text(client.get(response["Location"]))
    assert "吊牌完好" in form and "未洗涤" in form  # the category's checklist
    response = client.post(response["Location"], {"grade": "A", "restock": "on", "check_tags_intact": "on",
                                                  "check_not_washed": "on", "photos": [upload()]})
    assert response.status_code == 302
    case = Case.objects.get(pk=shipped_case.pk)
    assert case.status == "refunding" and case.inspection_result == "pass"
    inspection = Inspection.objects.get(case=case)
    assert (inspection.grade, inspection.restock, inspection.passed, inspection.inspector.username) == (
        "A", True, True, "keeper")
    assert inspection.photos.count() == 1
    # The desk shows no money: the refund is the console's business.
    assert "¥" not in text(client.get(f"/warehouse/cases/{case.pk}/inspect/"))


@pytest.fixture
def defect_case(shop):
    """A quality-defect return, with the buyer's words and photo, in the warehouse."""
    from aftersales.cases.evidence import add_evidence
    from aftersales.warehouse import services as warehouse
    from tests.integration.console_support import png_bytes

    case = open_case(shop, recent_order(shop, "DYW0003"), reason="quality_defect", note="鞋底开胶，穿了一次就裂开")
    add_evidence(shop, case.pk, BUYER, data=png_bytes((10, 200, 10)))
    services.approve_case(shop, case.pk, MERCHANT)
    services.record_return_shipment(shop, case.pk, BUYER, carrier="顺丰", tracking_no="SF20261122003")
    warehouse.receive_parcel(shop, services.By(services.Actor.WAREHOUSE), tracking_no="SF20261122003")
    return case


def test_a_confirmed_defect_graded_c_goes_on_to_the_refund(client, keeper, defect_case):
    # The defect is what the buyer claimed: a C grade (nothing to resell) does not refuse the buyer.
    url = f"/warehouse/cases/{defect_case.pk}/inspect/"
    response = client.post(url, {"grade": "C", "failure_reason": "", "note": "鞋底确实开胶，与买家描述一致"})
    assert response.status_code == 302
    case = Case.objects.get(pk=defect_case.pk)
    assert (case.status, case.inspection_result) == ("refunding", "pass")
    inspection = Inspection.objects.get(case=case)
    assert (inspection.verdict, inspection.failure_reason, inspection.grade, inspection.passed) == (
        "matches_claim", "", "C", True)
    assert inspection.checklist == {"tags_intact": False, "not_washed": False}
    moves = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True).order_by("pk"))
    assert moves[-2:] == ["pass_inspection", "ready_to_refund"]


def test_the_desk_shows_the_buyers_claim_beside_the_checklist(client, keeper, defect_case):
    page = text(client.get(f"/warehouse/cases/{defect_case.pk}/inspect/"))
    claim = page[page.index('id="claim"'):page.index('id="verdict"')]
    assert "质量问题" in claim and "鞋底开胶，穿了一次就裂开" in claim
    assert claim.count("<img") == 1  # the buyer's photo
    assert "吊牌完好" in claim  # the checklist sits beside the claim
    verdicts = page[page.index('id="verdict"'):page.index("</div>", page.index('id="verdict"'))]
    # A defect claim never fails for use; "it passes" is the one chosen to start with.
    assert "非本店商品或空包" in verdicts and "人为损坏" in verdicts and "已使用" not in verdicts
    assert 'value="" id="id_failure_reason_0" checked>' in verdicts and verdicts.count("checked") == 1


def test_a_no_reason_return_with_a_cut_tag_fails_only_with_a_reason_and_a_photo(client, keeper, shop, shipped_case):
    from aftersales.warehouse import services as warehouse

    shipped_case.reason = "no_reason"
    shipped_case.save(update_fields=["reason"])
    warehouse.receive_parcel(shop, services.By(services.Actor.WAREHOUSE), tracking_no="SF20261122001")
    events = CaseEvent.objects.filter(case=shipped_case).count()
    url = f"/warehouse/cases/{shipped_case.pk}/inspect/"
    unticked = {"grade": "B", "check_not_washed": "on", "note": "吊牌已剪"}
    no_reason = client.post(url, unticked)
    assert no_reason.status_code == 422 and "无理由退货须商品完好" in text(no_reason)
    no_photo = client.post(url, {**unticked, "failure_reason": "used"})
    assert no_photo.status_code == 422 and "质检不通过须上传至少一张照片" in text(no_photo)
    assert Inspection.objects.count() == 0 and CaseEvent.objects.filter(case=shipped_case).count() == events
    response = client.post(url, {**unticked, "failure_reason": "used", "photos": [upload()]})
    assert response.status_code == 302
    case = Case.objects.get(pk=shipped_case.pk)
    assert (case.status, case.inspection_result) == ("rejected_after_return", "fail")
    inspection = Inspection.objects.get(case=case)
    assert (inspection.verdict, inspection.failure_reason, inspection.passed, inspection.accepted_quantity) == (
        "failed", "used", False, 0)
    assert inspection.photos.count() == 1
    failed = CaseEvent.objects.get(case=case, action="fail_inspection")
    assert failed.reason_code == "inspection_failed"
    assert (failed.payload["verdict"], failed.payload["failure_reason"], failed.payload["grade"]) == (
        "failed", "used", "B")


def test_a_no_reason_return_intact_by_its_checklist_passes(client, keeper, shop, shipped_case):
    from aftersales.warehouse import services as warehouse

    warehouse.receive_parcel(shop, services.By(services.Actor.WAREHOUSE), tracking_no="SF20261122001")
    response = client.post(f"/warehouse/cases/{shipped_case.pk}/inspect/",
                           {"grade": "B", "check_tags_intact": "on", "check_not_washed": "on"})
    assert response.status_code == 302
    assert Case.objects.get(pk=shipped_case.pk).status == "refunding"
    assert Inspection.objects.get(case=shipped_case).verdict == "intact"


def test_a_bad_inspection_changes_nothing(client, keeper, shop, shipped_case):
    from aftersales.warehouse import services as warehouse

    warehouse.receive_parcel(shop, services.By(services.Actor.WAREHOUSE), tracking_no="SF20261122001")
    events = CaseEvent.objects.filter(case=shipped_case).count()
    url = f"/warehouse/cases/{shipped_case.pk}/inspect/"
    missing = client.post(url, {"check_tags_intact": "on"})
    assert missing.status_code == 422 and "请选择等级" in text(missing)
    bad_photo = client.post(url, {"grade": "A", "photos": [upload("x.png", b"not a photo")]})
    assert bad_photo.status_code == 422
    restock_c = client.post(url, {"grade": "C", "restock": "on"})
    assert restock_c.status_code == 422
    english(client)
    too_many = client.post(url, {"grade": "A", "accepted_quantity": "9"})
    assert too_many.status_code == 422
    assert "9" in text(too_many)
    assert Case.objects.get(pk=shipped_case.pk).status == "return_received"
    assert Inspection.objects.count() == 0
    assert CaseEvent.objects.filter(case=shipped_case).count() == events


def test_a_parcel_with_no_information_is_kept_and_matched_later(client, keeper, shop):
    case = open_case(shop, recent_order(shop, "DYW0002"))
    services.approve_case(shop, case.pk, MERCHANT)  # awaiting the return, no tracking number yet
    page = text(client.get("/warehouse/", {"tracking_no": "YT9999999999"}))
    assert "无信息件" in page
    response = client.post("/warehouse/receive/", {"parcel-tracking_no": "YT9999999999",
                                                   "parcel-note": "连衣裙一件，无单据"})
    assert response.status_code == 302 and response["Location"] == "/warehouse/"
    parcel = ReturnParcel.objects.get()
    assert parcel.case is None
    assert "连衣裙一件，无单据" in text(client.get("/warehouse/"))
    wrong = client.post(f"/warehouse/parcels/{parcel.pk}/match/", {"number": "as000"}, follow=True)
    assert "本店没有售后单 AS000，请核对" in text(wrong)  # the number typed, named back
    empty = client.post(f"/warehouse/parcels/{parcel.pk}/match/", {"number": " "}, follow=True)
    assert "请填写这个包裹对应的售后单号" in text(empty)
    response = client.post(f"/warehouse/parcels/{parcel.pk}/match/", {"number": case.number.lower()})
    assert response.status_code == 302
    parcel.refresh_from_db()
    assert parcel.case_id == case.pk
    assert Case.objects.get(pk=case.pk).status == "return_received"
    nothing = client.post("/warehouse/receive/", {"parcel-tracking_no": "", "parcel-note": ""})
    assert nothing.status_code == 422 and ReturnParcel.objects.count() == 1


def test_the_desk_of_one_shop_never_reaches_another(client, other_shop, shipped_case):
    client.force_login(member(other_shop, "keeper_b", "warehouse"))
    assert client.get(f"/warehouse/cases/{shipped_case.pk}/inspect/").status_code == 404
    assert shipped_case.number not in text(client.get("/warehouse/", {"tracking_no": "SF20261122001"}))
    response = client.post("/warehouse/receive/", {"parcel-tracking_no": "SF20261122001",
                                                   "parcel-case": shipped_case.pk})
    assert response.status_code == 404
    assert Case.objects.get(pk=shipped_case.pk).status == "return_in_transit"


def test_agents_do_not_work_the_desk(client, shop):
    client.force_login(member(shop, "agent_a", "agent"))
    assert client.get("/warehouse/").status_code == 403


def test_the_checklist_starts_unticked(client, keeper, shop, shipped_case):
    from aftersales.warehouse import services as desk
    from tests.integration.console_support import WAREHOUSE

    desk.receive_parcel(shop, WAREHOUSE, case_id=shipped_case.pk)
    page = text(client.get(f"/warehouse/cases/{shipped_case.pk}/inspect/"))
    boxes = [chunk for chunk in page.split("<input") if 'name="check_' in chunk]
    assert len(boxes) == 2 and not any("checked" in box.split(">")[0] for box in boxes)


def test_the_abuse_signals_read_the_verdict_not_the_grade(client, keeper, shop, defect_case):
    from aftersales.intelligence.signals.selectors import signals_for_cases

    # A confirmed defect graded D with every box unticked says nothing against the buyer.
    client.post(f"/warehouse/cases/{defect_case.pk}/inspect/", {"grade": "D"})
    case = Case.objects.get(pk=defect_case.pk)
    assert case.status == "refunding"
    codes = [s.code for s in signals_for_cases(shop, [case])[case.pk].items]
    assert "case_empty_or_wrong" not in codes and "case_failed_checks" not in codes


def test_an_empty_scan_asks_for_the_tracking_number_in_the_desks_words(client, keeper):
    response = client.get("/warehouse/", {"tracking_no": "  "})
    assert response.status_code == 422
    assert "请扫描或输入包裹上的快递单号。" in text(response)
    assert "必填项" not in text(response)  # not Django's own wording
    english(client)
    assert "Scan or type the tracking number on the parcel." in text(client.get("/warehouse/", {"tracking_no": ""}))


def test_a_required_field_without_its_own_message_reads_plainly():
    """Django's "这个字段是必填项。" reads like a program: every form without its own message says this."""
    from django import forms
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(forms.ValidationError) as refused:
            forms.CharField().clean("")
        assert refused.value.messages == ["请填写这一项。"]


def test_a_parcel_scanned_again_is_not_registered_twice(client, keeper, shop):
    """A scanner reads a label twice: the desk said "no case waits" again and offered a second 无信息件."""
    client.post("/warehouse/receive/", {"parcel-tracking_no": "YT9999999999", "parcel-note": "T恤一件，无单据"})
    again = text(client.get("/warehouse/", {"tracking_no": "yt9999999999"}))
    assert "这个包裹已于" in again and "登记为无信息件" in again
    assert 'name="parcel-note" id="scan-note"' not in again  # no second registration offered
    twice = client.post("/warehouse/receive/", {"parcel-tracking_no": "YT9999999999", "parcel-note": "又扫了一次"})
    assert twice.status_code == 422 and "不要重复登记" in text(twice)
    assert ReturnParcel.objects.count() == 1 and ReturnParcel.objects.get().note == "T恤一件，无单据"
    english(client)
    assert "was registered at" in text(client.get("/warehouse/", {"tracking_no": "YT9999999999"}))


def test_a_kept_parcel_is_the_one_received_once_its_case_has_the_tracking_number(client, keeper, shop):
    case = open_case(shop, recent_order(shop, "DYW0004"))
    services.approve_case(shop, case.pk, MERCHANT)
    client.post("/warehouse/receive/", {"parcel-tracking_no": "YT8888888888", "parcel-note": "连衣裙"})
    services.record_return_shipment(shop, case.pk, BUYER, carrier="圆通", tracking_no="YT8888888888")
    response = client.post("/warehouse/receive/", {"parcel-tracking_no": "YT8888888888", "parcel-case": case.pk})
    assert response.status_code == 302
    parcel = ReturnParcel.objects.get()
    assert parcel.case_id == case.pk and parcel.note == "连衣裙"
    assert Case.objects.get(pk=case.pk).status == "return_received"
