"""Calendar buckets for the rollups: days, weeks (Monday to Sunday) and months, all in Asia/Shanghai.

Every figure is kept per day, per week and per month. A series (one row per day, week or month) is
answered by `plan`: the whole months inside the period, then the whole weeks inside what is left at
each edge, then single days; each day is covered exactly once, so rows add up bucket by bucket.

A total over a period (one row per key: return rates by SKU, the heat map, a breakdown) is answered by
`cover`, which may also *subtract* rows: 23 August to 20 November 2025 is 23 and 24 August + the week
of 25 August + September to November − 21 to 23 November − the week of 24 November (10 rows a key; 13
adding only). It is the shortest path from the first day to the day after the last, where each row is a
step forwards (added) or backwards (subtracted).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


class Grain(StrEnum):
    DAY = "d"
    WEEK = "w"
    MONTH = "m"


GRAIN_NAMES = {"day": Grain.DAY, "week": Grain.WEEK, "month": Grain.MONTH}


def week_start(day: date) -> date:
    """The Monday of the week `day` is in (weeks run Monday to Sunday, as in China)."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    first = month_start(day)
    return (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )


def month_end(day: date) -> date:
    return next_month(day) - DAY


def bucket_start(grain: Grain | str, day: date) -> date:
    grain = Grain(grain)
    if grain == Grain.DAY:
        return day
    if grain == Grain.WEEK:
        return week_start(day)
    return month_start(day)


def buckets_of(day: date) -> tuple[tuple[Grain, date], ...]:
    """The three rollup rows a fact of `day` is added to."""
    return ((Grain.DAY, day), (Grain.WEEK, week_start(day)), (Grain.MONTH, month_start(day)))


@dataclass(frozen=True)
class Span:
    """Rows of one grain whose start lies in [first, last] (both inclusive), added (sign 1) or
    subtracted (sign -1)."""

    grain: Grain
    first: date
    last: date
    sign: int = 1


def _weeks_and_days(first: date, last: date, out: list[Span]) -> None:
    if first > last:
        return
    monday = first if first.weekday() == 0 else week_start(first) + WEEK
    last_monday = week_start(last) if last.weekday() == 6 else week_start(last) - WEEK
    if monday > last_monday:
        out.append(Span(Grain.DAY, first, last))
        return
    out.append(Span(Grain.WEEK, monday, last_monday))
    if first < monday:
        out.append(Span(Grain.DAY, first, monday - DAY))
    if last_monday + WEEK <= last:
        out.append(Span(Grain.DAY, last_monday + WEEK, last))


def plan(first: date, last: date, grain: Grain | str | None = None) -> list[Span]:
    """The rows that add up to exactly the days [first, last].

    `grain` is the series the rows will be grouped into: `None` (one total) and `month` may use
    month, week and day rows; `week` may use week and day rows (a month does not split into weeks);
    `day` uses day rows only.
    """
    if first > last:
        return []
    grain = None if grain is None else Grain(grain)
    if grain == Grain.DAY:
        return [Span(Grain.DAY, first, last)]
    out: list[Span] = []
    if grain == Grain.WEEK:
        _weeks_and_days(first, last, out)
        return out
    full_first = first if first.day == 1 else next_month(first)
    full_last = month_start(last) if last == month_end(last) else month_start(month_start(last) - DAY)
    if full_first > full_last:
        if month_start(first) == month_start(last):
            _weeks_and_days(first, last, out)
        else:  # two partial months side by side: split at the month boundary
            _weeks_and_days(first, month_end(first), out)
            _weeks_and_days(month_start(last), last, out)
        return out
    out.append(Span(Grain.MONTH, full_first, full_last))
    _weeks_and_days(first, full_first - DAY, out)
    _weeks_and_days(month_end(full_last) + DAY, last, out)
    return out


def bucket_after(grain: Grain | str, start: date) -> date:
    """The first day after the bucket of `grain` that starts on `start`."""
    grain = Grain(grain)
    if grain == Grain.DAY:
        return start + DAY
    if grain == Grain.WEEK:
        return start + WEEK
    return next_month(start)


#: A negative step costs this much more than a positive one: among covers with as few rows, the one
#: that subtracts least (reading no key that has nothing in the period) wins.
_ROW, _SUBTRACTED = 64, 1


def cover(first: date, last: date) -> tuple[Span, ...]:
    """Signed spans whose rows add up to exactly the days [first, last], in as few rows as can be found.

    Days and weeks are considered near either end of the period (within the months of its first and
    last day and a week around them), months anywhere: a long period is whole months in the middle.
    """
    if first > last:
        return ()
    try:
        return _cover(first, last)
    except (OverflowError, ValueError):  # a month of the ends of the calendar (year 1, 9999): add only
        return tuple(plan(first, last))


@lru_cache(maxsize=512)
def _cover(first: date, last: date) -> tuple[Span, ...]:
    end = last + DAY  # the path runs from the morning of `first` to the morning after `last`
    zones = [
        (month_start(first) - WEEK, next_month(first) + WEEK),
        (month_start(end) - WEEK, next_month(end) + WEEK),
    ]
    if zones[1][0] <= zones[0][1]:
        zones = [(zones[0][0], zones[1][1])]
    steps: dict[date, list[tuple[date, Grain, date, int]]] = {}

    def link(grain: Grain, start: date) -> None:
        after = bucket_after(grain, start)
        steps.setdefault(start, []).append((after, grain, start, 1))
        steps.setdefault(after, []).append((start, grain, start, -1))

    for lo, hi in zones:
        day = lo
        while day < hi:
            link(Grain.DAY, day)
            if day.weekday() == 0:
                link(Grain.WEEK, day)
            day += DAY
    month = month_start(zones[0][0])
    while month < zones[-1][1]:
        link(Grain.MONTH, month)
        month = next_month(month)
    # Dijkstra: a row costs _ROW, a subtracted one _SUBTRACTED more.
    best: dict[date, int] = {first: 0}
    came: dict[date, tuple[date, Grain, date, int]] = {}
    queue = [(0, first)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == end:
            break
        if cost > best[node]:
            continue
        for to, grain, start, sign in steps.get(node, ()):
            new = cost + _ROW + (_SUBTRACTED if sign < 0 else 0)
            if new < best.get(to, new + 1):
                best[to] = new
                came[to] = (node, grain, start, sign)
                heapq.heappush(queue, (new, to))
    rows: list[tuple[int, Grain, date]] = []
    node = end
    while node != first:
        node, grain, start, sign = came[node]
        rows.append((sign, grain, start))
    return tuple(_spans(rows))


_GRAIN_ORDER = {Grain.MONTH: 0, Grain.WEEK: 1, Grain.DAY: 2}


def _spans(rows: list[tuple[int, Grain, date]]) -> list[Span]:
    """Rows merged into spans of consecutive buckets of one grain and sign; added spans first."""
    rows = sorted(rows, key=lambda r: (-r[0], _GRAIN_ORDER[r[1]], r[2]))
    out: list[Span] = []
    for sign, grain, start in rows:
        if (
            out
            and out[-1].sign == sign
            and out[-1].grain == grain
            and bucket_after(grain, out[-1].last) == start
        ):
            out[-1] = Span(grain, out[-1].first, start, sign)
        else:
            out.append(Span(grain, start, start, sign))
    return out


def span_days(span: Span) -> list[date]:
    """Every calendar day the rows of `span` cover (for tests and oracles)."""
    days: list[date] = []
    start = span.first
    while start <= span.last:
        if span.grain == Grain.DAY:
            days.append(start)
            start += DAY
        elif span.grain == Grain.WEEK:
            days.extend(start + timedelta(days=i) for i in range(7))
            start += WEEK
        else:
            end = next_month(start)
            while start < end:
                days.append(start)
                start += DAY
    return days


def series_buckets(first: date, last: date, grain: Grain | str) -> list[date]:
    """The bucket starts of a series over [first, last] (the first may start before `first`)."""
    grain = Grain(grain)
    out: list[date] = []
    current = bucket_start(grain, first)
    while current <= last:
        out.append(current)
        if grain == Grain.DAY:
            current += DAY
        elif grain == Grain.WEEK:
            current += WEEK
        else:
            current = next_month(current)
    return out
