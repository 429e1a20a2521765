"""The largest id a row can have: primary keys are 64-bit (bigint) on SQLite and PostgreSQL.

An id filter or reference taken from a request is bounded by it, so that a larger number is refused
as bad input (422) instead of failing in the database driver ("int too large", a 500).
"""

MAX_ROW_ID = 2**63 - 1
