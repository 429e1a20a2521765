"""Creating a row under a natural key (a platform's own order or case id) exactly once.

A client that retries, or ten that post at once, must never see a server error: the same body again
answers the row that exists, a different body under the same key is a coded conflict (409). The check
runs first; the insert runs in a savepoint, and when the database's unique constraint refuses it (a
concurrent client won the race) the winner's row is read back and judged the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

from aftersales.core.errors import ConflictError

T = TypeVar("T")


def create_once(find: Callable[[], T | None], create: Callable[[], T], *, same: Callable[[T], bool],
                conflict: Callable[[], ConflictError]) -> tuple[T, bool]:
    """(the row, whether it was created now). `find` looks the natural key up, `same` says whether the
    existing row is what this request would have made, `conflict` builds the refusal when it is not."""
    existing = find()
    if existing is None:
        try:
            with transaction.atomic():
                return create(), True
        except IntegrityError:
            # Under READ COMMITTED the next statement sees the row the other client committed.
            existing = find()
            if existing is None:
                raise
    if same(existing):
        return existing, False
    raise conflict()


def insert_or_conflict(save: Callable[[], T], conflict: Callable[[], ConflictError]) -> T:
    """Run `save` in a savepoint; a unique constraint that refuses it (a concurrent client saved the same
    key first, after this request's own check) becomes the coded conflict instead of a server error."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise conflict() from None
