"""Pulling a store's new and changed cases, incrementally, within each platform's limits.

The store keeps `synced_until`: every case the platform changed before it is written. A pull starts
a little before it (OVERLAP: a platform's clock and its indexes lag a little) and walks to now in
windows no wider than the platform allows (拼多多: 30 minutes). Inside a window the cases come
oldest change first; instead of page numbers the walk moves its start to the last case's update time
(keyset paging), so a case that changes while we page cannot shift another out of sight, and no
window goes deeper than the platform's paging limit (抖店). Each page is written before the next is
asked for, and `synced_until` moves only past what is written: a pull stopped anywhere (a killed
worker, a rate limit that does not lift) resumes where it stopped, and what it writes twice is
unchanged — nothing is lost or doubled.

One pull at a time per store: a lease on the store row, taken with a conditional UPDATE.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Q

from aftersales.core import clock
from aftersales.platforms.connectors import ApiError
from aftersales.platforms.sync.clients import StoreSession, session
from aftersales.platforms.sync.models import PushedCase, StoreConnection
from aftersales.platforms.sync.records import write_items, write_orders

logger = logging.getLogger("aftersales.platforms.sync")

OVERLAP = timedelta(minutes=5)
LOOKAHEAD = timedelta(minutes=1)
#: How far back the first pull of a new store looks.
FIRST_PULL = timedelta(days=7)
#: A pull runs every few minutes per store (the push messages make it faster for single cases).
EVERY = timedelta(minutes=3)
LEASE = timedelta(minutes=10)
PAGE_SIZE = 100


@dataclass
class PullResult:
    store: int
    windows: int = 0
    pages: int = 0
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    error: str = ""
    errors: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"store {self.store}: {self.seen} cases seen ({self.created} new, {self.updated} changed, "
                f"{self.skipped} refused) in {self.pages} pages")
        return f"{text}; stopped: {self.error}" if self.error else text


def take_lease(connection: StoreConnection, now: datetime) -> bool:
    taken = StoreConnection.objects.filter(pk=connection.pk).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(lease_until=now + LEASE)
    return taken == 1


def release_lease(connection: StoreConnection) -> None:
    StoreConnection.objects.filter(pk=connection.pk).update(lease_until=None)


def pull_store(connection: StoreConnection, *, since: datetime | None = None, until: datetime | None = None,
               page_size: int = PAGE_SIZE, sleep=None) -> PullResult:
    """Pull [since or synced_until − OVERLAP, until or now) into the shop. Never raises for the platform's
    errors: they stop the pull and are recorded on the store (and in the result)."""
    result = PullResult(connection.pk)
    now = clock.now()
    if not take_lease(connection, now):
        result.error = "sync.busy"
        return result
    store = session(connection, **({"sleep": sleep} if sleep else {}))
    try:
        start = since or ((connection.synced_until - OVERLAP) if connection.synced_until else now - FIRST_PULL)
        # A little past our clock: the platform's may run ahead of ours (and counts whole seconds). What
        # changes later inside that minute is inside the next pull's OVERLAP.
        end = until or now.replace(microsecond=0) + LOOKAHEAD
        _walk(store, start, end, page_size, result, move_mark=since is None and until is None)
    except ApiError as exc:
        result.error = f"{exc.kind}:{exc.platform_code}"
        logger.warning("pull of store %s stopped: %s", connection.pk, result.error)
    finally:
        store.record_stats()
        _finish(connection, result, now)
        release_lease(connection)
    return result


def _walk(store: StoreSession, start: datetime, end: datetime, page_size: int, result: PullResult,
          move_mark: bool) -> None:
    connector = store.connector
    window = connector.max_window
    cursor = start
    while cursor < end:
        window_end = min(cursor + window, end)
        page, seen_here = connector.first_page, set()
        while True:
            found = store.run(lambda c, s=cursor, e=window_end, p=page: c.list_changed(s, e, p, page_size))
            result.pages += 1
            fresh = [item for item in found.items if item.platform_case_id not in seen_here]
            seen_here.update(item.platform_case_id for item in found.items)
            _write(store.connection, fresh, result, fetch_order=order_call(store))
            if not found.has_more or not found.items:
                break
            last = max(item.updated_at for item in found.items)
            if last > cursor:
                # Keyset paging: start again at the last change seen (those at that very second come
                # again and are skipped by id).
                cursor, page = last, connector.first_page
                seen_here = {i.platform_case_id for i in found.items if i.updated_at == last}
                if move_mark:
                    _mark(store.connection, last)
            else:
                page += 1  # a whole page changed within the same second: page on inside it
        result.windows += 1
        cursor = window_end
        if move_mark:
            _mark(store.connection, window_end)


def order_call(store: StoreSession):
    """The store's order call, for cases that arrive for an order the shop does not have yet."""
    return lambda order_id: store.run(lambda c: c.get_order(order_id))


def _write(connection: StoreConnection, items, result: PullResult, fetch_order=None) -> None:
    if not items:
        return
    written = write_items(connection.shop, connection.platform, items, source=f"api:{connection.pk}",
                          connection_id=connection.pk, fetch_order=fetch_order)
    rows = written.tally.rows
    result.seen += len(items)
    result.created += rows["created"]
    result.updated += rows["updated"]
    result.unchanged += rows["unchanged"]
    result.skipped += rows["skipped"]
    result.errors.extend(written.errors[:20])
    StoreConnection.objects.filter(pk=connection.pk).update(
        cases_pulled=F("cases_pulled") + rows["created"] + rows["updated"])


def _mark(connection: StoreConnection, moment: datetime) -> None:
    """Everything changed before `moment` is written: the next pull may start there."""
    StoreConnection.objects.filter(pk=connection.pk).filter(
        Q(synced_until__isnull=True) | Q(synced_until__lt=moment)).update(synced_until=moment)


def _finish(connection: StoreConnection, result: PullResult, started: datetime) -> None:
    values = {"last_attempt_at": started, "next_run_at": started + EVERY}
    if result.error:
        values.update(last_error_code=result.error[:64])
    else:
        values.update(last_success_at=clock.now(), last_error_code="", last_error_message="", stall_warned_at=None)
    StoreConnection.objects.filter(pk=connection.pk).update(**values)
    connection.refresh_from_db()


# ---- single cases a push message named ------------------------------------------------------------


def fetch_case(connection: StoreConnection, platform_case_id: str) -> str:
    """Fetch one case now and write it; 'created' / 'updated' / 'unchanged' / 'missing'."""
    store = session(connection)
    try:
        item = store.run(lambda c: c.get_case(platform_case_id))
        if item is None:
            return "missing"
        written = write_items(connection.shop, connection.platform, [item], source=f"push:{connection.pk}",
                              connection_id=connection.pk, force=True, fetch_order=order_call(store))
    finally:
        store.record_stats()
    for outcome in ("created", "updated", "unchanged"):
        if written.tally.rows[outcome]:
            return outcome
    return "skipped"


def fetch_pushed(limit: int = 200) -> int:
    """Fetch the cases push messages named (the receiver only notes them); returns how many."""
    done = 0
    for pushed in PushedCase.objects.select_related("connection__shop").order_by("received_at")[:limit]:
        connection = pushed.connection
        if connection.state != StoreConnection.ACTIVE:
            continue
        try:
            fetch_case(connection, pushed.platform_case_id)
        except ApiError as exc:
            logger.warning("fetch of pushed case %s failed: %s", pushed.platform_case_id, exc.kind)
            continue
        PushedCase.objects.filter(pk=pushed.pk, received_at=pushed.received_at).delete()
        done += 1
    return done


def consume_tmc() -> int:
    """淘宝/天猫: move the refund messages waiting in each store's TMC queue into `PushedCase`."""
    noted = 0
    for connection in StoreConnection.objects.filter(platform__in=("taobao", "tmall"), state=StoreConnection.ACTIVE):
        store = session(connection)
        try:
            messages = store.run(lambda c: c.consume_messages())
            now = clock.now()
            for _message_id, refund_id in messages:
                PushedCase.objects.update_or_create(connection=connection, platform_case_id=refund_id[:64],
                                                    defaults={"received_at": now})
            store.run(lambda c, ids=[m for m, _ in messages]: c.confirm_messages(ids))
            noted += len(messages)
        except ApiError as exc:
            logger.warning("TMC of store %s: %s", connection.pk, exc.kind)
        finally:
            store.record_stats()
    return noted


def fetch_order(connection: StoreConnection, platform_order_id: str) -> str:
    """Fetch one order now (`aftersales sync --order`) and write it: 'written', 'missing', 'refused' (the
    answer could not be written) or 'error:<kind>' (the platform's error)."""
    store = session(connection)
    try:
        lines = store.run(lambda c: c.get_order(platform_order_id))
    except ApiError as exc:
        return f"error:{exc.kind}"
    finally:
        store.record_stats()
    if not lines:
        return "missing"
    written = write_orders(connection.shop, connection.platform, [lines])
    return "refused" if written.errors else "written"


def pull_due(now: datetime | None = None) -> list[PullResult]:
    now = now or clock.now()
    due = StoreConnection.objects.select_related("shop").filter(state=StoreConnection.ACTIVE).filter(
        Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
    return [pull_store(connection) for connection in due]
