"""批量同意退款: the plan with its total first, then per case approve → grant → pay with its own key;
each case's result is reported, a refused case changes nothing, and confirming twice never pays twice."""

from __future__ import annotations

import re

import pytest

from aftersales.cases.models import Case
from aftersales.refunds.models import RefundDecision, RefundPayment
from tests.integration.console_support import open_case, recent_order, text

pytestmark = pytest.mark.django_db


def plan_fields(page: str) -> list[str]:
    return re.findall(r'name="plan" value="([^"]+)"', page)


def test_bulk_refund_shows_the_total_then_refunds_each_case(client, agent, shop):
    unshipped = [open_case(shop, recent_order(shop, f"DYB000{n}", shipped=False, quantity=n + 1),
                           kind="refund_only", reason="no_reason") for n in range(2)]
    shipped = open_case(shop, recent_order(shop, "DYB0009"))
    ids = [c.pk for c in unshipped] + [shipped.pk]
    plan = client.post("/console/bulk/", {"case": ids, "do": "refund_plan"})
    assert plan.status_code == 200
    page = text(plan)
    # One line of each (open_case takes one unit): ¥159.00 twice, ¥318.00 in all; nothing moved yet.
    assert "共 <strong class=\"total\">¥318.00</strong>" in page and "不是未发货的仅退款申请" in page
    assert all(Case.objects.get(pk=c.pk).status == "requested" for c in unshipped)
    assert RefundDecision.objects.count() == 0
    fields = plan_fields(page)
    assert len(fields) == 2
    done = client.post("/console/bulk/", {"plan": fields, "do": "refund"}, follow=True)
    page = text(done)
    for case in unshipped:
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.status, fresh.refund_granted_fen, fresh.refunded_fen) == ("completed", 15900, 15900)
        assert f"{case.number}：¥159.00 已退款" in page
    assert "已退款 2 个售后单，共 ¥318.00" in page
    assert Case.objects.get(pk=shipped.pk).status == "requested"
    keys = set(RefundPayment.objects.values_list("idempotency_key", flat=True))
    assert keys == {f.partition(":")[2] for f in fields}
    # The same confirmation sent again pays nothing more.
    client.post("/console/bulk/", {"plan": fields, "do": "refund"})
    assert RefundPayment.objects.count() == 2 and RefundDecision.objects.count() == 2


def test_a_plan_of_nothing_refundable_goes_back_with_the_reasons(client, agent, shop):
    shipped = open_case(shop, recent_order(shop, "DYB0010"))
    response = client.post("/console/bulk/", {"case": [shipped.pk], "do": "refund_plan"}, follow=True)
    assert "不是未发货的仅退款申请" in text(response)
    assert Case.objects.get(pk=shipped.pk).status == "requested"


def test_a_tampered_plan_is_refused_and_changes_nothing(client, agent, shop):
    case = open_case(shop, recent_order(shop, "DYB0011", shipped=False), kind="refund_only", reason="no_reason")
    response = client.post("/console/bulk/", {"plan": [f"{case.pk}:bad key!"], "do": "refund"}, follow=True)
    assert "请从列表中选择售后单" in text(response) or response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == "requested"
    assert RefundDecision.objects.count() == 0
