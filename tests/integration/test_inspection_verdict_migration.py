"""Earlier inspections get a verdict from what they were: a pass answered a fault claim or found the goods
intact; a fail graded D was another item or an empty box (warehouse migration 0002)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aftersales.warehouse.models import Inspection
from tests.integration.console_support import MERCHANT, WAREHOUSE, open_case, recent_order

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("warehouse", "0001_initial")]


def received(shop, number: str, reason: str):
    from aftersales.cases import services
    from aftersales.warehouse import services as warehouse

    case = open_case(shop, recent_order(shop, number), reason=reason)
    services.approve_case(shop, case.pk, MERCHANT)
    warehouse.receive_parcel(shop, WAREHOUSE, case_id=case.pk)
    return case


def test_earlier_inspections_get_their_verdict(shop):
    cases = {name: received(shop, f"DYM000{n}", reason)
             for n, (name, reason) in enumerate((("defect", "quality_defect"), ("size", "size_fit"),
                                                 ("empty", "no_reason"), ("cut", "no_reason")))}
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldInspection, Case = old.get_model("warehouse", "Inspection"), old.get_model("cases", "Case")
    for name, grade, passed in (("defect", "C", True), ("size", "A", True), ("empty", "D", False),
                                ("cut", "C", False)):
        case = Case.objects.get(pk=cases[name].pk)
        OldInspection.objects.create(shop_id=case.shop_id, case=case, parcel=case.parcels.get(), checklist={},
                                     grade=grade, passed=passed, received_quantity=1, accepted_quantity=0,
                                     created_at=case.created_at)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest of every app
    found = {i.case_id: (i.verdict, i.failure_reason, i.grade) for i in Inspection.objects.all()}
    assert found == {
        cases["defect"].pk: ("matches_claim", "", "C"),
        cases["size"].pk: ("intact", "", "A"),
        cases["empty"].pk: ("failed", "not_our_item", "D"),
        cases["cut"].pk: ("failed", "", "C"),
    }
