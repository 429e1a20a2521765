"""Refusals carry the platform's own refuse-reason code and, where the platform wants them, the shop's
photos of the case: 抖店 (afterSale.rejectReasonCodeList, submitEvidence), 淘宝 (refusereason.get,
refuse_proof uploaded as a file), 天猫 (a proof with every refusal). The simulators check the code against
their published list."""

from __future__ import annotations

import pytest

from aftersales.cases.domain.states import Actor
from aftersales.cases.evidence import add_evidence
from aftersales.cases.models import Case, CaseEvent
from aftersales.cases.services import By, reject_case
from aftersales.platforms.connectors.base import ApiError, BaseConnector, EvidenceFile
from aftersales.platforms.simulator.douyin import REJECT_REASONS
from aftersales.platforms.simulator.taobao import REFUSE_REASONS
from aftersales.platforms.sync.clients import session
from aftersales.platforms.sync.models import PlatformCommand
from aftersales.platforms.sync.pull import pull_store
from aftersales.platforms.sync.push import deliver_commands
from tests.integration.console_support import png_bytes
from tests.integration.platform_sync_support import connected

pytestmark = pytest.mark.django_db
AGENT = By(Actor.MERCHANT)


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(BaseConnector, "calls_per_second", 0.0)
    monkeypatch.setattr(BaseConnector, "backoff", 0.0)


def _pulled(shop, platform, **case):
    sim, connection = connected(shop, platform)
    sim_case = sim.add_case(kind="return_refund", **case)
    pull_store(connection)
    return sim, connection, sim_case, Case.objects.get(shop=shop)


def _reject_and_send(shop, case, reason_code):
    reject_case(shop, case.pk, AGENT, reason_code=reason_code, note="商品吊牌已剪", as_owner=True)
    deliver_commands()
    return PlatformCommand.objects.filter(case=case).order_by("-pk").first()


def test_douyin_refusal_sends_the_code_of_its_published_list(shop):
    sim, _connection, sim_case, case = _pulled(shop, "douyin")
    command = _reject_and_send(shop, case, "beyond_window")
    assert (command.state, command.result_kind) == ("done", "ok")
    refusal = [h for h in sim.cases[sim_case.case_id].history if h["event"] == "reject_reason"]
    assert refusal == [{"event": "reject_reason", "code": 2, "evidence": []}]
    assert REJECT_REASONS[2][0] == "买家超过售后时效申请"
    assert "afterSale.rejectReasonCodeList" in sim.calls and "afterSale.submitEvidence" not in sim.calls
    case.refresh_from_db()
    assert (case.status, case.awaiting_platform) == ("rejected", "")


def test_douyin_refusal_that_wants_photos_waits_for_the_shops_photos(shop):
    sim, _connection, sim_case, case = _pulled(shop, "douyin")
    add_evidence(shop, case.pk, By(Actor.BUYER), data=png_bytes((10, 10, 10)))  # the buyer's: never sent back
    command = _reject_and_send(shop, case, "not_intact")
    assert (command.state, command.result_kind, command.result_code) == ("rejected", "evidence_required", "1")
    assert "afterSale.operate" not in sim.calls  # nothing asked of the platform without the photos
    case.refresh_from_db()
    assert (case.status, case.awaiting_platform) == ("requested", "")
    assert CaseEvent.objects.filter(case=case, action="platform_refused", reason_code="evidence_required").exists()
    assert sim.cases[sim_case.case_id].status == "requested"
    # The agent adds the shop's photos and refuses again: they go first, the refusal names them.
    add_evidence(shop, case.pk, AGENT, data=png_bytes((200, 30, 30)))
    add_evidence(shop, case.pk, By(Actor.WAREHOUSE), data=png_bytes((30, 200, 30)))
    command = _reject_and_send(shop, case, "not_intact")
    assert (command.state, command.result_kind) == ("done", "ok")
    refusal = [h for h in sim.cases[sim_case.case_id].history if h["event"] == "reject_reason"]
    assert refusal[0]["code"] == 1 and len(refusal[0]["evidence"]) == 2
    assert sim.calls.count("afterSale.submitEvidence") == 1
    case.refresh_from_db()
    assert case.status == "rejected"


def test_douyin_simulator_refuses_a_code_outside_its_list(shop):
    sim, connection, sim_case, _case = _pulled(shop, "douyin")
    connector = session(connection).connector
    item = connector.get_case(sim_case.case_id)
    with pytest.raises(ApiError) as refused:
        connector.call("afterSale.operate", {"type": 102, "items": [{
            "aftersale_id": sim_case.case_id, "update_time": item.raw["aftersale_info"]["update_time"],
            "reject_reason_code": 12345, "reason": "我们自己的编号", "remark": ""}]})
    assert (refused.value.kind, refused.value.platform_code) == ("rejected", "11005")
    assert sim.cases[sim_case.case_id].status == "requested"


@pytest.mark.parametrize(("reason_code", "reason_id", "photos"), [
    ("duplicate_request", 106, 0), ("inspection_failed", 107, 1), ("buyer_fault", 105, 1)])
def test_taobao_refusal_names_a_reason_of_refusereason_get(shop, reason_code, reason_id, photos):
    sim, _connection, _sim_case, case = _pulled(shop, "taobao")
    for n in range(photos):
        add_evidence(shop, case.pk, AGENT, data=png_bytes((n, 40, 40)))
    command = _reject_and_send(shop, case, reason_code)
    assert (command.state, command.result_kind) == ("done", "ok")
    assert sim.refusals[-1]["reason_id"] == reason_id and sim.refusals[-1]["proof"] == bool(photos)
    assert REFUSE_REASONS[reason_id][1] == bool(photos)
    # The proof is the newest of the shop's photos, as the file it is (not a text of it).
    assert sim.refusals[-1]["proof_bytes"] == (png_bytes((photos - 1, 40, 40)) if photos else b"")


def test_taobao_refusal_without_the_proof_it_wants_changes_nothing(shop):
    sim, _connection, sim_case, case = _pulled(shop, "taobao")
    command = _reject_and_send(shop, case, "inspection_failed")
    assert (command.state, command.result_kind, command.result_code) == ("rejected", "evidence_required", "107")
    assert sim.refusals == [] and sim.cases[sim_case.case_id].status == "requested"
    case.refresh_from_db()
    assert (case.status, case.awaiting_platform) == ("requested", "")


def test_tmall_refusal_wants_a_proof_even_where_taobao_would_not(shop):
    sim, _connection, sim_case, case = _pulled(shop, "tmall")
    assert REFUSE_REASONS[106][1] is False  # 买家重复申请: no proof on 淘宝
    command = _reject_and_send(shop, case, "duplicate_request")
    assert (command.state, command.result_kind, command.result_code) == ("rejected", "evidence_required", "106")
    assert "taobao.refund.refuse" not in sim.calls and sim.refusals == []
    case.refresh_from_db()
    assert (case.status, case.awaiting_platform) == ("requested", "")
    add_evidence(shop, case.pk, AGENT, data=png_bytes((90, 90, 200)))
    command = _reject_and_send(shop, case, "duplicate_request")
    assert (command.state, command.result_kind) == ("done", "ok")
    assert sim.refusals == [{"refund_id": sim_case.case_id, "reason_id": 106, "proof": True,
                             "proof_bytes": png_bytes((90, 90, 200))}]
    case.refresh_from_db()
    assert case.status == "rejected"


def test_tmall_simulator_refuses_a_refusal_without_a_proof_or_with_the_proof_as_text(shop):
    sim, connection, sim_case, _case = _pulled(shop, "tmall")
    connector = session(connection).connector
    version = str(connector.get_case(sim_case.case_id).raw["refund_version"])
    base = {"refund_id": sim_case.case_id, "refuse_message": "重复申请", "refund_version": version,
            "refund_phase": "aftersale", "refuse_reason_id": "106"}
    with pytest.raises(ApiError) as refused:
        connector.call("taobao.refund.refuse", base)
    assert refused.value.kind == "evidence_required"
    with pytest.raises(ApiError) as refused:
        connector.call("taobao.refund.refuse", {**base, "refuse_proof": "iVBORw0KGgo="})
    assert refused.value.kind == "rejected"
    with pytest.raises(ApiError) as refused:
        connector.call("taobao.refund.refuse", {**base, "refuse_proof": EvidenceFile("a.txt", "text/plain", b"hi")})
    assert refused.value.kind == "rejected"
    assert sim.refusals == [] and sim.cases[sim_case.case_id].status == "requested"


def test_jd_refusal_sends_the_merchants_words_and_no_invented_code(shop):
    sim, connection, sim_case, case = _pulled(shop, "jd")
    sent = []
    real_send = sim.handle
    sim.handle = lambda request: sent.append(request) or real_send(request)
    command = _reject_and_send(shop, case, "other")
    assert (command.state, command.result_kind) == ("done", "ok")
    refuse = next(r for r in sent if r.params.get("method") == "jingdong.asc.audit.refuse")
    assert "refuseReason" not in refuse.params["360buy_param_json"]
    assert "商品吊牌已剪" in refuse.params["360buy_param_json"]
    assert sim.cases[sim_case.case_id].status == "rejected"
