"""The compensation ladder is guarded: a skipped rung needs a reason, an agent's grant above their limit
waits for the owner's approval (nothing is given until then), and the owner approves or declines it from
their list. The same rule on the case page and in the API."""

from __future__ import annotations

import pytest
from django.test import Client

from aftersales.accounts.models import ApiToken, Shop
from aftersales.care import services as care
from aftersales.care.domain.limits import Limits
from aftersales.care.models import ApprovalStatus, Compensation, CompensationApproval, CompensationLimits
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case, CaseEvent
from aftersales.cases.services import By
from aftersales.core.errors import NotFoundError
from aftersales.notifications.models import Message
from tests.integration.console_support import english, member, open_case, recent_order, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(shop):
    shop.compensation_budget_fen = 100000
    shop.save()
    return open_case(shop, recent_order(shop, "DYC0001"))


def act(client, case, data):
    return client.post(f"/console/cases/{case.pk}/act/compensate/",
                       {f"compensate-{k}": v for k, v in data.items()})


def state(case):
    """Everything a compensation may write."""
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.version, CaseEvent.objects.filter(case=case).count(), Compensation.objects.count(),
            CompensationApproval.objects.count(), Message.objects.count())


def test_a_coupon_straight_to_cash_asks_for_the_reason_and_records_it(client, agent, case):
    assert act(client, case, {"rung": "coupon", "amount": "5"}).status_code == 302
    before = state(case)
    refused = act(client, case, {"rung": "red_envelope", "amount": "20"})
    assert refused.status_code == 422
    assert "跳过了补偿阶梯的一级，须填写原因" in text(refused)
    assert state(case) == before
    english(client)
    refused = act(client, case, {"rung": "red_envelope", "amount": "20"})
    assert "skips a rung of the compensation ladder: a reason is required" in text(refused)
    assert state(case) == before
    assert act(client, case, {"rung": "red_envelope", "amount": "20", "reason": "优惠券买家不接受"}).status_code == 302
    grant = Compensation.objects.get(rung="red_envelope")
    assert (grant.cost_fen, grant.reason, grant.granted_by, grant.approved_by) == (2000, "优惠券买家不接受", agent, None)
    event = CaseEvent.objects.filter(case=case, action="compensation").latest("pk")
    assert event.payload == {"compensation": grant.pk, "rung": "red_envelope", "cost_fen": 2000,
                             "reason": "优惠券买家不接受", "why": ["skips_rung"]}


def test_an_agent_over_the_limit_creates_only_the_pending_approval(client, agent, shop, case):
    owner = member(shop, "owner_a", "owner")
    before = state(case)
    refused = act(client, case, {"rung": "coupon", "amount": "50"})
    assert refused.status_code == 422 and "超过客服单笔补偿限额，须店长审批" in text(refused)
    assert state(case) == before
    response = act(client, case, {"rung": "coupon", "amount": "50", "note": "券", "reason": "买家第三次来问"})
    assert response.status_code == 302
    assert "已提交店长审批" in text(client.get(response["Location"]))
    assert Compensation.objects.count() == 0
    approval = CompensationApproval.objects.get()
    assert (approval.status, approval.cost_fen, approval.rung, approval.reason, approval.why, approval.requested_by) == (
        "pending", 5000, "coupon", "买家第三次来问", ["over_agent_limit"], agent)
    event = CaseEvent.objects.get(case=case, action="compensation_requested")
    assert (event.note, event.payload["approval"], event.payload["cost_fen"]) == ("买家第三次来问", approval.pk, 5000)
    assert Case.objects.get(pk=case.pk).status == case.status
    told = Message.objects.get(event_id=event.pk)
    assert told.recipient_user == owner and "¥50.00" in told.body
    # The monthly budget is not spent by a request.
    assert care.budget_of(shop).used_fen == 0


def test_the_owner_approves_from_the_list_and_the_approver_is_recorded(client, agent, shop, case):
    act(client, case, {"rung": "red_envelope", "amount": "50", "reason": "买家威胁差评"})
    approval = CompensationApproval.objects.get()
    owner = member(shop, "owner_a", "owner")
    client.force_login(owner)
    page = text(client.get("/console/approvals/"))
    assert case.number in page and "¥50.00" in page and "买家威胁差评" in page
    assert 'title="待您审批">1</span>' in page  # the owner's navigation counts what waits
    response = client.post(f"/console/approvals/{approval.pk}/approve/", {})
    assert response.status_code == 302
    grant = Compensation.objects.get()
    assert (grant.cost_fen, grant.rung, grant.granted_by, grant.approved_by, grant.reason) == (
        5000, "red_envelope", agent, owner, "买家威胁差评")
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by, approval.compensation) == ("approved", owner, grant)
    event = CaseEvent.objects.get(case=case, action="compensation")
    assert event.actor_user == owner and event.payload["approved_by"] == "owner_a"
    assert care.budget_of(shop).used_fen == 5000
    # Deciding twice is refused and changes nothing.
    before = state(case)
    again = client.post(f"/console/approvals/{approval.pk}/decline/", {"note": "x"}, follow=True)
    assert "已处理" in text(again)
    assert state(case) == before
    case_page = text(client.get(f"/console/cases/{case.pk}/"))
    assert "批准人 owner_a" in case_page and "原因：买家威胁差评" in case_page
    assert 'title="待您审批"' not in case_page  # nothing waits any more



def test_the_reason_of_a_compensation_reads_with_the_pages_own_colon(client, agent, shop, case):
    act(client, case, {"rung": "red_envelope", "amount": "50", "reason": "买家威胁差评"})
    client.force_login(member(shop, "owner_c", "owner"))
    assert "原因：买家威胁差评" in text(client.get("/console/approvals/"))
    english(client)
    page = text(client.get("/console/approvals/"))
    assert "Reason: 买家威胁差评" in page and "Reason：" not in page
    client.post(f"/console/approvals/{CompensationApproval.objects.get().pk}/approve/", {})
    case_page = text(client.get(f"/console/cases/{case.pk}/"))
    assert "Reason: 买家威胁差评" in case_page and "Reason：" not in case_page

def test_declining_gives_nothing_and_tells_the_agent(client, agent, shop, case):
    act(client, case, {"rung": "coupon", "amount": "30", "reason": "老顾客"})
    approval = CompensationApproval.objects.get()
    owner = member(shop, "owner_a", "owner")
    client.force_login(owner)
    assert client.post(f"/console/approvals/{approval.pk}/decline/", {"note": "先给优惠券 ¥10"}).status_code == 302
    approval.refresh_from_db()
    assert (approval.status, approval.decision_note, approval.decided_by) == ("declined", "先给优惠券 ¥10", owner)
    assert Compensation.objects.count() == 0
    event = CaseEvent.objects.get(case=case, action="compensation_declined")
    told = Message.objects.get(event_id=event.pk)
    assert told.recipient_user == agent and "未获店长批准" in told.body and "先给优惠券 ¥10" in told.body
    client.force_login(agent)
    assert "未批准" in text(client.get(f"/console/cases/{case.pk}/"))


def test_only_owners_decide_and_only_their_own_shops(client, agent, shop, other_shop, case):
    act(client, case, {"rung": "coupon", "amount": "30", "reason": "老顾客"})
    approval = CompensationApproval.objects.get()
    assert client.get("/console/approvals/").status_code == 403
    assert client.post(f"/console/approvals/{approval.pk}/approve/", {}).status_code == 403
    stranger = member(other_shop, "owner_b", "owner")
    other = Client()
    other.force_login(stranger)
    assert approval.case.number not in text(other.get("/console/approvals/"))
    assert other.post(f"/console/approvals/{approval.pk}/approve/", {}).status_code == 404
    assert other.post(f"/console/approvals/{approval.pk}/bogus/", {}).status_code == 404
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING and Compensation.objects.count() == 0
    # The service itself: another shop's approval is not found.
    with pytest.raises(NotFoundError):
        care.approve_compensation(other_shop, approval.pk, By(Actor.MERCHANT))


def test_the_case_limit_and_the_owners_cap_set_in_the_settings(client, shop, case):
    owner = member(shop, "owner_a", "owner")
    client.force_login(owner)
    bad = client.post("/console/settings/limits/", {"limits-agent": "80", "limits-case": "0", "limits-owner": "60"})
    assert bad.status_code == 422 and "不超过单笔上限" in text(bad)
    assert not CompensationLimits.objects.exists()
    assert client.post("/console/settings/limits/", {"limits-agent": "", "limits-case": "1",
                                                      "limits-owner": "0"}).status_code == 422
    ok = client.post("/console/settings/limits/", {"limits-agent": "10", "limits-case": "30", "limits-owner": "60"})
    assert ok.status_code == 302
    assert care.limits_of(shop) == Limits(agent_fen=1000, case_fen=3000, owner_fen=6000)
    before = state(case)
    capped = act(client, case, {"rung": "coupon", "amount": "61", "reason": "特批"})
    assert capped.status_code == 422 and "超过店铺单笔补偿上限 ¥60.00" in text(capped)
    assert state(case) == before
    # The owner gives above the case's limit, with a reason; no approval is made.
    assert act(client, case, {"rung": "coupon", "amount": "20"}).status_code == 302
    assert act(client, case, {"rung": "points", "amount": "15"}).status_code == 422
    assert act(client, case, {"rung": "points", "amount": "15", "reason": "店长特批"}).status_code == 302
    assert Compensation.objects.count() == 2 and CompensationApproval.objects.count() == 0
    assert CaseEvent.objects.filter(case=case, action="compensation").latest("pk").payload["why"] == ["over_case_limit"]


def test_the_api_follows_the_same_rule(client, shop, case):
    agent_token = ApiToken.issue(shop, name="agent", role="agent")[1]
    headers = {"Authorization": f"Bearer {agent_token}"}

    def post(data, token_headers=headers, lang="zh-hans"):
        return client.post(f"/api/v1/cases/{case.pk}/compensation", data=data, content_type="application/json",
                           headers={**token_headers, "Accept-Language": lang})

    before = state(case)
    refused = post({"rung": "coupon", "cost_fen": 5000}, lang="en")
    assert refused.status_code == 422
    assert refused.json()["code"] == "care.reason_required"
    assert "a reason is required" in refused.json()["message"]
    assert post({"rung": "coupon", "cost_fen": 0}).status_code == 422
    assert post({"rung": "cash", "cost_fen": 500}).status_code == 422
    assert state(case) == before
    pending = post({"rung": "coupon", "cost_fen": 5000, "reason": "买家要求"})
    assert pending.status_code == 200
    assert pending.json() == {"outcome": "pending_approval", "id": CompensationApproval.objects.get().pk,
                              "rung": "coupon", "cost_fen": 5000, "reason": "买家要求", "why": ["over_agent_limit"]}
    assert Compensation.objects.count() == 0
    owner_headers = {"Authorization": f"Bearer {ApiToken.issue(shop, name='owner')[1]}"}
    given = post({"rung": "coupon", "cost_fen": 5000, "reason": "店长"}, owner_headers)
    assert given.status_code == 200 and given.json()["outcome"] == "given"
    other = Shop.objects.create(slug="gamma", name="G")
    stranger = {"Authorization": f"Bearer {ApiToken.issue(other, name='x')[1]}"}
    assert post({"rung": "coupon", "cost_fen": 500}, stranger).status_code == 404
    warehouse = {"Authorization": f"Bearer {ApiToken.issue(shop, name='w', role='warehouse')[1]}"}
    assert post({"rung": "coupon", "cost_fen": 500}, warehouse).status_code == 403


def test_owners_decide_approvals_through_the_api(client, agent, shop, other_shop, case):
    act(client, case, {"rung": "coupon", "amount": "30", "reason": "老顾客"})
    act(client, case, {"rung": "coupon", "amount": "40", "reason": "第二次"})
    first, second = CompensationApproval.objects.order_by("pk")
    owner = {"Authorization": f"Bearer {ApiToken.issue(shop, name='owner')[1]}"}
    agent_token = {"Authorization": f"Bearer {ApiToken.issue(shop, name='agent', role='agent')[1]}"}
    stranger = {"Authorization": f"Bearer {ApiToken.issue(other_shop, name='x')[1]}"}
    assert client.get("/api/v1/compensation-approvals", headers=agent_token).status_code == 403
    assert client.get("/api/v1/compensation-approvals", headers=stranger).json() == {"items": [], "count": 0}
    listed = client.get("/api/v1/compensation-approvals?status=pending", headers=owner).json()
    assert listed["count"] == 2
    assert {k: listed["items"][0][k] for k in ("id", "case_number", "rung", "cost_fen", "reason", "why", "status",
                                               "requested_by", "decided_by", "compensation_id")} == {
        "id": first.pk, "case_number": case.number, "rung": "coupon", "cost_fen": 3000, "reason": "老顾客",
        "why": ["over_agent_limit"], "status": "pending", "requested_by": "agent_a", "decided_by": "",
        "compensation_id": None}
    before = state(case)
    assert client.post(f"/api/v1/compensation-approvals/{first.pk}/approve", data={},
                       content_type="application/json", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/compensation-approvals/{first.pk}/approve", data={},
                       content_type="application/json", headers=agent_token).status_code == 403
    assert client.post(f"/api/v1/compensation-approvals/{first.pk}/decline", data={"note": "x" * 201},
                       content_type="application/json", headers=owner).status_code == 422
    assert state(case) == before
    approved = client.post(f"/api/v1/compensation-approvals/{first.pk}/approve", data={},
                           content_type="application/json", headers=owner)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["compensation_id"] == Compensation.objects.get().pk
    declined = client.post(f"/api/v1/compensation-approvals/{second.pk}/decline", data={"note": "不批"},
                           content_type="application/json", headers=owner)
    assert declined.status_code == 200 and (declined.json()["status"], declined.json()["decision_note"]) == (
        "declined", "不批")
    again = client.post(f"/api/v1/compensation-approvals/{second.pk}/approve", data={},
                        content_type="application/json", headers=owner)
    assert again.status_code == 409 and again.json()["code"] == "care.approval_decided"
    assert Compensation.objects.count() == 1
