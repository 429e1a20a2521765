"""Creating with a natural key (a platform's order or case id) is idempotent: the same body again answers
the existing row with 200, a different body is a coded 409, and never a 500 — also with ten clients at
once on PostgreSQL."""

from __future__ import annotations

import json
import threading

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections
from django.test import Client

from aftersales.accounts.models import ApiToken, Shop
from aftersales.cases.models import Case, CaseEvent
from aftersales.orders.models import Order, OrderLine
from tests.integration.conftest import make_shop, order_payload


def _json(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder)


def _post(client: Client, token: str, path: str, body: dict):
    return client.post(path, data=_json(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


@pytest.mark.django_db
def test_the_same_order_again_is_answered_and_a_different_one_is_a_409(client, shop, token):
    first = _post(client, token, "/api/v1/orders", order_payload("DYN001"))
    assert first.status_code == 201
    again = _post(client, token, "/api/v1/orders", order_payload("DYN001"))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    changed = order_payload("DYN001", freight_fen=500)
    changed["payments"][0]["amount_fen"] += 500
    refused = _post(client, token, "/api/v1/orders", changed)
    assert refused.status_code == 409
    assert refused.json()["code"] == "order.exists" and refused.json()["params"] == {"platform_order_id": "DYN001"}
    assert Order.objects.filter(shop=shop).count() == 1 and OrderLine.objects.filter(shop=shop).count() == 2


@pytest.mark.django_db
def test_the_same_platform_case_again_is_answered_and_a_different_one_is_a_409(client, shop, token, order):
    line = order.lines.get(platform_line_id="DY0001-1")
    body = {"order_id": order.pk, "lines": [{"order_line_id": line.pk, "quantity": 2}], "kind": "return_refund",
            "reason": "size_fit", "buyer_note": "偏小", "platform_case_id": "DYC-77"}
    first = _post(client, token, "/api/v1/cases", body)
    assert first.status_code == 201, first.json()
    again = _post(client, token, "/api/v1/cases", body)  # the whole line is claimed: only the key can answer
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    refused = _post(client, token, "/api/v1/cases", {**body, "reason": "quality_defect"})
    assert refused.status_code == 409 and refused.json()["code"] == "case.exists"
    assert Case.objects.filter(shop=shop).count() == 1
    assert CaseEvent.objects.filter(case_id=first.json()["id"]).count() == 1  # one "open", nothing else


pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


def _race(path: str, bodies: list[dict], token: str) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, str]] = []

    def attempt(body: dict) -> None:
        client = Client(raise_request_exception=False)
        try:
            barrier.wait()
            response = _post(client, token, path, body)
            answers.append((response.status_code, response.json().get("code", "") if response.status_code >= 400
                            else str(response.json()["id"])))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


@pg_only
@pytest.mark.django_db(transaction=True)
def test_ten_clients_posting_one_order_at_once_get_one_order_and_no_error():
    shop = make_shop("race-orders")
    token = ApiToken.issue(shop, name="race")[1]
    same = [order_payload("DYRACE1")] * 7
    other = order_payload("DYRACE1", freight_fen=900)
    other["payments"][0]["amount_fen"] += 900
    answers = _race("/api/v1/orders", [*same, other, other, other], token)
    assert len(answers) == 10
    statuses = sorted(status for status, _ in answers)
    assert 500 not in statuses and statuses.count(201) == 1
    order = Order.objects.get(shop=shop, platform_order_id="DYRACE1")
    winner_is_same = order.freight_fen == 0
    for status, what in answers:
        if status in (200, 201):
            assert what == str(order.pk)
        else:
            assert (status, what) == (409, "order.exists")
    assert statuses.count(409) == (3 if winner_is_same else 7)
    assert OrderLine.objects.filter(order=order).count() == 2


@pg_only
@pytest.mark.django_db(transaction=True)
def test_ten_clients_posting_one_platform_case_at_once_get_one_case_and_no_error():
    shop = make_shop("race-cases")
    token = ApiToken.issue(shop, name="race")[1]
    from aftersales.orders.services import create_order

    orders = [create_order(shop, order_payload(f"DYRC{n}")) for n in range(2)]
    bodies = [{"order_id": o.pk, "lines": [{"order_line_id": o.lines.get(platform_line_id=f"{o.platform_order_id}-2").pk,
                                              "quantity": 1}], "kind": "refund_only", "reason": "quality_defect",
               "platform_case_id": "RACE-CASE-1"} for o in orders]
    answers = _race("/api/v1/cases", [bodies[0]] * 8 + [bodies[1]] * 2, token)
    assert len(answers) == 10 and 500 not in [s for s, _ in answers]
    case = Case.objects.get(shop=shop, platform_case_id="RACE-CASE-1")
    assert Case.objects.filter(shop=shop).count() == 1
    assert sorted(s for s, _ in answers).count(201) == 1
    for status, what in answers:
        assert what == str(case.pk) if status in (200, 201) else (status, what) == (409, "case.exists")
    assert Shop.objects.filter(slug="race-cases").exists()


@pg_only
@pytest.mark.django_db(transaction=True)
def test_the_same_staff_member_added_twice_at_once_is_one_membership_and_a_coded_refusal():
    from aftersales.accounts.models import Membership
    from aftersales.accounts.services import add_member
    from aftersales.core.errors import DomainError

    shop = make_shop("race-staff")
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            add_member(Shop.objects.get(pk=shop.pk), username="new_agent", role="agent", password="long-enough-pw")
            outcomes.append("added")
        except DomainError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - a server error is what this test is about
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["added"] + sorted(o for o in outcomes if o != "added")
    assert outcomes.count("added") == 1
    assert set(outcomes) - {"added"} <= {"staff.username_taken", "staff.already_member"}
    assert Membership.objects.filter(shop=shop, user__username="new_agent").count() == 1
