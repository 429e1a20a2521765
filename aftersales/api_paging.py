"""Paging for the API's list endpoints: `limit` and `offset`, both bounded.

django-ninja's own limit/offset paging accepts any integer, and a limit or offset past 2**63 reaches
the database as a value it cannot hold (SQLite answers "datatype mismatch", a 500). Bounding both
makes such a request a 422 that says which parameter is wrong.
"""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

#: Rows one page may hold; a client wanting more pages through them.
MAX_PAGE = 500
#: Far beyond any shop's row count, far below what the databases can hold.
MAX_OFFSET = 10**9


class Page(LimitOffsetPagination):
    """`?limit=` (1–500, default 100) and `?offset=` (0–10⁹); the answer has `items` and `count`."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_PAGE, **kwargs)
