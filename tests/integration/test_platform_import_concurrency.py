"""Two imports of one after-sale export at once (a merchant who uploads twice, a pull beside an upload):
each platform case is opened once, and neither import fails a row or the request."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case, CaseEvent
from aftersales.platforms.services import import_file
from tests.integration.ledger_support import assert_ledger_reconciles
from tests.unit import platform_fixtures as fx

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_one_case_file_imported_four_times_at_once_opens_each_case_once():
    shop = Shop.objects.create(slug="race-import", name="并发导入")
    import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv())
    data = fx.douyin_cases_xlsx()
    barrier = threading.Barrier(4)
    runs: list = []
    failures: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            runs.append(import_file(Shop.objects.get(pk=shop.pk), "douyin", "cases", "售后单.xlsx", data))
        except Exception as exc:  # noqa: BLE001 - a server error is what this test is about
            failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    assert [run.status for run in runs] == ["done"] * 4
    # Three cases in the file (three more rows refused for their own reasons, in every run alike).
    assert Case.objects.filter(shop=shop).count() == 3
    assert sum(run.created for run in runs) == 3
    assert sorted(run.created + run.updated + run.unchanged for run in runs) == [3, 3, 3, 3]
    assert [run.skipped for run in runs] == [3] * 4
    for run in runs:
        assert not [e for e in run.report if e.get("code") == "import.row_failed"], run.report
    # one opening per case, and the platform's moves and money written once
    for case in Case.objects.filter(shop=shop):
        actions = list(case.events.values_list("action", flat=True))
        assert actions.count("open") == 1
        assert len(actions) == len(set(actions)), actions
    assert CaseEvent.objects.filter(case__shop=shop, action="grant_refund").count() == 1
    assert_ledger_reconciles()
