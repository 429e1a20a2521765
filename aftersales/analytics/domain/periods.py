"""Calendar buckets for the rollups: days, weeks (Monday to Sunday) and months, all in Asia/Shanghai.

Every figure is kept per day, per week and per month. A period of any length is answered from the
fewest rows: the whole months inside it, then the whole weeks inside what is left at each edge, then
single days. `plan` returns that split; each day of the period is covered exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

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
    """Rows of one grain whose start lies in [first, last] (both inclusive)."""

    grain: Grain
    first: date
    last: date


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
