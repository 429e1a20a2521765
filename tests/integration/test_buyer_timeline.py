"""The buyer's timeline tells the buyer's story: no warehouse grade or internal steps, the photos sent
together on one line, one line per refund."""

from __future__ import annotations

import pytest

from aftersales.cases import services
from aftersales.cases.evidence import add_evidence
from aftersales.refunds import services as refunds
from aftersales.warehouse import services as warehouse
from tests.integration.console_support import (
    BUYER,
    MERCHANT,
    WAREHOUSE,
    open_case,
    png_bytes,
    recent_order,
    text,
)

pytestmark = pytest.mark.django_db


def timeline(page: str) -> str:
    return page[page.index('<ol class="timeline">'):page.index("</ol>")]


def test_the_buyer_reads_one_line_per_refund_and_per_batch_of_photos(client, shop):
    case = open_case(shop, recent_order(shop, "DYZ0001"))
    for color in ((1, 2, 3), (4, 5, 6), (7, 8, 9)):
        add_evidence(shop, case.pk, BUYER, data=png_bytes(color))
    services.approve_case(shop, case.pk, MERCHANT)
    services.add_note(shop, case.pk, MERCHANT, note="内部：买家是老客户")
    services.record_return_shipment(shop, case.pk, BUYER, carrier="顺丰", tracking_no="SF1234567890")
    warehouse.receive_parcel(shop, WAREHOUSE, case_id=case.pk)
    warehouse.inspect_return(shop, case.pk, WAREHOUSE, grade="B",
                             checklist=dict.fromkeys(warehouse.CHECKLIST_ITEMS, True), restock=True)
    refunds.grant_refund(shop, case.pk, MERCHANT, amount_fen=15900)
    refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key="tl-key-0001")
    assert client.post("/portal/", {"order_no": "DYZ0001", "last4": "5678"}).status_code == 302
    steps = timeline(text(client.get(f"/portal/cases/{case.pk}/")))
    assert steps.count("<li") == 7  # asked, photos, approved, sent back, received, inspected, refunded
    assert steps.count("× 3") == 1
    assert steps.count("¥159.00") == 1 and "退款已到账" in steps
    assert "重新包装" not in steps and "B" not in steps.replace("SF1234567890", "")
    assert steps.count('data-verdict="intact"') == 1 and "质检通过：商品完好" in steps  # the verdict, not the grade
    assert "老客户" not in steps
    # Staff still see every step.
    from tests.integration.console_support import member

    client.force_login(member(shop, "agent_t", "agent"))
    staff = text(client.get(f"/console/cases/{case.pk}/"))
    assert staff.count("ev-evidence") == 3 and "ev-execute_refund" in staff


def test_the_buyer_reads_why_the_inspection_failed_but_never_the_grade(client, shop):
    from aftersales.warehouse.inspection import inspect_with_photos

    case = open_case(shop, recent_order(shop, "DYZ0002"), reason="no_reason")
    services.approve_case(shop, case.pk, MERCHANT)
    services.record_return_shipment(shop, case.pk, BUYER, carrier="顺丰", tracking_no="SF1234567892")
    warehouse.receive_parcel(shop, WAREHOUSE, case_id=case.pk)
    inspect_with_photos(shop, case.pk, WAREHOUSE, photos=[png_bytes()], grade="D", checklist={"tags_intact": False},
                        failure_reason="not_our_item", note="退回的是另一款裙子")
    assert client.post("/portal/", {"order_no": "DYZ0002", "last4": "5678"}).status_code == 302
    steps = timeline(text(client.get(f"/portal/cases/{case.pk}/")))
    assert 'data-verdict="failed"' in steps and "质检不通过" in steps and "非本店商品或空包" in steps
    assert "无残值" not in steps and "D" not in steps.replace("SF1234567892", "")
