"""What the write path costs in queries, pinned: opening a case, reading it, and writing a page of pulled
cases — which costs the same statements whatever its number of new cases (their lookups, the cases, lines
and events written together, the analytics rollups of all its orders). And the analytics are current
once the page has committed."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import Shop
from aftersales.analytics import rollups
from aftersales.analytics.domain.facts import MEASURES
from aftersales.analytics.models import KEY_FIELDS, OrderFacts, Rollup
from aftersales.cases import subscribers
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case
from aftersales.cases.services import By, open_case
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.platforms.connectors.base import BaseConnector
from aftersales.platforms.sync.pull import pull_store
from tests.integration.platform_sync_support import connected

pytestmark = pytest.mark.django_db

#: Opening a case through the API: the order and its lines locked and read, the policy's rules, the
#: case, its lines, its event and the rollups of its order — then the case read back as below.
OPEN_QUERIES = 43
#: Reading a case: the token, the case with its order, buyer, events and lines, then its advice and
#: signals (the buyer's history, the shop's figures and settings).
READ_QUERIES = 22


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(BaseConnector, "calls_per_second", 0.0)


def test_opening_and_reading_a_case_through_the_api(api, order, django_assert_max_num_queries):
    line = order.lines.get(platform_line_id="DY0001-1")
    body = {"order_id": order.pk, "lines": [{"order_line_id": line.pk, "quantity": 1}], "kind": "return_refund",
            "reason": "size_fit", "buyer_note": "尺码小了"}
    with django_assert_max_num_queries(OPEN_QUERIES):
        opened = api.post("/api/v1/cases", body)
    assert opened.status_code == 201, opened.json()
    with django_assert_max_num_queries(READ_QUERIES):
        read = api.get(f"/api/v1/cases/{opened.json()['id']}")
    assert read.status_code == 200
    assert read.json()["advice"] is not None and read.json()["signals"] is not None
    assert [line["quantity"] for line in read.json()["lines"]] == [1]


def _pull_page(slug: str, n: int) -> tuple[int, list[str]]:
    """Pull one page of `n` new cases into a fresh shop: (queries, the statements' texts)."""
    shop = Shop.objects.create(slug=slug, name=slug)
    sim, store = connected(shop, "douyin")
    start = clock.now().replace(microsecond=0) - timedelta(hours=3)
    for i in range(n):
        moment = start + timedelta(seconds=60 * i)
        sim.add_case(kind="refund_only" if i % 2 else "return_refund", amount_fen=1000 + i, paid_fen=9900,
                     applied_at=moment, updated_at=moment, title=f"商品{i}", sku_code=f"SKU-{i}")
    with CaptureQueriesContext(connection) as queries:
        result = pull_store(store, since=start - timedelta(minutes=1))
    assert (result.error, result.created, result.pages) == ("", n, 1)
    return len(queries.captured_queries), [q["sql"] for q in queries.captured_queries]


def test_a_page_of_pulled_cases_costs_the_same_statements_whatever_its_number_of_new_cases(db):
    small, small_sql = _pull_page("page-small", 4)
    large, large_sql = _pull_page("page-large", 12)

    def analytics(statements: list[str]) -> int:
        return sum(1 for sql in statements if "analytics_" in sql)

    assert analytics(small_sql) == analytics(large_sql)  # the rollups: once for the page, whatever its size
    assert large == small  # the new cases opened together (cases.platform_pages), their orders likewise


@pytest.mark.django_db(transaction=True)
def test_the_analytics_are_current_when_a_pulled_page_commits():
    shop = Shop.objects.create(slug="page-current", name="page-current")
    sim, store = connected(shop, "douyin")
    start = clock.now().replace(microsecond=0) - timedelta(hours=3)
    for i in range(6):
        moment = start + timedelta(seconds=60 * i)
        sim.add_case(kind="refund_only", amount_fen=1000 + i, paid_fen=9900, applied_at=moment, updated_at=moment,
                     title=f"商品{i}", sku_code=f"SKU-{i}")
    assert pull_store(store, since=start - timedelta(minutes=1)).created == 6  # committed

    def figures() -> set[tuple]:
        rows = Rollup.objects.filter(shop=shop).values_list(*KEY_FIELDS, *MEASURES)
        return {row for row in rows if any(row[len(KEY_FIELDS):])}

    kept = figures()
    daily = Counter()
    for row in kept:
        values = dict(zip(KEY_FIELDS + MEASURES, row, strict=True))
        if values["grain"] == "d":
            daily[values["cube"]] += values["return_cases_c"]
    assert set(daily.values()) == {6}  # every case counted once in every cube
    assert OrderFacts.objects.filter(shop=shop).count() == 6
    rollups.rebuild(shop.pk)  # from nothing: the same figures
    assert figures() == kept
    assert Case.objects.filter(shop=shop).count() == 6


def test_held_events_reach_the_subscribers_once_at_the_end_and_never_those_of_a_row_undone(
        shop, order, monkeypatch):
    seen: list = []
    monkeypatch.setattr(subscribers, "_loaded", lambda: (lambda events, batch: seen.append(list(events)),))
    first, second = order.lines.order_by("pk")
    ask = {"kind": "refund_only", "reason": "quality_defect", "by": By(Actor.BUYER), "enforce_policy": False}
    with transaction.atomic(), subscribers.held() as hold:
        kept = open_case(shop, order_id=order.pk, lines=[(first.pk, 1)], **ask)
        with contextlib.suppress(DomainError), hold.savepoint(), transaction.atomic():
            open_case(shop, order_id=order.pk, lines=[(second.pk, 1)], **ask)
            raise DomainError("import.row_failed")  # the row fails after its case was opened
        assert seen == []  # nothing handed on before the block ends
    assert [[(e.case_id, e.action) for e in events] for events in seen] == [[(kept.pk, "open")]]
    assert list(Case.objects.values_list("pk", flat=True)) == [kept.pk]
