"""A failed inspection reads once on the buyer's timeline: the step, its verdict and why it failed,
without the same words repeated as the event's reason."""

from __future__ import annotations

import pytest

from aftersales.cases import services
from aftersales.warehouse import services as warehouse
from aftersales.warehouse.inspection import inspect_with_photos
from tests.integration.console_support import (
    BUYER,
    MERCHANT,
    WAREHOUSE,
    open_case,
    png_bytes,
    recent_order,
    text,
)
from tests.integration.test_buyer_timeline import timeline

pytestmark = pytest.mark.django_db


def test_a_failed_inspection_says_failed_once_as_step_and_once_as_verdict(client, shop):
    case = open_case(shop, recent_order(shop, "DYZ0003"), reason="no_reason")
    services.approve_case(shop, case.pk, MERCHANT)
    services.record_return_shipment(shop, case.pk, BUYER, carrier="顺丰", tracking_no="SF1234567893")
    warehouse.receive_parcel(shop, WAREHOUSE, case_id=case.pk)
    inspect_with_photos(shop, case.pk, WAREHOUSE, photos=[png_bytes()], grade="C", checklist={"not_used": False},
                        failure_reason="used", note="吊牌已剪，明显穿过")
    assert client.post("/portal/", {"order_no": "DYZ0003", "last4": "5678"}).status_code == 302
    steps = timeline(text(client.get(f"/portal/cases/{case.pk}/")))
    failed = steps[steps.index('class="ev-fail_inspection"'):]
    failed = failed[:failed.index("</li>")]
    assert failed.count("质检不通过") == 2  # the step and its verdict badge
    assert 'data-verdict="failed"' in failed and "已使用，超出检查所需" in failed
