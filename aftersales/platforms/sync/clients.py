"""A connected store's client: its credentials unsealed, its tokens kept fresh, its calls counted.

`session(connection)` gives a `StoreSession`: `.run(fn)` calls `fn(connector)`, and when the platform
answers that the access token expired, refreshes it once and calls again. Tokens are refreshed
ahead of their expiry too. A refresh the platform refuses marks the store `auth_failed` and tells
the owners (the merchant must authorise again); nothing else is attempted for that store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.db import transaction
from django.db.models import F

from aftersales.core import clock
from aftersales.platforms.connectors import ApiError, Credentials, HttpTransport, connector_for
from aftersales.platforms.connectors.base import AUTH_FAILED, TOKEN_EXPIRED, CallStats
from aftersales.platforms.sync import alerts
from aftersales.platforms.sync.models import StoreConnection
from aftersales.platforms.sync.secrets import seal, unseal

#: Refresh a token this long before the platform says it expires.
REFRESH_AHEAD = timedelta(minutes=30)
T = TypeVar("T")

#: In-process simulators by name, for base URLs `sim://NAME` (tests and the demo register theirs).
SIMULATORS: dict[str, object] = {}


def transport_for(base_url: str):
    if base_url.startswith("sim://"):
        from aftersales.platforms.simulator.core import SimTransport

        simulator = SIMULATORS.get(base_url.removeprefix("sim://"))
        if simulator is None:
            raise ApiError("unavailable", "", "simulator not running")
        return SimTransport(simulator)
    return HttpTransport()


class StoreSession:
    def __init__(self, connection: StoreConnection, *, sleep: Callable[[float], None] | None = None) -> None:
        self.connection = connection
        self.stats = CallStats()
        credentials = Credentials(connection.app_key, unseal(connection.app_secret_enc),
                                  unseal(connection.access_token_enc), unseal(connection.refresh_token_enc),
                                  connection.token_expires_at)
        kwargs = {"sleep": sleep} if sleep is not None else {}
        self.connector = connector_for(connection.platform)(
            connection.base_url, credentials, transport_for(connection.base_url), stats=self.stats, **kwargs)

    def run(self, fn: Callable[[object], T]) -> T:
        self.refresh_if_due()
        try:
            return fn(self.connector)
        except ApiError as exc:
            if exc.kind != TOKEN_EXPIRED:
                raise
        self.refresh()
        return fn(self.connector)

    def refresh_if_due(self) -> None:
        expires = self.connection.token_expires_at
        if expires is not None and expires - clock.now() < REFRESH_AHEAD:
            self.refresh()

    def refresh(self) -> None:
        connection = self.connection
        try:
            token = self.connector.refresh()
        except ApiError as exc:
            if exc.retryable:
                raise
            with transaction.atomic():
                StoreConnection.objects.filter(pk=connection.pk).update(
                    state=StoreConnection.AUTH_FAILED, last_error_code=f"token.{exc.kind}",
                    last_error_message=exc.message[:300])
                alerts.token_refresh_failed(connection, exc)
            connection.state = StoreConnection.AUTH_FAILED
            raise ApiError(AUTH_FAILED, exc.platform_code, exc.message) from None
        creds = self.connector.credentials
        creds.access_token, creds.refresh_token = token.access_token, token.refresh_token
        creds.token_expires_at = token.expires_at
        connection.access_token_enc, connection.refresh_token_enc = seal(token.access_token), seal(token.refresh_token)
        connection.token_expires_at = token.expires_at
        connection.save(update_fields=["access_token_enc", "refresh_token_enc", "token_expires_at"])

    def record_stats(self) -> None:
        """Add this session's call counts to the store's (the sync status page reads them)."""
        stats, connection = self.stats, self.connection
        failed = dict(StoreConnection.objects.filter(pk=connection.pk).values_list("calls_failed", flat=True)[0] or {})
        for kind, n in stats.failed.items():
            failed[kind] = failed.get(kind, 0) + n
        StoreConnection.objects.filter(pk=connection.pk).update(
            calls_made=F("calls_made") + stats.calls, rate_limit_waits=F("rate_limit_waits") + stats.rate_limit_waits,
            calls_failed=failed)
        self.stats = self.connector.stats = CallStats()


def session(connection: StoreConnection, **kwargs) -> StoreSession:
    return StoreSession(connection, **kwargs)
