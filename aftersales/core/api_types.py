"""Input types the API's schemas share.

`Moment` is a point in time as the API accepts it: with its UTC offset, in years a shop can have
orders and cases in, converted to Asia/Shanghai. Pydantic alone takes `0100-01-30T06:40:46+20:41`,
which PostgreSQL then refuses (offsets beyond ±15:59) and SQLite stores as a date nobody meant.
"""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from aftersales.core.clock import FIRST_YEAR, LAST_YEAR, to_shanghai

#: The widest offset in use anywhere is +14:00 (Kiribati); −12:00 is the other end.
MAX_OFFSET_HOURS = 14


def _plausible(moment: datetime) -> datetime:
    offset = moment.utcoffset()
    if offset is not None and abs(offset.total_seconds()) > MAX_OFFSET_HOURS * 3600:
        raise ValueError(f"UTC offset must be within ±{MAX_OFFSET_HOURS}:00")
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return to_shanghai(moment)


Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]
