"""Input types are strict: money and counts are JSON integers (not true, not "100"), flags are JSON
booleans, a body is a JSON object, an order has at least one line. What is refused changes nothing."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import BaseModel

from aftersales.api import api
from aftersales.cases.models import Case, CaseEvent
from aftersales.orders.models import Order
from aftersales.refunds.models import RefundDecision
from tests.integration.conftest import order_payload
from tests.integration.console_support import open_case, recent_order

pytestmark = pytest.mark.django_db


def _body(data: dict) -> str:
    return json.dumps(data, default=str)


@pytest.fixture
def case(shop):
    return open_case(shop, recent_order(shop, "DYS001"), kind="refund_only", reason="quality_defect")


@pytest.mark.parametrize("body", ["5", '"approve"', "[]", "[1]", "true", "null"])
def test_a_body_that_is_not_an_object_is_refused_and_changes_nothing(api, case, body):
    for action in ("approve", "notes", "close", "grant-refund"):
        response = api.raw(f"/api/v1/cases/{case.pk}/{action}", body)
        assert response.status_code in (400, 422), (action, body, response.status_code)
        assert response.json()["code"] in ("input.invalid", "input.malformed")
    case.refresh_from_db()
    assert case.status == "requested" and CaseEvent.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("amount", [True, "100", 100.0, "1e2"])
def test_money_is_a_json_integer(api, case, amount):
    api.post(f"/api/v1/cases/{case.pk}/approve", {})
    response = api.raw(f"/api/v1/cases/{case.pk}/grant-refund", _body({"amount_fen": amount}))
    assert response.status_code == 422 and response.json()["params"]["fields"] == "amount_fen"
    assert not RefundDecision.objects.filter(case=case).exists()


@pytest.mark.parametrize("field,value", [
    ("freight_fen", True), ("freight_fen", "0"), ("free_shipping", "yes"), ("free_shipping", 1),
])
def test_order_numbers_and_flags_are_strict(api, shop, field, value):
    response = api.raw("/api/v1/orders", _body(order_payload("DYS900", **{field: value})))
    assert response.status_code == 422 and response.json()["params"]["fields"] == field
    assert not Order.objects.filter(platform_order_id="DYS900").exists()


@pytest.mark.parametrize("key,value", [("quantity", "2"), ("quantity", True), ("paid_fen", "29800"),
                                       ("unit_price_fen", 15900.0)])
def test_order_line_counts_and_amounts_are_strict(api, shop, key, value):
    payload = order_payload("DYS901")
    payload["lines"][0][key] = value
    response = api.raw("/api/v1/orders", _body(payload))
    assert response.status_code == 422 and response.json()["params"]["fields"] == f"lines.0.{key}"
    assert not Order.objects.filter(platform_order_id="DYS901").exists()


def test_an_order_needs_a_line(api, shop):
    response = api.raw("/api/v1/orders", _body(order_payload("DYS902", lines=[], payments=[])))
    assert response.status_code == 422 and response.json()["params"]["fields"] == "lines"
    assert not Order.objects.filter(platform_order_id="DYS902").exists()


def test_a_case_line_quantity_is_strict(api, shop):
    order = recent_order(shop, "DYS903")
    line = order.lines.get()
    response = api.raw("/api/v1/cases", _body({"order_id": order.pk, "kind": "refund_only",
                                                "reason": "quality_defect",
                                                "lines": [{"order_line_id": line.pk, "quantity": "1"}]}))
    assert response.status_code == 422 and not Case.objects.filter(order=order).exists()


def _loose_fields(model: type[BaseModel], path: str = "") -> list[str]:
    """Fields of an input model typed int or bool without pydantic's strict mode, nested models too."""
    loose = []
    for name, field in model.model_fields.items():
        strict = any(type(m).__name__ == "Strict" for m in field.metadata)
        text = repr(field.annotation)
        if re.search(r"\b(int|bool)\b", text) and not strict and "Strict(strict=True)" not in text:
            loose.append(f"{path}{model.__name__}.{name}")
        for sub in getattr(field.annotation, "__args__", ()) + (field.annotation,):
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                loose += _loose_fields(sub, f"{path}{model.__name__}.{name}>")
    return loose


def test_no_request_body_of_the_api_has_a_lax_number_or_flag():
    loose = []
    for _, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for model in operation.models:
                    if model.__name__.endswith("BodyParams"):
                        loose += _loose_fields(model)
    assert loose == []
