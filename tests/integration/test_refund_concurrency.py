"""Twenty simultaneous refund attempts on one case make exactly one refund (PostgreSQL, real locks)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.core.errors import DomainError
from aftersales.orders.models import Order
from aftersales.orders.services import create_order
from aftersales.refunds import services as refunds
from aftersales.refunds.models import RefundDecision, RefundPayment
from tests.integration.conftest import PAID_AT, make_shop, order_payload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks under concurrency need PostgreSQL"
    ),
]
MERCHANT = services.By(Actor.MERCHANT)


def refunding_case():
    shop = make_shop("race")
    order = create_order(shop, order_payload("RACE-1"))
    line = order.lines.get(platform_line_id="RACE-1-2")
    case = services.open_case(
        shop,
        order_id=order.pk,
        lines=[(line.pk, 1)],
        kind="refund_only",
        reason="quality_defect",
        by=MERCHANT,
        now=PAID_AT + timedelta(days=3),
    )
    services.approve_case(shop, case.pk, MERCHANT)
    return shop.pk, case.pk


def hammer(shop_id: int, case_id: int, keys: list[str]) -> list[str]:
    barrier = threading.Barrier(len(keys))
    outcomes: list[str] = []

    def attempt(key: str) -> None:
        shop = Shop.objects.get(pk=shop_id)
        barrier.wait()
        try:
            try:
                refunds.grant_refund(shop, case_id, MERCHANT)
            except DomainError as exc:
                outcomes.append(f"grant:{exc.code}")
            refunds.execute_refund(shop, case_id, MERCHANT, idempotency_key=key)
            outcomes.append("executed")
        except DomainError as exc:
            outcomes.append(f"execute:{exc.code}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(key,)) for key in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("same_key", [True, False], ids=["same-key", "different-keys"])
def test_twenty_simultaneous_refunds_pay_exactly_once(same_key):
    shop_id, case_id = refunding_case()
    keys = ["race-key-000"] * 20 if same_key else [f"race-key-{i:03d}" for i in range(20)]
    outcomes = hammer(shop_id, case_id, keys)
    assert len(outcomes) >= 20
    assert RefundDecision.objects.filter(case_id=case_id).count() == 1
    paid = RefundPayment.objects.filter(case_id=case_id)
    assert sum(p.amount_fen for p in paid) == 14900
    assert len({p.idempotency_key for p in paid}) == 1
    order = Order.objects.get(cases__pk=case_id)
    assert order.refund_granted_fen == 14900
    refused = [o for o in outcomes if o.startswith("grant:")]
    assert len(refused) == 19
    assert set(refused) <= {"grant:refund.already_granted", "grant:refund.case_not_refunding"}
