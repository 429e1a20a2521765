"""Time. Platform and legal clocks count in Asia/Shanghai; everything stored is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Years a shop's orders, cases and figures can fall in; input outside them is refused, not stored.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def now() -> datetime:
    """The current time, aware. Tests freeze it with time-machine."""
    return datetime.now(UTC)


def require_aware(moment: datetime, name: str = "time") -> datetime:
    from aftersales.core.errors import DomainError

    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DomainError("time.naive", field=name)
    return moment


def shanghai_date(moment: datetime) -> date:
    """The calendar day in China on which `moment` falls."""
    return require_aware(moment).astimezone(SHANGHAI).date()


def end_of_shanghai_day(day: date) -> datetime:
    """The last instant of `day` in Asia/Shanghai (23:59:59.999999), as an aware datetime."""
    return datetime.combine(day, time.max, tzinfo=SHANGHAI)


def days_after(moment: datetime, days: int) -> datetime:
    """The end of the `days`-th day counted from the day after `moment` (Asia/Shanghai).

    This is how the law counts 七日无理由: signing on 3 May starts the count on 4 May, so the
    seventh day is 10 May and the window closes at 10 May 23:59:59 Beijing time.
    """
    return end_of_shanghai_day(shanghai_date(moment) + timedelta(days=days))


def shanghai_days_between(start: datetime, end: datetime) -> int:
    """Calendar days in China from the day of `start` to the day of `end` (signed 3 May, asked 5 May: 2)."""
    return (shanghai_date(end) - shanghai_date(start)).days


def to_shanghai(moment: datetime) -> datetime:
    """The same instant shown in Beijing time (for messages and exports)."""
    return require_aware(moment).astimezone(SHANGHAI)
