from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.analytics.domain.periods import (
    Grain,
    Span,
    buckets_of,
    cover,
    month_start,
    plan,
    series_buckets,
    span_days,
    week_start,
)

days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))


def covered(spans):
    out = []
    for span in spans:
        out.extend(span_days(span))
    return out


@settings(deadline=None)
@given(days, st.integers(min_value=0, max_value=800), st.sampled_from([None, "d", "w", "m"]))
def test_plan_covers_every_day_exactly_once(first, length, grain):
    last = first + timedelta(days=length)
    got = covered(plan(first, last, grain))
    assert sorted(got) == [first + timedelta(days=i) for i in range(length + 1)]


@settings(deadline=None)
@given(days, st.integers(min_value=0, max_value=400))
def test_week_series_never_uses_month_rows_and_month_series_keeps_rows_inside_one_month(first, length):
    last = first + timedelta(days=length)
    assert all(s.grain != Grain.MONTH for s in plan(first, last, "w"))
    for span in plan(first, last, "m"):
        for start in [span.first, span.last]:
            days_of_row = span_days(Span(span.grain, start, start))
            assert {month_start(d) for d in days_of_row} == {month_start(start)}


def net_days(spans):
    """How many times each day is counted: added rows count +1, subtracted ones -1."""
    count = Counter()
    for span in spans:
        for day in span_days(span):
            count[day] += span.sign
    return {day: n for day, n in count.items() if n}


def rows_read(spans):
    return sum(_count(s) for s in spans)


@settings(deadline=None, max_examples=300)
@given(days, st.integers(min_value=0, max_value=3700))
def test_cover_counts_every_day_of_the_period_once_and_nothing_else(first, length):
    last = first + timedelta(days=length)
    spans = cover(first, last)
    assert net_days(spans) == {first + timedelta(days=i): 1 for i in range(length + 1)}
    assert all(s.sign in (1, -1) and s.first <= s.last for s in spans)
    assert rows_read(spans) <= rows_read(plan(first, last))  # never more rows than adding only


def test_cover_subtracts_when_that_reads_fewer_rows():
    # 23 August to 20 November: plan() needs 13 rows a key, cover() 10 (November less 21-30).
    first, last = date(2025, 8, 23), date(2025, 11, 20)
    assert rows_read(plan(first, last)) == 13
    spans = cover(first, last)
    assert rows_read(spans) == 10
    assert Span(Grain.MONTH, date(2025, 9, 1), date(2025, 11, 1)) in spans
    assert {s.sign for s in spans} == {1, -1}
    # Adding only is kept when it reads as few rows: a week, a month, a whole year.
    assert cover(date(2025, 11, 17), date(2025, 11, 23)) == (
        Span(Grain.WEEK, date(2025, 11, 17), date(2025, 11, 17)),
    )
    assert cover(date(2025, 1, 1), date(2025, 12, 31)) == (
        Span(Grain.MONTH, date(2025, 1, 1), date(2025, 12, 1)),
    )
    assert cover(date(2025, 3, 5), date(2025, 3, 5)) == (Span(Grain.DAY, date(2025, 3, 5), date(2025, 3, 5)),)


def test_cover_answers_wherever_plan_does_even_at_the_ends_of_the_calendar():
    for first, last in [
        (date(1, 1, 2), date(1, 2, 1)),
        (date(1, 3, 1), date(1, 3, 9)),
        (date(9999, 11, 28), date(9999, 11, 28)),
        (date(9999, 9, 1), date(9999, 11, 30)),
    ]:
        assert net_days(cover(first, last)) == {d: 1 for d in covered(plan(first, last))}


def test_ninety_days_need_few_rows():
    spans = plan(date(2025, 8, 24), date(2025, 11, 21))
    rows = sum(len(span_days(Span(s.grain, s.first, s.first))) and _count(s) for s in spans)
    assert rows <= 16


def _count(span):
    n, start = 0, span.first
    while start <= span.last:
        n += 1
        start = (
            start + timedelta(days={"d": 1, "w": 7}.get(span.grain, 0))
            if span.grain != "m"
            else (
                start.replace(month=start.month + 1)
                if start.month < 12
                else start.replace(year=start.year + 1, month=1)
            )
        )
    return n


def test_a_whole_year_is_twelve_month_rows():
    assert plan(date(2025, 1, 1), date(2025, 12, 31)) == [
        Span(Grain.MONTH, date(2025, 1, 1), date(2025, 12, 1))
    ]


def test_weeks_start_on_monday_and_buckets_of_a_day():
    assert week_start(date(2025, 11, 23)) == date(2025, 11, 17)  # a Sunday
    assert buckets_of(date(2025, 11, 23)) == (
        (Grain.DAY, date(2025, 11, 23)),
        (Grain.WEEK, date(2025, 11, 17)),
        (Grain.MONTH, date(2025, 11, 1)),
    )


def test_series_buckets():
    assert series_buckets(date(2025, 1, 30), date(2025, 3, 2), "m") == [
        date(2025, 1, 1),
        date(2025, 2, 1),
        date(2025, 3, 1),
    ]
    assert series_buckets(date(2025, 11, 19), date(2025, 11, 25), "w") == [
        date(2025, 11, 17),
        date(2025, 11, 24),
    ]
