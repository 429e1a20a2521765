"""Is a store syncing? The figures of the sync status page, and the owner's warning after a stall."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from aftersales.core import clock
from aftersales.platforms.connectors import connector_for
from aftersales.platforms.sync import alerts
from aftersales.platforms.sync.models import StoreConnection

#: A store not synced for this long warns its owners.
STALL = timedelta(minutes=30)


@dataclass(frozen=True)
class Health:
    connection: StoreConnection
    stalled: bool
    minutes_since_success: int | None
    token_expires_in_minutes: int | None
    #: The platform POSTs push messages to the store's receiver URL (shown to the owner to register).
    pushes: bool = False


def health_of(connection: StoreConnection, now: datetime | None = None) -> Health:
    now = now or clock.now()
    since = connection.last_success_at or connection.created_at
    minutes = int((now - connection.last_success_at).total_seconds() // 60) if connection.last_success_at else None
    expires = (int((connection.token_expires_at - now).total_seconds() // 60)
               if connection.token_expires_at else None)
    stalled = connection.state != StoreConnection.PAUSED and now - since > STALL
    return Health(connection, stalled, minutes, expires, connector_for(connection.platform).pushes)


def warn_stalled(now: datetime | None = None) -> int:
    """Tell the owners of each store that has not synced for STALL (once per stall)."""
    now = now or clock.now()
    told = 0
    stalled = StoreConnection.objects.exclude(state=StoreConnection.PAUSED).filter(stall_warned_at__isnull=True).filter(
        Q(last_success_at__lt=now - STALL) | Q(last_success_at__isnull=True, created_at__lt=now - STALL))
    for connection in stalled:
        if StoreConnection.objects.filter(pk=connection.pk, stall_warned_at__isnull=True).update(stall_warned_at=now):
            alerts.sync_stalled(connection, int(STALL.total_seconds() // 60))
            told += 1
    return told
