"""Who pays the return freight, and the shop's reimbursement of it as its own ledger movement.

The policy names the payer: the shop when it is at fault, the insurer when the order has 运费险, the
buyer for a no-reason return (unless the shop promises free returns). When the shop pays, the buyer's
freight is reimbursed once, at most the shop's cap without a receipt, as a decision of its own kind with
its own idempotency key — on the case's return-freight totals, never on its refund or the order's —
and shown on the case page, to the buyer, in the refunds export, and reconciled by check-ledger."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.evidence import add_evidence
from aftersales.cases.models import Case, CaseEvent
from aftersales.core.errors import DomainError
from aftersales.orders.services import create_order
from aftersales.refunds import freight
from aftersales.refunds.models import RefundDecision, RefundPayment
from aftersales.refunds.selectors import ledger_differences
from tests.integration.conftest import PAID_AT, order_payload
from tests.integration.console_support import png_bytes
from tests.integration.ledger_support import assert_ledger_reconciles

pytestmark = pytest.mark.django_db

BUYER = services.By(Actor.BUYER)
MERCHANT = services.By(Actor.MERCHANT)
NOW = PAID_AT + timedelta(days=4)


def _returning(shop, order, reason="quality_defect"):
    """A return of one dress, approved, the buyer's parcel on its way with ¥14 of freight claimed."""
    line = order.lines.get(platform_line_id=f"{order.platform_order_id}-1")
    case = services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="return_refund",
                              reason=reason, by=BUYER, now=NOW)
    services.approve_case(shop, case.pk, MERCHANT, now=NOW)
    services.record_return_shipment(shop, case.pk, BUYER, carrier="顺丰", tracking_no="SF1234567890",
                                    freight_fen=1400, now=NOW)
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize(("reason", "insured", "payer"), [
    ("quality_defect", False, "merchant"), ("quality_defect", True, "merchant"),
    ("no_reason", False, "buyer"), ("no_reason", True, "insurer"),
])
def test_the_policy_names_who_pays_the_return_freight(shop, reason, insured, payer):
    order = create_order(shop, order_payload(f"DYRF{reason[:2]}{int(insured)}", freight_insurance=insured))
    case = _returning(shop, order, reason)
    assert case.policy_decision["return_freight_payer"] == payer
    assert case.return_freight_claimed_fen == 1400


def test_the_shop_reimburses_the_buyers_return_freight_once_as_its_own_movement(shop, order):
    case = _returning(shop, order)
    paid = freight.reimburse_return_freight(shop, case.pk, MERCHANT, amount_fen=1400, idempotency_key="rf-0001-key")
    assert [(p.route, p.amount_fen, p.status) for p in paid] == [("alipay", 1400, "succeeded")]
    decision = RefundDecision.objects.get(case=case)
    assert (decision.kind, decision.amount_fen) == ("return_freight", 1400)
    case.refresh_from_db()
    order.refresh_from_db()
    assert (case.return_freight_granted_fen, case.return_freight_paid_fen) == (1400, 1400)
    assert (case.refund_granted_fen, case.refunded_fen, order.refund_granted_fen) == (0, 0, 0)
    assert [e.action for e in case.events.order_by("pk")][-2:] == ["reimburse_return_freight", "return_freight_paid"]
    again = freight.reimburse_return_freight(shop, case.pk, MERCHANT, amount_fen=1400, idempotency_key="rf-0001-key")
    assert [p.pk for p in again] == [p.pk for p in paid] and RefundPayment.objects.count() == 1
    with pytest.raises(DomainError) as twice:
        freight.reimburse_return_freight(shop, case.pk, MERCHANT, amount_fen=500, idempotency_key="rf-0002-key")
    assert twice.value.code == "refund.return_freight_already_reimbursed"
    assert_ledger_reconciles(shop.pk)


def test_above_the_shops_cap_a_receipt_is_needed_and_a_refusal_changes_nothing(shop, order):
    case = _returning(shop, order)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(DomainError) as above:
        freight.reimburse_return_freight(shop, case.pk, MERCHANT, amount_fen=3000, idempotency_key="rf-cap-0001")
    assert (above.value.code, above.value.params) == ("refund.return_freight_above_cap", {"cap": 2500})
    assert not RefundDecision.objects.exists() and CaseEvent.objects.filter(case=case).count() == events
    receipt = add_evidence(shop, case.pk, BUYER, data=png_bytes())
    freight.reimburse_return_freight(shop, case.pk, MERCHANT, amount_fen=3000, idempotency_key="rf-cap-0002",
                                     receipt_evidence_id=receipt.pk)
    assert Case.objects.get(pk=case.pk).return_freight_paid_fen == 3000


@pytest.mark.parametrize(("reason", "insured"), [("no_reason", False), ("no_reason", True)])
def test_freight_the_shop_does_not_owe_is_not_reimbursed(shop, reason, insured):
    order = create_order(shop, order_payload(f"DYRN{int(insured)}", freight_insurance=insured))
    case = _returning(shop, order, reason)
    with pytest.raises(DomainError) as refused:
        freight.reimburse_return_freight(shop, case.pk, MERCHANT, amount_fen=1000, idempotency_key="rf-no-00001")
    assert refused.value.code == "refund.return_freight_not_shops"
    assert refused.value.params == {"payer": "insurer" if insured else "buyer"}
    assert not RefundDecision.objects.exists()


def test_check_ledger_counts_the_freight_movement(shop, order):
    case = _returning(shop, order)
    freight.reimburse_return_freight(shop, case.pk, MERCHANT, amount_fen=1200, idempotency_key="rf-led-0001")
    Case.objects.filter(pk=case.pk).update(return_freight_paid_fen=1000)  # a total that drifted
    assert [(d.kind, d.recorded_fen, d.ledger_fen) for d in ledger_differences(shop.pk)] == [
        ("case_freight_paid", 1000, 1200)]
    with pytest.raises(Exception):  # noqa: B017 - CommandError: exits 1
        call_command("check-ledger", "--shop", shop.slug, stdout=io.StringIO())


def test_the_api_the_case_page_the_portal_and_the_export_show_it(client, shop, order, api, agent):
    from aftersales.portal.views import SESSION_KEY

    case = _returning(shop, order)
    missing = api.post(f"/api/v1/cases/{case.pk}/reimburse-return-freight", {"idempotency_key": "rf-api-0001"})
    assert missing.status_code == 422
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert 'id="return-freight"' in page and "买家称寄回运费 ¥14.00" in page
    ok = api.post(f"/api/v1/cases/{case.pk}/reimburse-return-freight",
                  {"amount_fen": 1400, "idempotency_key": "rf-api-0001"})
    assert ok.status_code == 200 and [p["amount_fen"] for p in ok.json()] == [1400]
    body = api.get(f"/api/v1/cases/{case.pk}").json()
    assert (body["return_freight_granted_fen"], body["return_freight_paid_fen"]) == (1400, 1400)
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "已报销寄回运费 ¥14.00" in page
    session = client.session
    session[SESSION_KEY] = order.pk
    session.save()
    portal = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "已报销寄回运费 ¥14.00" in portal
    export = client.get("/console/export/refunds.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[0][-1] == "款项" and rows[1][-1] == "寄回运费报销" and rows[1][5] == "14.00"


def test_the_buyer_states_the_freight_on_the_portal_and_the_agent_reimburses_it_in_the_console(client, shop, order):
    from aftersales.portal.views import SESSION_KEY

    line = order.lines.get(platform_line_id=f"{order.platform_order_id}-1")
    case = services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="return_refund",
                              reason="quality_defect", by=BUYER, now=NOW)
    services.approve_case(shop, case.pk, MERCHANT, now=NOW)
    session = client.session
    session[SESSION_KEY] = order.pk
    session.save()
    assert 'name="freight"' in client.get(f"/portal/cases/{case.pk}/").content.decode()
    shipped = client.post(f"/portal/cases/{case.pk}/ship/", {"carrier": "中通", "tracking_no": "ZT1234567890",
                                                            "freight": "18.50"})
    assert shipped.status_code == 302
    assert Case.objects.get(pk=case.pk).return_freight_claimed_fen == 1850
    from tests.integration.console_support import member
    client.force_login(member(shop, "agent_rf", "agent"))
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert 'name="reimburse_return_freight-amount"' in page and 'value="18.50"' in page
    url = f"/console/cases/{case.pk}/act/reimburse_return_freight/"
    key = f"{case.number}-freight"
    too_much = client.post(url, {"reimburse_return_freight-amount": "30",
                                 "reimburse_return_freight-idempotency_key": key})
    assert too_much.status_code == 422 and "上限 ¥25.00" in too_much.content.decode()
    assert not RefundDecision.objects.exists()
    done = client.post(url, {"reimburse_return_freight-amount": "18.50",
                             "reimburse_return_freight-idempotency_key": key})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).return_freight_paid_fen == 1850
    assert_ledger_reconciles(shop.pk)


def test_the_owner_sets_the_limit_an_agent_cannot_and_bad_input_changes_nothing(client, shop):
    from tests.integration.console_support import member

    client.force_login(member(shop, "agent_cap", "agent"))
    assert client.post("/console/settings/freight-cap/", {"freight_cap-amount": "40"}).status_code == 403
    client.force_login(member(shop, "owner_cap", "owner"))
    page = client.get("/console/settings/").content.decode()
    assert 'id="return-freight-cap"' in page and 'value="25.00"' in page
    bad = client.post("/console/settings/freight-cap/", {"freight_cap-amount": "四十"})
    assert bad.status_code == 422
    shop.refresh_from_db()
    assert shop.return_freight_cap_fen == 2500
    saved = client.post("/console/settings/freight-cap/", {"freight_cap-amount": "40"})
    assert saved.status_code == 302
    shop.refresh_from_db()
    assert shop.return_freight_cap_fen == 4000


def test_a_finished_case_whose_freight_is_owed_says_so_under_next_step(client, shop, order, agent):
    """Refunded and completed, the case used to say 此售后单当前无需处理 while the buyer's freight was owed."""
    from aftersales.refunds import services as refunds
    from aftersales.warehouse import services as warehouse

    case = _returning(shop, order)
    keeper = services.By(Actor.WAREHOUSE)
    warehouse.receive_parcel(shop, keeper, tracking_no="SF1234567890", case_id=case.pk, now=NOW)
    warehouse.inspect_return(shop, case.pk, keeper, grade="A", checklist={}, accepted_quantity=1, now=NOW)
    refunds.grant_refund(shop, case.pk, MERCHANT, reason_code="inspection_passed", now=NOW)
    refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key=f"refund-done-{case.pk:04d}", now=NOW)
    assert Case.objects.get(pk=case.pk).status == "completed"

    def next_step() -> str:
        page = client.get(f"/console/cases/{case.pk}/").content.decode()
        return page[page.index('id="actions"'):page.index('id="reply"')]

    owed = next_step()
    assert "买家的寄回运费（¥14.00）尚未报销。" in owed and 'href="#return-freight"' in owed
    assert "此售后单当前无需处理" not in owed
    freight.reimburse_return_freight(shop, case.pk, MERCHANT, amount_fen=1400, idempotency_key="rf-done-0001")
    assert "此售后单当前无需处理" in next_step() and "尚未报销" not in next_step()


def test_the_buyer_sees_the_freight_they_stated_until_it_is_reimbursed(client, shop, order):
    """After the tracking number the portal said nothing more of the ¥18.50 the buyer entered: not that it
    was received, not that it was still owed, even once the case was completed without it."""
    from aftersales.portal.views import SESSION_KEY

    line = order.lines.get(platform_line_id=f"{order.platform_order_id}-1")
    case = services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="return_refund",
                              reason="quality_defect", by=BUYER, now=NOW)
    services.approve_case(shop, case.pk, MERCHANT, now=NOW)
    session = client.session
    session[SESSION_KEY] = order.pk
    session.save()
    client.post(f"/portal/cases/{case.pk}/ship/", {"carrier": "中通", "tracking_no": "ZT1234567891", "freight": "18.50"})
    portal = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "您填写的寄回运费为 ¥18.50，商家尚未报销" in portal
    client.cookies["django_language"] = "en"
    assert "You stated ¥18.50; the shop has not reimbursed it yet" in client.get(f"/portal/cases/{case.pk}/").content.decode()
    client.cookies["django_language"] = "zh-hans"
    from aftersales.refunds.freight import reimburse_return_freight
    reimburse_return_freight(shop, case.pk, MERCHANT, amount_fen=1850, idempotency_key=f"{case.number}-freight")
    portal = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "商家尚未报销" not in portal and "已报销寄回运费 ¥18.50" in portal
