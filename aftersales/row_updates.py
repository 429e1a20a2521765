"""Columns of many rows set to their objects' values, by id, in one call to the database.

`QuerySet.bulk_update` writes one UPDATE with a CASE expression per column over the batch's ids; for a
page of a hundred rows, building and compiling those expressions costs more than the update itself.
Here one short statement is run for every row (`executemany`): PostgreSQL receives them pipelined,
SQLite runs them in one call, and each value is prepared by its field as a save would prepare it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def set_columns(model: type[Model], objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Write `fields` of each of `objs` (saved rows of `model`) as the objects hold them."""
    if not objs:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] + [obj.pk]
            for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
