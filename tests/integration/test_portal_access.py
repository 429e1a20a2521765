"""The buyer portal: one order per session, found only with its phone digits, guessing slowed down;
requests all or nothing; refusals in the page's language."""

from __future__ import annotations

import pytest

from aftersales.care.models import Satisfaction
from aftersales.cases import services
from aftersales.cases.evidence import add_evidence
from aftersales.cases.models import Case, CaseEvent, Evidence
from aftersales.notifications.delivery import deliver_due
from aftersales.notifications.models import Message
from aftersales.portal.views import SESSION_KEY
from tests.integration.console_support import (
    BUYER,
    MERCHANT,
    english,
    open_case,
    png_bytes,
    recent_order,
    text,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(shop):
    return recent_order(shop, "DYP0001", phone="13812345678")


def find(client, number, last4, **extra):
    return client.post("/portal/", {"order_no": number, "last4": last4}, **extra)


def test_the_order_is_found_with_its_phone_digits_only(client, order):
    response = find(client, "DYP0001", "0000")
    assert response.status_code == 422
    assert "没有找到与该订单号和手机号匹配的订单" in text(response)
    assert SESSION_KEY not in client.session
    response = find(client, "DYP0001", "5678")
    assert response.status_code == 302 and response["Location"] == "/portal/order/"
    page = text(client.get("/portal/order/"))
    assert "法式碎花连衣裙" in page and "可以无理由退货" in page


def test_guessing_stops_the_guessing_client_and_only_slows_the_order_for_everyone_else(client, order, shop,
                                                                                      settings, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("aftersales.serving.throttle.time.sleep", slept.append)
    for digits in ("0001", "0002", "0003", "0004", "0005"):
        assert find(client, "DYP0001", digits).status_code == 422
    assert slept == []
    blocked = find(client, "DYP0001", "5678")  # even the right digits: this client waits first
    assert blocked.status_code == 429
    assert "尝试次数过多" in text(blocked) and "15 分钟" in text(blocked)
    assert SESSION_KEY not in client.session
    # The buyer at another address is not locked out of their own order: the look-up is only slowed.
    other = find(client, "DYP0001", "5678", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302 and slept == [settings.THROTTLE_FIRST_DELAY]
    # Each further failure on that order doubles the pause, up to its ceiling.
    client.post("/portal/leave/")
    for n, address in enumerate(("10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13")):
        find(client, "DYP0001", "0009", REMOTE_ADDR=address)
        assert slept[-1] == min(settings.THROTTLE_MAX_DELAY, settings.THROTTLE_FIRST_DELAY * 2 ** n)
    # Another order from another address is neither blocked nor slowed.
    recent_order(shop, "DYP0002", phone="13900001111")
    before = len(slept)
    assert find(client, "DYP0002", "1111", REMOTE_ADDR="10.0.0.20").status_code == 302
    assert len(slept) == before
    client.post("/portal/leave/")
    english(client)
    response = find(client, "DYP0001", "5678")
    assert response.status_code == 429 and "Too many attempts" in text(response)


def test_behind_a_trusted_proxy_each_buyer_is_counted_by_their_own_address(client, order, settings, monkeypatch):
    monkeypatch.setattr("aftersales.serving.throttle.time.sleep", lambda s: None)
    settings.TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for digits in ("0001", "0002", "0003", "0004", "0005"):
        # The guesser also forges an X-Forwarded-For of its own: only the entry our proxy appended counts.
        response = find(client, "DYP0001", digits, HTTP_X_FORWARDED_FOR=f"1.2.3.{digits[-1]}, 203.0.113.7", **proxy)
        assert response.status_code == 422
    assert find(client, "DYP0001", "5678", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    # Every other buyer comes through the same proxy address, and is not locked out.
    honest = find(client, "DYP0001", "5678", HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy)
    assert honest.status_code == 302


def test_a_buyer_never_sees_another_buyers_case(client, shop, order):
    other = recent_order(shop, "DYP0003", phone="13700002222")
    theirs = open_case(shop, other)
    photo = add_evidence(shop, theirs.pk, BUYER, data=png_bytes())
    assert find(client, "DYP0001", "5678").status_code == 302
    events = CaseEvent.objects.count()
    assert client.get(f"/portal/cases/{theirs.pk}/").status_code == 404
    assert client.get(f"/portal/cases/{theirs.pk}/evidence/{photo.pk}/").status_code == 404
    assert client.post(f"/portal/cases/{theirs.pk}/ship/", {"carrier": "SF", "tracking_no": "SF12345678"}
                       ).status_code == 404
    assert client.post(f"/portal/cases/{theirs.pk}/rate/", {"score": 1}).status_code == 404
    assert client.post(f"/portal/cases/{theirs.pk}/do/withdraw/").status_code == 404
    assert client.post(f"/portal/cases/{theirs.pk}/photos/", {"photos": [upload()]}).status_code == 404
    assert theirs.number not in text(client.get("/portal/order/"))
    assert CaseEvent.objects.count() == events
    # Without having found an order, nothing at all.
    assert client.post("/portal/leave/").status_code == 302
    assert client.get("/portal/order/")["Location"] == "/portal/"
    mine = open_case(shop, order)
    # Nothing at all: the request's page asks for the order first (and shows none of the request).
    away = client.get(f"/portal/cases/{mine.pk}/")
    assert away.status_code == 302 and away["Location"] == f"/portal/?next=/portal/cases/{mine.pk}/"


def test_a_request_with_a_bad_photo_changes_nothing(client, order):
    find(client, "DYP0001", "5678")
    line = order.lines.get()
    data = {f"qty_{line.pk}": "1", "kind": "return_refund", "reason": "quality_defect", "note": "开线了",
            "photos": [upload(), upload("fake.png", b"not an image at all")]}
    response = client.post("/portal/order/request/", data)
    assert response.status_code == 422
    assert "图片" in text(response)
    assert Case.objects.count() == 0 and Evidence.objects.count() == 0
    english(client)
    data["photos"] = [upload("fake.png", b"GIF89a not really")]
    response = client.post("/portal/order/request/", data)
    assert response.status_code == 422 and "image" in text(response).lower()
    assert Case.objects.count() == 0 and Evidence.objects.count() == 0


def test_a_request_needs_items_a_reason_and_for_a_fault_a_photo(client, order):
    find(client, "DYP0001", "5678")
    line = order.lines.get()
    response = client.post("/portal/order/request/", {f"qty_{line.pk}": "0", "kind": "return_refund",
                                                      "reason": "size_fit"})
    assert response.status_code == 422 and "请至少选择一件商品" in text(response)
    response = client.post("/portal/order/request/", {f"qty_{line.pk}": "5", "kind": "return_refund",
                                                      "reason": ""})
    assert response.status_code == 422 and "请选择原因" in text(response)
    response = client.post("/portal/order/request/", {f"qty_{line.pk}": "1", "kind": "return_refund",
                                                      "reason": "wrong_item"})
    assert response.status_code == 422 and "请至少上传一张" in text(response)
    assert Case.objects.count() == 0


def test_a_request_the_policy_refuses_is_explained(client, shop):
    old = recent_order(shop, "DYP0009", phone="13812349999", days_ago=40)
    find(client, "DYP0009", "9999")
    line = old.lines.get()
    response = client.post("/portal/order/request/", {f"qty_{line.pk}": "1", "kind": "return_refund",
                                                      "reason": "no_reason"})
    assert response.status_code == 422
    assert "退货退款" in text(response)
    assert Case.objects.count() == 0


def test_request_follow_send_the_parcel_and_rate(client, shop, order):
    find(client, "DYP0001", "5678")
    line = order.lines.get()
    response = client.post("/portal/order/request/", {f"qty_{line.pk}": "1", "kind": "return_refund",
                                                      "reason": "size_fit", "note": "偏小", "photos": [upload()]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.evidence.count() == 1 and case.buyer_note == "偏小"
    services.add_note(shop, case.pk, MERCHANT, note="内部：老客户")
    page = text(client.get(f"/portal/cases/{case.pk}/"))
    assert "待商家处理" in page and "内部：老客户" not in page
    assert client.post(f"/portal/cases/{case.pk}/ship/", {"carrier": "顺丰", "tracking_no": "SF12345678"}
                       ).status_code == 422  # not approved yet: nothing to send
    services.approve_case(shop, case.pk, MERCHANT)
    bad = client.post(f"/portal/cases/{case.pk}/ship/", {"carrier": "顺丰", "tracking_no": "短"})
    assert bad.status_code == 422 and "快递单号须为 6–40 位字母或数字" in text(bad)
    assert Case.objects.get(pk=case.pk).status == "awaiting_return"
    good = client.post(f"/portal/cases/{case.pk}/ship/", {"carrier": "顺丰", "tracking_no": "sf 1234 5678"})
    assert good.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.return_tracking_no) == ("return_in_transit", "SF12345678")
    assert client.post(f"/portal/cases/{case.pk}/rate/", {"score": 5}).status_code == 422  # not finished
    services.close_case(shop, case.pk, MERCHANT, reason_code="resolved_offline")
    assert client.post(f"/portal/cases/{case.pk}/rate/", {"score": 9}).status_code == 422
    assert Satisfaction.objects.count() == 0
    assert client.post(f"/portal/cases/{case.pk}/rate/", {"score": 4, "comment": "还行"}).status_code == 302
    assert Satisfaction.objects.get().score == 4
    again = client.post(f"/portal/cases/{case.pk}/rate/", {"score": 1})
    assert again.status_code == 422
    assert Satisfaction.objects.get().score == 4


def test_an_e_mail_given_with_the_request_gets_the_progress_and_a_bad_one_changes_nothing(
        client, shop, order, mailoutbox):
    shop.notify_email = True
    shop.save(update_fields=["notify_email"])
    find(client, "DYP0001", "5678")
    line = order.lines.get()
    data = {f"qty_{line.pk}": "1", "kind": "return_refund", "reason": "size_fit", "email": "not-an-address"}
    response = client.post("/portal/order/request/", data)
    assert response.status_code == 422 and "请输入有效的邮箱地址" in text(response)
    order.buyer.refresh_from_db()
    assert order.buyer.email == "" and Case.objects.count() == 0

    response = client.post("/portal/order/request/", {**data, "email": "lin.xiaoyu@example.com"})
    assert response.status_code == 302
    order.buyer.refresh_from_db()
    assert order.buyer.email == "lin.xiaoyu@example.com" and order.buyer.masked_email == "l***@example.com"
    assert not Message.objects.filter(audience="buyer").exists()  # the buyer's own request is no news to them
    case = Case.objects.get()
    services.approve_case(shop, case.pk, MERCHANT)
    to_buyer = Message.objects.get(audience="buyer", channel="email")
    assert to_buyer.recipient == "lin.xiaoyu@example.com"
    deliver_due()
    assert [m.to for m in mailoutbox] == [["lin.xiaoyu@example.com"]]
    assert case.number in mailoutbox[0].body


def test_the_buyer_never_reads_the_shops_deadline_notices(client, shop, order):
    """Finding 4: the sweeper's reminder, escalation and overdue notices showed on the buyer's timeline."""
    from datetime import timedelta

    from aftersales.cases import timers

    case = open_case(shop, order)
    due = Case.objects.get(pk=case.pk).deadline_at
    for moment in (due - timedelta(hours=4), due - timedelta(minutes=59)):
        timers.sweep(moment)
    kinds = set(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert {"deadline_reminder", "deadline_escalation"} <= kinds
    find(client, "DYP0001", "5678")
    page = text(client.get(f"/portal/cases/{case.pk}/"))
    assert "买家提交申请" in page  # the buyer's own request is on the timeline, labelled
    for staff_words in ("到期提醒", "临近超时，已升级处理", "deadline_reminder", "deadline_escalation"):
        assert staff_words not in page


def test_an_order_number_typed_in_lower_case_finds_the_order(client, order):
    response = find(client, " dyp0001 ", "5678")
    assert response.status_code == 302 and response["Location"] == "/portal/order/"
    assert client.session[SESSION_KEY] == order.pk
    assert find(client, "dyp0001", "0000").status_code == 422  # the phone digits still decide


def test_a_request_opened_without_the_order_found_leads_back_to_it(client, shop):
    """A bookmarked request page, or one opened after the browser was closed, answered "not found": the
    buyer's own request was a dead end. It asks for the order again and comes back to the request."""
    from tests.integration.console_support import open_case, recent_order, text

    order = recent_order(shop, "DYA0009")
    case = open_case(shop, order)
    url = f"/portal/cases/{case.pk}/"
    away = client.get(url)
    assert away.status_code == 302 and away["Location"] == f"/portal/?next={url}"
    page = text(client.get(away["Location"]))
    assert "查看售后进度前，请再次输入订单号和手机号后四位。" in page and f'name="next" value="{url}"' in page
    back = client.post("/portal/", {"order_no": "DYA0009", "last4": "5678", "next": url})
    assert back.status_code == 302 and back["Location"] == url
    assert client.get(url).status_code == 200


def test_the_way_back_goes_only_to_a_request_of_the_order_found(client, shop):
    from tests.integration.console_support import open_case, recent_order

    other = open_case(shop, recent_order(shop, "DYA0010"))
    recent_order(shop, "DYA0011")
    for wanted in (f"/portal/cases/{other.pk}/", "https://evil.example/", "//evil.example/portal/cases/1/"):
        client.post("/portal/leave/")
        found = client.post("/portal/", {"order_no": "DYA0011", "last4": "5678", "next": wanted})
        assert found.status_code == 302 and found["Location"] == "/portal/order/", wanted
