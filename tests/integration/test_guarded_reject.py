"""Refusing is never one click: a reason, a message to the buyer, a confirmation; a lawful seven-day
no-reason request is refused only by the owner, after a plain warning."""

from __future__ import annotations

import pytest

from aftersales.cases import services
from aftersales.cases.models import Case, CaseEvent
from aftersales.core.errors import ConflictError
from tests.integration.console_support import MERCHANT, member, open_case, recent_order, text

pytestmark = pytest.mark.django_db

WARNING = "该申请符合七天无理由退货，拒绝可能被平台判责"
REFUSAL = {"reject-reason_code": "not_intact", "reject-note": "吊牌已剪，不影响二次销售的条件不满足",
           "reject-confirm": "on"}


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return fresh.status, fresh.version, CaseEvent.objects.filter(case=case).count()


@pytest.fixture
def lawful(shop):
    """A size complaint three days after signing: a lawful no-reason return."""
    return open_case(shop, recent_order(shop, "DYG0001"), kind="return_refund", reason="size_fit")


@pytest.fixture
def defect(shop):
    return open_case(shop, recent_order(shop, "DYG0002"), kind="return_refund", reason="quality_defect")


def test_an_agent_is_warned_and_cannot_refuse_a_lawful_no_reason_request(client, agent, lawful):
    page = text(client.get(f"/console/cases/{lawful.pk}/"))
    assert WARNING in page and "只有店长可以拒绝" in page
    before = snapshot(lawful)
    response = client.post(f"/console/cases/{lawful.pk}/act/reject/", REFUSAL)
    assert response.status_code == 422 and "只有店长可以拒绝" in text(response)
    assert snapshot(lawful) == before


def test_the_owner_may_refuse_it_with_reason_message_and_confirmation(client, shop, lawful):
    client.force_login(member(shop, "owner_g", "owner"))
    page = text(client.get(f"/console/cases/{lawful.pk}/"))
    assert WARNING in page and "只有店长可以拒绝" not in page
    before = snapshot(lawful)
    for missing, why in (("reject-reason_code", "请选择原因"), ("reject-note", "请告诉买家拒绝的原因"),
                         ("reject-confirm", "请勾选确认拒绝")):
        data = {k: v for k, v in REFUSAL.items() if k != missing}
        response = client.post(f"/console/cases/{lawful.pk}/act/reject/", data)
        assert response.status_code == 422 and why in text(response), missing
        assert snapshot(lawful) == before
    assert client.post(f"/console/cases/{lawful.pk}/act/reject/", REFUSAL).status_code == 302
    assert Case.objects.get(pk=lawful.pk).status == "rejected"
    event = CaseEvent.objects.filter(case=lawful).order_by("-pk").first()
    assert (event.reason_code, event.note) == ("not_intact", REFUSAL["reject-note"])


def test_an_agent_refuses_a_request_the_law_does_not_protect_without_the_warning(client, agent, defect):
    assert WARNING not in text(client.get(f"/console/cases/{defect.pk}/"))
    data = {**REFUSAL, "reject-reason_code": "evidence_insufficient", "reject-note": "照片看不出问题，请补充"}
    assert client.post(f"/console/cases/{defect.pk}/act/reject/", data).status_code == 302
    assert Case.objects.get(pk=defect.pk).status == "rejected"


def test_the_service_and_the_api_keep_the_same_guard(client, shop, lawful):
    from aftersales.accounts.models import ApiToken

    with pytest.raises(ConflictError):
        services.reject_case(shop, lawful.pk, MERCHANT, reason_code="not_intact", note="x")
    agent_token = ApiToken.issue(shop, name="agent", role="agent")[1]
    response = client.post(f"/api/v1/cases/{lawful.pk}/reject", {"reason_code": "not_intact", "note": "x"},
                           content_type="application/json", headers={"Authorization": f"Bearer {agent_token}"})
    assert response.status_code == 409 and response.json()["code"] == "case.reject_lawful_no_reason_owner_only"
    assert Case.objects.get(pk=lawful.pk).status == "requested"
