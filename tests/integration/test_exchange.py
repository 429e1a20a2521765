"""Exchanges (换货): the buyer picks the size/colour from the SKUs in stock, the case keeps it, the console
and the export show it, shipping the replacement takes it off stock in the same transaction, and an
exchange whose size is out of stock changes nothing and is offered a change of remedy with the buyer's
agreement recorded."""

from __future__ import annotations

import re

import pytest

from aftersales.cases import services
from aftersales.cases.models import Case, CaseEvent
from aftersales.catalog.models import Category, Product, Sku
from aftersales.core.errors import ConflictError, DomainError
from aftersales.exports.sheets import case_rows
from aftersales.warehouse import services as warehouse
from tests.integration.console_support import BUYER, MERCHANT, WAREHOUSE, recent_order, text

pytestmark = pytest.mark.django_db


def stock(shop, **units) -> dict[str, Sku]:
    """Set the stock of the fixture's dress sizes: stock(shop, M=0, L=5)."""
    skus = {}
    for size, n in units.items():
        sku = Sku.objects.get(shop=shop, code=f"QZ-1001-{size}")
        sku.stock = n
        sku.save(update_fields=["stock"])
        skus[size] = sku
    return skus


def open_exchange(shop, order, sku, *, quantity=1):
    line = order.lines.first()
    return services.open_case(shop, order_id=order.pk, lines=[(line.pk, quantity)], kind="exchange",
                              reason="size_fit", by=BUYER, buyer_note="M码小了，换L码", exchange_sku_id=sku.pk)


def to_fulfilling(shop, case):
    """Approve, the buyer sends it back, the warehouse receives and passes it: ready to ship the new size."""
    services.approve_case(shop, case.pk, MERCHANT)
    services.record_return_shipment(shop, case.pk, BUYER, carrier="顺丰速运", tracking_no="SF1234567890")
    warehouse.receive_parcel(shop, WAREHOUSE, case_id=case.pk)
    warehouse.inspect_return(shop, case.pk, WAREHOUSE, grade="A",
                             checklist={"tags_intact": True, "not_washed": True}, restock=True)
    case.refresh_from_db()
    assert case.status == "fulfilling"
    return case


def record(case):
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.kind, fresh.status, fresh.version, fresh.exchange_sku_id, fresh.requested_fen,
            fresh.outbound_tracking_no, CaseEvent.objects.filter(case=case).count())


# -- the portal -------------------------------------------------------------------------------------------


def find(client, number):
    assert client.post("/portal/", {"order_no": number, "last4": "5678"}).status_code == 302


def test_the_buyer_picks_a_size_in_stock_and_the_case_keeps_it(client, shop):
    skus = stock(shop, M=0, L=5)
    order = recent_order(shop, "DYX0001")
    find(client, "DYX0001")
    page = text(client.get("/portal/order/request/"))
    assert "L（5 件有货）" in page and "M（" not in page  # a size with no stock is not offered
    stock(shop, M=2)
    assert "M（与原商品相同，2 件有货）" in text(client.get("/portal/order/request/"))  # the size bought, said so
    line = order.lines.first()
    response = client.post("/portal/order/request/", {
        f"qty_{line.pk}": "1", "kind": "exchange", "reason": "size_fit", "note": "小了，换L",
        "exchange_sku": str(skus["L"].pk)})
    assert response.status_code == 302
    case = Case.objects.get(order=order)
    assert (case.kind, case.exchange_sku_id) == ("exchange", skus["L"].pk)
    assert CaseEvent.objects.get(case=case, action="open").payload["exchange_sku"] == "QZ-1001-L"
    assert "换成" in text(client.get(f"/portal/cases/{case.pk}/")) and Sku.objects.get(pk=skus["L"].pk).stock == 5


def test_an_exchange_without_a_size_or_with_one_sold_out_is_refused_and_nothing_is_opened(client, shop):
    skus = stock(shop, M=0, L=5)
    order = recent_order(shop, "DYX0002")
    find(client, "DYX0002")
    line = order.lines.first()
    form = {f"qty_{line.pk}": "1", "kind": "exchange", "reason": "size_fit", "note": ""}
    response = client.post("/portal/order/request/", form)
    assert response.status_code == 422 and "请选择要换的尺码或颜色" in text(response)
    response = client.post("/portal/order/request/", {**form, "exchange_sku": str(skus["M"].pk)})
    assert response.status_code == 422 and "该尺码或颜色已无库存，请另选" in text(response)
    assert not Case.objects.filter(order=order).exists()
    # Another remedy ignores a size left picked in the form.
    response = client.post("/portal/order/request/", {**form, "kind": "return_refund", "exchange_sku": "999"})
    assert response.status_code == 302 and Case.objects.get(order=order).exchange_sku_id is None


# -- the service ------------------------------------------------------------------------------------------


def test_shipping_the_exchange_takes_exactly_its_units_off_stock(shop):
    skus = stock(shop, L=5)
    case = to_fulfilling(shop, open_exchange(shop, recent_order(shop, "DYX0003", quantity=2), skus["L"],
                                             quantity=2))
    services.ship_replacement(shop, case.pk, WAREHOUSE, carrier="顺丰速运", tracking_no="SF9876543210")
    case.refresh_from_db()
    assert (case.status, case.outbound_tracking_no) == ("awaiting_buyer_receipt", "SF9876543210")
    assert Sku.objects.get(pk=skus["L"].pk).stock == 3
    assert CaseEvent.objects.get(case=case, action="ship_replacement").payload == {
        "carrier": "顺丰速运", "tracking_no": "SF9876543210", "sku": "QZ-1001-L", "units": 2}


def test_an_exchange_out_of_stock_at_shipping_changes_nothing(shop):
    skus = stock(shop, L=1)
    case = to_fulfilling(shop, open_exchange(shop, recent_order(shop, "DYX0004"), skus["L"]))
    stock(shop, L=0)  # sold to someone else meanwhile
    before = record(case)
    with pytest.raises(ConflictError) as err:
        services.ship_replacement(shop, case.pk, WAREHOUSE, carrier="顺丰速运", tracking_no="SF9876543210")
    assert err.value.code == "case.exchange_out_of_stock"
    assert err.value.params == {"sku": "QZ-1001-L", "spec": "L", "stock": 0}
    assert record(case) == before and Sku.objects.get(pk=skus["L"].pk).stock == 0


def test_a_ship_the_state_machine_refuses_leaves_the_stock_alone(shop):
    skus = stock(shop, L=4)
    case = open_exchange(shop, recent_order(shop, "DYX0005"), skus["L"])  # still under review
    with pytest.raises(ConflictError) as err:
        services.ship_replacement(shop, case.pk, WAREHOUSE, carrier="顺丰速运", tracking_no="SF9876543210")
    assert err.value.code == "case.illegal_transition"
    assert Sku.objects.get(pk=skus["L"].pk).stock == 4


def test_an_exchange_sku_must_be_of_the_same_product_in_stock_and_only_for_an_exchange(shop):
    skus = stock(shop, M=0, L=2)
    order = recent_order(shop, "DYX0006", quantity=3)
    other = Product.objects.create(shop=shop, category=Category.objects.get(shop=shop), title="高腰阔腿牛仔裤")
    jeans = Sku.objects.create(shop=shop, product=other, code="NZ-2002-26", spec="26码", price_fen=12900, stock=9)
    line = order.lines.first()
    ask = {"order_id": order.pk, "reason": "size_fit", "by": BUYER}
    cases = [
        ({"kind": "exchange", "lines": [(line.pk, 1)], "exchange_sku_id": jeans.pk}, "case.exchange_sku_other_product"),
        ({"kind": "exchange", "lines": [(line.pk, 1)], "exchange_sku_id": skus["M"].pk}, "case.exchange_out_of_stock"),
        ({"kind": "exchange", "lines": [(line.pk, 3)], "exchange_sku_id": skus["L"].pk}, "case.exchange_out_of_stock"),
        ({"kind": "return_refund", "lines": [(line.pk, 1)], "exchange_sku_id": skus["L"].pk},
         "case.exchange_sku_not_exchange"),
        ({"kind": "exchange", "lines": [(line.pk, 1)], "exchange_sku_id": 10**9}, "input.invalid_choice"),
    ]
    for request, code in cases:
        with pytest.raises(DomainError) as err:
            services.open_case(shop, **ask, **request)
        assert err.value.code == code
    assert not Case.objects.filter(order=order).exists()


# -- changing the remedy with the buyer's agreement -------------------------------------------------------


def test_a_change_of_remedy_needs_the_buyers_agreement_which_the_event_records(shop):
    skus = stock(shop, L=1)
    case = open_exchange(shop, recent_order(shop, "DYX0007"), skus["L"])
    before = record(case)
    with pytest.raises(DomainError) as err:
        services.switch_remedy(shop, case.pk, MERCHANT, kind="partial_refund", requested_fen=2000)
    assert err.value.code == "case.switch_needs_agreement" and record(case) == before
    services.switch_remedy(shop, case.pk, MERCHANT, kind="partial_refund", requested_fen=2000, buyer_agreed=True,
                           note="买家在抖店聊天中同意补偿 ¥20 不退换")
    case.refresh_from_db()
    assert (case.kind, case.requested_fen, case.exchange_sku_id) == ("partial_refund", 2000, None)
    event = CaseEvent.objects.get(case=case, action="switch_remedy")
    assert event.note == "买家在抖店聊天中同意补偿 ¥20 不退换"
    assert event.payload == {
        "before": {"kind": "exchange", "requested_fen": 0, "exchange_sku": "QZ-1001-L"},
        "after": {"kind": "partial_refund", "requested_fen": 2000, "exchange_sku": ""}, "buyer_agreed": True}


def test_an_exchange_waiting_to_ship_may_change_to_another_size_in_stock_once_the_buyer_agrees(shop):
    skus = stock(shop, M=3, L=1)
    case = to_fulfilling(shop, open_exchange(shop, recent_order(shop, "DYX0008"), skus["L"]))
    stock(shop, L=0)
    with pytest.raises(DomainError) as err:  # another size is an offer
        services.switch_remedy(shop, case.pk, MERCHANT, kind="exchange", exchange_sku_id=skus["M"].pk)
    assert err.value.code == "case.switch_needs_agreement"
    with pytest.raises(ConflictError):  # only the size of the exchange may change now
        services.switch_remedy(shop, case.pk, MERCHANT, kind="reship", buyer_agreed=True)
    services.switch_remedy(shop, case.pk, MERCHANT, kind="exchange", exchange_sku_id=skus["M"].pk,
                           buyer_agreed=True, note="电话确认换 M 码")
    services.ship_replacement(shop, case.pk, WAREHOUSE, carrier="顺丰速运", tracking_no="SF9876543210")
    assert [Sku.objects.get(pk=s.pk).stock for s in (skus["M"], skus["L"])] == [2, 0]


# -- the console and the export ---------------------------------------------------------------------------


def test_the_console_shows_the_size_its_stock_and_refuses_to_ship_it_sold_out(client, agent, shop):
    skus = stock(shop, M=2, L=1)
    case = to_fulfilling(shop, open_exchange(shop, recent_order(shop, "DYX0009"), skus["L"]))
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert 'id="exchange-sku">L</strong>' in page and 'id="exchange-out-of-stock"' not in page
    stock(shop, L=0)
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert 'id="exchange-out-of-stock"' in page and "switch_remedy-buyer_agreed" in page
    before = record(case)
    response = client.post(f"/console/cases/{case.pk}/act/ship_replacement/",
                           {"ship_replacement-carrier": "顺丰速运", "ship_replacement-tracking_no": "SF9876543210"})
    assert response.status_code == 422
    assert "要换的规格「L」（QZ-1001-L）库存不足，现有 0 件" in text(response)
    assert record(case) == before
    # The agent changes to M with the buyer's agreement, from the same page.
    form = {"switch_remedy-kind": "exchange", "switch_remedy-exchange_sku": str(skus["M"].pk),
            "switch_remedy-note": "买家电话同意换 M 码"}
    response = client.post(f"/console/cases/{case.pk}/act/switch_remedy/", form)
    assert response.status_code == 422 and record(case) == before  # the agreement box left unticked
    response = client.post(f"/console/cases/{case.pk}/act/switch_remedy/", {**form, "switch_remedy-buyer_agreed": "on"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).exchange_sku_id == skus["M"].pk
    assert CaseEvent.objects.get(case=case, action="switch_remedy").payload["buyer_agreed"] is True


def test_the_case_export_names_the_size_exchanged_for(shop):
    skus = stock(shop, L=5)
    open_exchange(shop, recent_order(shop, "DYX0010"), skus["L"])
    rows = list(case_rows(shop, "zh-hans"))
    assert rows[0][9] == "L (QZ-1001-L)"


def test_the_api_opens_an_exchange_for_a_sku_code_and_shows_it(shop, api):
    skus = stock(shop, L=2)
    order = recent_order(shop, "DYX0011")
    line = order.lines.first()
    body = {"order_id": order.pk, "lines": [{"order_line_id": line.pk, "quantity": 1}], "kind": "exchange",
            "reason": "size_fit", "exchange_sku": "QZ-1001-L"}
    response = api.post("/api/v1/cases", body)
    assert response.status_code == 201 and response.json()["exchange_sku"] == "QZ-1001-L"
    assert Case.objects.get(pk=response.json()["id"]).exchange_sku_id == skus["L"].pk
    refused = api.post("/api/v1/cases", {**body, "exchange_sku": "NO-SUCH-SKU"})
    assert refused.status_code == 422 and refused.json()["code"] == "input.invalid_choice"
    assert Case.objects.filter(order=order).count() == 1


def test_the_console_offers_only_remedies_the_case_may_change_to(client, agent, shop):
    skus = stock(shop, L=0, M=1)
    case = open_exchange(shop, recent_order(shop, "DYX0012"), stock(shop, L=1)["L"])
    stock(shop, L=0)
    page = text(client.get(f"/console/cases/{case.pk}/"))
    select = re.search(r'<select name="switch_remedy-kind".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="(\w+)"', select) == ["exchange", "return_refund", "refund_only", "partial_refund"]
    assert services.remedies_to_switch_to(case) == ["refund_only", "return_refund", "exchange", "partial_refund"]
    before = record(case)
    response = client.post(f"/console/cases/{case.pk}/act/switch_remedy/", {  # a reship the policy does not allow
        "switch_remedy-kind": "reship", "switch_remedy-buyer_agreed": "on", "switch_remedy-note": "电话"})
    assert response.status_code == 422 and record(case) == before
    response = client.post(f"/console/cases/{case.pk}/act/switch_remedy/", {
        "switch_remedy-kind": "partial_refund", "switch_remedy-amount": "20", "switch_remedy-buyer_agreed": "on",
        "switch_remedy-note": "买家在抖店聊天中同意补偿 ¥20"})
    assert response.status_code == 302
    assert (Case.objects.get(pk=case.pk).kind, Case.objects.get(pk=case.pk).requested_fen) == ("partial_refund", 2000)
    assert skus["M"].stock == 1
