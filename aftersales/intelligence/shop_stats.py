"""The shop-wide figures the advice and the signals compare a case with, read at most once a minute.

    shop_stats(shop)            # expected grades by category, arbitrations lost by reason, return rate

These are aggregates over all of a shop's inspections, arbitrated cases and a year of analytics
rollups: read on every case page and every `GET /api/v1/cases/{id}`, they would make a read cost
grow with the shop's history. They are statistics (a grade mix over hundreds of inspections, a lose
rate over dozens of rulings), so one minute's lag changes no advice in practice; each process keeps
them for at most `MAX_AGE`, and forgets a shop's at once when a case event of that shop is published
in the process (`on_case_events`, a subscriber in cases/subscribers.py): a change made here is seen
here at the next read, a change made by another process within `MAX_AGE`.

What is not a statistic is never kept here: the owner's cost settings, the case's own facts, the
buyer's own history and the refund rule's amounts are read fresh on every read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count

from aftersales.accounts.models import Shop
from aftersales.analytics.domain.facts import Cube
from aftersales.analytics.selectors import RATE_MEASURES, sums
from aftersales.cases.models import Case
from aftersales.core import clock
from aftersales.core.choices import ArbitrationStatus
from aftersales.warehouse.models import Inspection

#: The longest a process answers with figures it read earlier (the documented lag of another process's change).
MAX_AGE = timedelta(seconds=60)
#: The shop's own return rate, that a buyer's is compared with, is measured over this many days.
SHOP_RATE_DAYS = 365
#: Shops remembered per process; the oldest reading is dropped beyond it.
MAX_SHOPS = 1024


@dataclass(frozen=True, slots=True)
class ShopStats:
    grades_by_category: dict[int, dict[str, int]]  # category id (0: none) -> grade -> inspections
    rulings_by_reason: dict[str, tuple[int, int]]  # reason -> (ruled for the buyer, ruled)
    returned_units: int  # over the last SHOP_RATE_DAYS days, by case date
    sold_units: int
    read_at: datetime


_lock = threading.Lock()
_kept: dict[tuple[int, date], ShopStats] = {}


def shop_stats(shop: Shop, now: datetime | None = None) -> ShopStats:
    """The shop's figures, read anew when this process has none younger than `MAX_AGE`."""
    now = now or clock.now()
    moment = clock.now()
    key = (shop.pk, clock.shanghai_date(now))
    with _lock:
        found = _kept.get(key)
    if found is not None and timedelta(0) <= moment - found.read_at <= MAX_AGE:
        return found
    fresh = _read(shop, now, moment)
    with _lock:
        if len(_kept) >= MAX_SHOPS:
            _kept.pop(min(_kept, key=lambda k: _kept[k].read_at))
        _kept[key] = fresh
    return fresh


def forget(shop_id: int | None = None) -> None:
    """Drop what this process keeps of one shop (or of every shop)."""
    with _lock:
        for key in [k for k in _kept if shop_id is None or k[0] == shop_id]:
            del _kept[key]


def on_case_events(events, batch) -> None:
    """Subscriber of every case event: a shop's change is seen by the next read in this process."""
    for shop_id in {event.shop_id for event in events}:
        forget(shop_id)


def _read(shop: Shop, now: datetime, moment: datetime) -> ShopStats:
    grades: dict[int, dict[str, int]] = {}
    for item in (
        Inspection.objects.filter(shop=shop)
        .values("case__lines__order_line__product__category_id", "grade")
        .annotate(n=Count("pk", distinct=True))
    ):
        category = item["case__lines__order_line__product__category_id"] or 0
        grades.setdefault(category, {})[item["grade"]] = item["n"]
    rulings: dict[str, list[int]] = {}
    for item in (
        Case.objects.filter(shop=shop, arbitration_status__in=[
            ArbitrationStatus.RULED_FOR_BUYER.value, ArbitrationStatus.RULED_FOR_MERCHANT.value])
        .values("reason", "arbitration_status").annotate(n=Count("pk"))
    ):
        pair = rulings.setdefault(item["reason"], [0, 0])
        pair[1] += item["n"]
        if item["arbitration_status"] == ArbitrationStatus.RULED_FOR_BUYER.value:
            pair[0] += item["n"]
    last = clock.shanghai_date(now)
    row = sums(shop.pk, Cube.CHANNEL, last - timedelta(days=SHOP_RATE_DAYS - 1), last,
               measures=RATE_MEASURES, basis="case")[0]
    return ShopStats(grades, {reason: (lost, ruled) for reason, (lost, ruled) in rulings.items()},
                     row["returned_qty"] or 0, row["sold_qty"] or 0, moment)
