"""API v1: tokens scope everything to one shop; bad input is a coded 4xx and changes nothing."""

import io

import pytest
from PIL import Image

from aftersales.accounts.models import ApiToken
from aftersales.cases.models import Case, CaseEvent, Evidence
from aftersales.orders.models import Order
from aftersales.orders.services import create_order
from aftersales.warehouse.services import CHECKLIST_ITEMS
from tests.integration.conftest import order_payload

pytestmark = pytest.mark.django_db


def as_json(payload: dict) -> dict:
    out = dict(payload)
    for key in ("paid_at", "shipped_at", "signed_at"):
        if out.get(key) is not None:
            out[key] = out[key].isoformat()
    return out


def open_via_api(api, order, kind="return_refund", reason="size_fit", quantity=1):
    line = order.lines.get(platform_line_id=f"{order.platform_order_id}-1")
    return api.post(
        "/api/v1/cases",
        {
            "order_id": order.pk,
            "lines": [{"order_line_id": line.pk, "quantity": quantity}],
            "kind": kind,
            "reason": reason,
            "buyer_note": "尺码小了",
        },
    )


def test_without_a_valid_token_everything_is_401(client):
    for path in ("/api/v1/cases", "/api/v1/orders", "/api/v1/refunds"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "auth.invalid_token"
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer ast_nope"})
    assert response.status_code == 401


def test_a_revoked_token_is_refused(client, shop):
    token, raw = ApiToken.issue(shop)
    token.revoked_at = token.created_at
    token.save()
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{case_id}/approve" in schema["paths"]
    assert "/api/v1/policy/evaluate" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn." not in page  # works without internet
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_create_list_and_get_orders_with_the_phone_masked(api):
    response = api.post("/api/v1/orders", as_json(order_payload("TB77")))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["buyer_phone_masked"] == "138****5678"
    assert "13812345678" not in response.content.decode()
    assert body["goods_fen"] == 44700
    listed = api.get("/api/v1/orders?limit=10").json()
    assert listed["count"] == 1 and listed["items"][0]["platform_order_id"] == "TB77"
    assert api.get(f"/api/v1/orders/{body['id']}").json()["lines"][0]["paid_fen"] == 29800


@pytest.mark.parametrize("query", ["limit=501", "limit=0", "offset=-1", f"offset={10**30}", f"limit={10**30}"])
def test_list_paging_out_of_bounds_is_a_422_naming_the_parameter(api, query):
    response = api.get(f"/api/v1/cases?{query}")
    assert response.status_code == 422, response.content
    assert query.split("=")[0] in response.content.decode()


def test_text_with_a_nul_character_is_refused_not_a_server_error(api):
    for path in ("/api/v1/cases?status=%00", "/api/v1/analytics/alerts?status=open%00", "/api/v1/orders?limit=1%00"):
        response = api.get(path)
        assert response.status_code == 422 and response.json()["code"] == "input.invalid", path
    payload = as_json(order_payload("NUL1"))
    payload["buyer"] = {**payload["buyer"], "nick": "a\x00b"}
    response = api.post("/api/v1/orders", payload)
    assert response.status_code == 400 and response.json()["code"] == "input.malformed"
    assert Order.objects.count() == 0


def test_orders_with_bad_input_are_refused_and_nothing_is_written(api):
    bad = [
        as_json(order_payload("X1", platform="amazon")),
        as_json(order_payload("X2", freight_fen=-1)),
        as_json(
            order_payload(
                "X3",
                lines=[
                    {
                        "platform_line_id": "a",
                        "title": "t",
                        "quantity": 1,
                        "unit_price_fen": 10**13,
                        "paid_fen": 100,
                    }
                ],
            )
        ),
        {**as_json(order_payload("X4")), "paid_at": "2026-11-10T20:00:00"},  # no offset
        {**as_json(order_payload("X6")), "paid_at": "0100-01-30T06:40:46+20:41"},  # no such offset
        {**as_json(order_payload("X7")), "paid_at": "2226-11-10T20:00:00+08:00"},  # no such year
        {**as_json(order_payload("X8")), "buyer": {"nick": "x", "email": "not-an-address"}},
        as_json(order_payload("X5", payments=[{"route": "alipay", "amount_fen": 1}])),
    ]
    for payload in bad:
        response = api.post("/api/v1/orders", payload)
        assert response.status_code == 422, payload
        assert response.json()["code"] in ("input.invalid", "order.payments_do_not_add_up")
    response = api.raw("/api/v1/orders", '{"platform": "douyin", ')
    assert response.status_code in (400, 422)
    assert "code" in response.json()
    assert Order.objects.count() == 0


def test_case_lifecycle_over_the_api(api, shop, order):
    response = open_via_api(api, order)
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "requested" and case["events"][0]["action"] == "open"
    cid = case["id"]
    assert api.post(f"/api/v1/cases/{cid}/approve").json()["status"] == "awaiting_return"
    assert (
        api.post(
            f"/api/v1/cases/{cid}/return-shipment", {"carrier": "顺丰速运", "tracking_no": "SF1234567890"}
        ).json()["status"]
        == "return_in_transit"
    )
    assert (
        api.post(f"/api/v1/cases/{cid}/receive", {"tracking_no": "SF1234567890"}).json()["status"]
        == "return_received"
    )
    assert (
        api.post(f"/api/v1/cases/{cid}/inspect", {"grade": "A", "checklist": dict.fromkeys(CHECKLIST_ITEMS, True)}).json()[
            "status"
        ]
        == "refunding"
    )
    granted = api.post(f"/api/v1/cases/{cid}/grant-refund", {"amount_fen": 14900})
    assert granted.json()["refund_granted_fen"] == 14900
    paid = api.post(f"/api/v1/cases/{cid}/execute-refund", {"idempotency_key": "api-key-0001"}).json()
    assert sum(p["amount_fen"] for p in paid) == 14900
    again = api.post(f"/api/v1/cases/{cid}/execute-refund", {"idempotency_key": "api-key-0001"}).json()
    assert [p["id"] for p in again] == [p["id"] for p in paid]
    final = api.get(f"/api/v1/cases/{cid}").json()
    assert final["status"] == "completed" and final["refunded_fen"] == 14900
    assert len(api.get(f"/api/v1/refunds?case_id={cid}").json()["items"]) == 2


def test_list_filters(api, shop, order):
    open_via_api(api, order)
    assert api.get("/api/v1/cases?status=requested").json()["count"] == 1
    assert api.get("/api/v1/cases?status=completed").json()["count"] == 0
    assert api.get("/api/v1/cases?kind=return_refund&platform=douyin").json()["count"] == 1
    assert api.get("/api/v1/cases?due_before=2020-01-01T00:00:00%2B08:00").json()["count"] == 0
    assert api.get("/api/v1/cases?due_before=2099-01-01T00:00:00%2B08:00").json()["count"] == 1
    naive = api.get("/api/v1/cases?due_before=2099-01-01T00:00:00")
    assert naive.status_code == 422 and naive.json()["params"]["fields"] == "due_before"


def test_another_shops_case_is_a_404_never_a_leak(api, client, other_shop):
    theirs = create_order(other_shop, order_payload("B-1"))
    other_token = ApiToken.issue(other_shop)[1]
    line = theirs.lines.first()
    created = client.post(
        "/api/v1/cases",
        content_type="application/json",
        data={
            "order_id": theirs.pk,
            "lines": [{"order_line_id": line.pk, "quantity": 1}],
            "kind": "return_refund",
            "reason": "size_fit",
        },
        headers={"Authorization": f"Bearer {other_token}"},
    )
    cid = created.json()["id"]
    assert api.get(f"/api/v1/cases/{cid}").status_code == 404
    assert api.post(f"/api/v1/cases/{cid}/approve").status_code == 404
    assert api.get(f"/api/v1/orders/{theirs.pk}").status_code == 404
    assert api.get("/api/v1/cases").json()["count"] == 0
    # and ordering a case on their order from our shop is also a 404
    response = api.post(
        "/api/v1/cases",
        {
            "order_id": theirs.pk,
            "lines": [{"order_line_id": line.pk, "quantity": 1}],
            "kind": "return_refund",
            "reason": "size_fit",
        },
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=cid).status == "requested"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "teleport"}, 422, "input.invalid"),
        ({"reason": "bored"}, 422, "input.invalid"),
        ({"requested_fen": -5}, 422, "input.invalid"),
        ({"requested_fen": 10**15}, 422, "input.invalid"),
        ({"requested_fen": 14901}, 422, "refund.exceeds_refundable"),
        ({"lines": []}, 422, "input.invalid"),
    ],
)
def test_bad_case_input_gets_a_coded_error_and_nothing_changes(api, order, body, status, code):
    line = order.lines.get(platform_line_id="DY0001-1")
    payload = {
        "order_id": order.pk,
        "lines": [{"order_line_id": line.pk, "quantity": 1}],
        "kind": "return_refund",
        "reason": "size_fit",
        **body,
    }
    response = api.post("/api/v1/cases", payload)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_errors_speak_the_callers_language(api, order):
    open_via_api(api, order)
    cid = Case.objects.get().pk
    zh = api.post(f"/api/v1/cases/{cid}/return-shipment", {"carrier": "顺丰", "tracking_no": "SF1234567890"})
    en = api.post(
        f"/api/v1/cases/{cid}/return-shipment",
        {"carrier": "顺丰", "tracking_no": "SF1234567890"},
        headers={"Accept-Language": "en"},
    )
    assert zh.status_code == en.status_code == 409
    assert zh.json()["code"] == en.json()["code"] == "case.illegal_transition"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.json()["message"])
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.json()["message"])


def test_an_action_from_the_wrong_status_is_409_and_changes_nothing(api, order):
    cid = open_via_api(api, order).json()["id"]
    before = CaseEvent.objects.count()
    response = api.post(f"/api/v1/cases/{cid}/grant-refund", {"amount_fen": 100})
    assert response.status_code == 409 and response.json()["code"] == "refund.case_not_refunding"
    assert CaseEvent.objects.count() == before


def test_a_grant_without_an_amount_is_refused_in_the_callers_language_and_grants_nothing(api, order):
    # The console asks for the amount; the API does too, rather than granting everything refundable.
    cid = open_via_api(api, order, kind="refund_only", reason="quality_defect").json()["id"]
    api.post(f"/api/v1/cases/{cid}/approve")
    before = CaseEvent.objects.filter(case_id=cid).count()
    zh = api.post(f"/api/v1/cases/{cid}/grant-refund", {"note": "同意"})
    en = api.post(f"/api/v1/cases/{cid}/grant-refund", {}, headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 422
    assert zh.json()["code"] == en.json()["code"] == "refund.amount_required"
    assert zh.json()["params"] == {"refundable": "14900"}
    assert zh.json()["message"] == "请填写退款金额（本单现可退 ¥149.00）。"
    assert en.json()["message"] == "Enter the amount to refund (refundable now: ¥149.00)."
    case = Case.objects.get(pk=cid)
    assert (case.refund_granted_fen, case.money_status) == (0, "none")
    assert CaseEvent.objects.filter(case_id=cid).count() == before
    granted = api.post(f"/api/v1/cases/{cid}/grant-refund", {"amount_fen": 5000, "reason_code": "approved_request"})
    assert granted.status_code == 200 and granted.json()["refund_granted_fen"] == 5000


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_evidence_upload_accepts_images_and_refuses_anything_else(client, token, order, api):
    cid = open_via_api(api, order).json()["id"]
    headers = {"Authorization": f"Bearer {token}"}
    ok = client.post(f"/api/v1/cases/{cid}/evidence", {"file": io.BytesIO(png_bytes())}, headers=headers)
    assert ok.status_code == 201, ok.content
    assert ok.json()["content_type"] == "image/png" and ok.json()["width"] == 40
    fake = io.BytesIO(b"%PDF-1.4 definitely not an image")
    fake.name = "photo.jpg"
    bad = client.post(f"/api/v1/cases/{cid}/evidence", {"file": fake}, headers=headers)
    assert bad.status_code == 422 and bad.json()["code"] == "evidence.not_an_image"
    assert Evidence.objects.count() == 1


def test_a_warehouse_token_cannot_refund(client, shop, order, api):
    cid = open_via_api(api, order, kind="refund_only", reason="quality_defect").json()["id"]
    api.post(f"/api/v1/cases/{cid}/approve")
    _, raw = ApiToken.issue(shop, role="warehouse")
    response = client.post(
        f"/api/v1/cases/{cid}/grant-refund",
        data={},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 403 and response.json()["code"] == "auth.role_not_allowed"
    assert Case.objects.get(pk=cid).refund_granted_fen == 0


def test_policy_dry_run_answers_and_writes_nothing(api):
    body = {
        "platform": "taobao",
        "case_kind": "return_refund",
        "reason": "no_reason",
        "category": "apparel",
        "signed_at": "2026-05-03T23:30:00+08:00",
        "requested_at": "2026-05-08T10:00:00+08:00",
        "goods": {
            "tags_intact": True,
            "seal_intact": True,
            "used": False,
            "washed": False,
            "accessories_complete": True,
            "activated": False,
            "opened_for_inspection": True,
        },
        "buyer_confirmed_no_return_at_purchase": False,
    }
    zh = api.post("/api/v1/policy/evaluate", body).json()
    assert zh["eligible"] is True
    assert "return_refund" in zh["remedies"]
    assert zh["return_freight_payer"] == "buyer"
    assert zh["no_reason_window_ends_at"].startswith("2026-05-10T23:59:59")
    assert any(rule["id"] == "L1" and rule["outcome"] == "pass" for rule in zh["rules"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["message"])
    en = api.post("/api/v1/policy/evaluate", body, headers={"Accept-Language": "en"}).json()
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en["message"]) and en["eligible"] is True
    late = api.post("/api/v1/policy/evaluate", {**body, "requested_at": "2026-05-11T00:00:01+08:00"}).json()
    assert late["eligible"] is False
    bad = api.post("/api/v1/policy/evaluate", {**body, "category": "spaceship"})
    assert bad.status_code == 422 and bad.json()["code"] == "input.invalid"
    assert Case.objects.count() == 0


def test_a_tracking_number_typed_with_spaces_is_the_same_number_everywhere(api, order):
    """Finding 5: "SF 1234 5678" was refused by the API while the console and the portal accepted it."""
    open_via_api(api, order)
    cid = Case.objects.get().pk
    api.post(f"/api/v1/cases/{cid}/approve")
    bad = api.post(f"/api/v1/cases/{cid}/return-shipment", {"carrier": "顺丰", "tracking_no": "SF 12"})
    assert bad.status_code == 422 and bad.json()["code"] == "shipment.invalid_tracking_no"
    assert Case.objects.get().status == "awaiting_return"
    ok = api.post(f"/api/v1/cases/{cid}/return-shipment", {"carrier": "顺丰", "tracking_no": "sf 1234 5678"})
    assert ok.status_code == 200 and ok.json()["status"] == "return_in_transit"
    assert Case.objects.get().return_tracking_no == "SF12345678"
    # The desk finds it however it is scanned or typed.
    assert api.post(f"/api/v1/cases/{cid}/receive", {"tracking_no": "ＳＦ1234-5678"}).json()["status"] == (
        "return_received"
    )


def test_an_inspection_fails_over_the_api_only_with_a_reason_and_a_photo_uploaded_first(client, token, order, api):
    cid = open_via_api(api, order, reason="no_reason").json()["id"]
    api.post(f"/api/v1/cases/{cid}/approve")
    api.post(f"/api/v1/cases/{cid}/return-shipment", {"carrier": "顺丰速运", "tracking_no": "SF1234567891"})
    api.post(f"/api/v1/cases/{cid}/receive", {"tracking_no": "SF1234567891"})
    events = CaseEvent.objects.filter(case_id=cid).count()
    cut_tag = {"grade": "B", "checklist": {"tags_intact": False}}
    not_intact = api.post(f"/api/v1/cases/{cid}/inspect", cut_tag)
    assert not_intact.status_code == 422 and not_intact.json()["code"] == "inspection.not_intact_needs_reason"
    no_photo = api.post(f"/api/v1/cases/{cid}/inspect", {**cut_tag, "failure_reason": "used"})
    assert no_photo.status_code == 422 and no_photo.json()["code"] == "inspection.failure_needs_photo"
    unknown_photo = api.post(f"/api/v1/cases/{cid}/inspect", {**cut_tag, "failure_reason": "used", "photo_ids": [999]})
    assert unknown_photo.status_code == 404 and unknown_photo.json()["code"] == "evidence.not_found"
    assert CaseEvent.objects.filter(case_id=cid).count() == events
    headers = {"Authorization": f"Bearer {token}"}
    photo = client.post(f"/api/v1/cases/{cid}/evidence", {"file": io.BytesIO(png_bytes())}, headers=headers).json()
    failed = api.post(f"/api/v1/cases/{cid}/inspect", {**cut_tag, "failure_reason": "used", "photo_ids": [photo["id"]]})
    assert failed.status_code == 200 and failed.json()["status"] == "rejected_after_return"
    assert Evidence.objects.get(pk=photo["id"]).inspection.failure_reason == "used"
