"""Multi-row INSERTs of plain tuples, for the big first import of an export.

`QuerySet.bulk_create` builds a model instance per row and compiles every value through the ORM's
expression machinery; for a million order lines that is most of the import's time. Here rows are
tuples, values go straight to the driver (datetimes adapted the way the backend's own operations
adapt them), and each statement carries as many rows as the backend takes parameters. Only for new
rows of known, validated shape; updates still go through the ORM.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField, Model


def _params_per_statement() -> int:
    if connection.vendor == "sqlite":
        # SQLite ≥ 3.32 takes 32,766 parameters a statement; older builds 999.
        return 8000 if sqlite3.sqlite_version_info >= (3, 32) else 999
    return 30000  # PostgreSQL's limit is 65,535


def insert(model: type[Model], columns: Sequence[str], rows: Sequence[tuple], *, returning: bool = False) -> list:
    """INSERT `rows` (tuples in the order of `columns`, field names); the new ids if `returning`.

    With `returning`, the ids come back in the order of the rows (PostgreSQL and SQLite ≥ 3.35 return
    the rows of a multi-row INSERT … RETURNING in VALUES order; Django's bulk_create relies on it too).
    """
    if not rows:
        return []
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    times = [i for i, f in enumerate(fields) if isinstance(f, DateTimeField)]
    adapt = _datetime_adapter()
    per = max(1, _params_per_statement() // len(fields))
    ids: list = []
    with connection.cursor() as cursor:
        execute = _executor(cursor)
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            params: list = []
            for row in chunk:
                if times:
                    row = list(row)
                    for i in times:
                        if isinstance(row[i], datetime):
                            row[i] = adapt(row[i])
                params.extend(row)
            execute(head + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


def _datetime_adapter() -> Callable[[datetime], object]:
    """The backend's own adaptation of a datetime, without its layers of checks for the usual case.

    On SQLite with USE_TZ an aware datetime becomes the text of its naive form in the connection's
    time zone — what `adapt_datetimefield_value` returns, computed directly.
    """
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor != "sqlite" or not settings.USE_TZ:
        return adapt
    zone = connection.timezone
    # Equal aware datetimes are the same instant, hence the same text: a batch repeats its
    # created/updated time on every row, an order its times on every line.
    known: dict[datetime, object] = {}

    def fast(value: datetime) -> object:
        if value.utcoffset() is None:
            return adapt(value)
        text = known.get(value)
        if text is None:
            text = known[value] = str(value.astimezone(zone).replace(tzinfo=None))
        return text

    return fast


def _executor(cursor) -> Callable[[str, list], object]:
    """`cursor.execute`; on SQLite, the statement written with `?` marks straight to the driver.

    Django's SQLite cursor rewrites every `%s` of a statement to `?` with a regular expression, which
    for a statement of 8,000 parameters costs as much as SQLite takes to run it. Errors are still
    translated into Django's (the writers catch `DatabaseError`) and a broken transaction is still
    refused; when queries are logged (DEBUG, tests capturing them) or wrapped, the usual path is taken.
    """
    db = cursor.db
    raw = getattr(cursor, "cursor", None)
    if (db.vendor != "sqlite" or db.queries_logged or db.execute_wrappers
            or not isinstance(raw, sqlite3.Cursor)):
        return cursor.execute

    def execute(sql: str, params: list) -> object:
        db.validate_no_broken_transaction()
        with db.wrap_database_errors:
            return sqlite3.Cursor.execute(raw, sql.replace("%s", "?"), params)

    return execute
