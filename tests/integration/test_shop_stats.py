"""The shop-wide statistics behind the advice and the signals are read at most once a minute per process,
and at once after a case event of the shop in this process (intelligence/shop_stats.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case
from aftersales.core import clock
from aftersales.intelligence import shop_stats
from aftersales.intelligence.advice.selectors import advice_for_case
from tests.integration.test_advice import NOW, cheap_order, open_return

pytestmark = pytest.mark.django_db
WAREHOUSE = services.By(Actor.WAREHOUSE)


def _inspect_one(shop, number):
    from aftersales.warehouse import services as warehouse

    other = cheap_order(shop, number)
    done = open_return(shop, other, line_id=f"{number}-1")
    services.approve_case(shop, done.pk, services.By(Actor.MERCHANT), now=NOW)
    warehouse.receive_parcel(shop, WAREHOUSE, case_id=done.pk)
    warehouse.inspect_return(shop, done.pk, WAREHOUSE, grade="C",
                             checklist=dict.fromkeys(warehouse.CHECKLIST_ITEMS, True))
    return done


def test_a_second_read_within_a_minute_costs_no_shop_wide_query(shop, order):
    case = open_return(shop, order)
    with time_machine.travel(clock.now(), tick=False):
        advice_for_case(case)
        with CaptureQueriesContext(connection) as second:
            advice_for_case(case)
    sql = " ".join(q["sql"] for q in second.captured_queries)
    assert "warehouse_inspection" not in sql and "analytics_rollup" not in sql
    assert "arbitration_status" not in sql


def test_a_change_made_in_this_process_is_seen_at_the_next_read(shop, order):
    case = open_return(shop, order)
    assert advice_for_case(case).basis["inspections"] == 0
    _inspect_one(shop, "DY0301")  # its events reach the subscriber: the shop's figures are forgotten
    assert advice_for_case(case).basis["inspections"] == 1


def test_another_process_change_is_seen_within_max_age(shop, order):
    case = open_return(shop, order)
    start = clock.now()
    with time_machine.travel(start, tick=False):
        assert advice_for_case(case).basis["inspections"] == 0
    # Another process's change: rows written here, but this process's subscriber does not hear of it.
    done = _inspect_one(shop, "DY0302")
    with time_machine.travel(start, tick=False):
        shop_stats._kept[(shop.pk, clock.shanghai_date(start))] = shop_stats._read(shop, start, start)
        Case.objects.filter(pk=done.pk).update(arbitration_status="ruled_for_buyer")
        assert advice_for_case(case).basis["ruled"] == 0  # kept: at most MAX_AGE old
    with time_machine.travel(start + shop_stats.MAX_AGE - timedelta(seconds=1), tick=False):
        assert advice_for_case(case).basis["ruled"] == 0
    with time_machine.travel(start + shop_stats.MAX_AGE + timedelta(seconds=1), tick=False):
        assert advice_for_case(case).basis["ruled"] == 1  # read anew
        assert advice_for_case(case).basis["inspections"] == 1


def test_shops_are_kept_apart_and_forget_drops_one_shop_only(shop, order, other_shop):
    shop_stats.shop_stats(shop)
    shop_stats.shop_stats(other_shop)
    assert {k[0] for k in shop_stats._kept} == {shop.pk, other_shop.pk}
    shop_stats.forget(other_shop.pk)
    assert {k[0] for k in shop_stats._kept} == {shop.pk}
