"""Connecting a store (店铺设置 → 平台授权): the shop's app key and secret and its authorisation.

The owner enters the app key and secret of the shop's own app (自用型/自研应用) and the access and
refresh tokens the platform gave when the store authorised it. Before anything is kept the
connection is tried (one list call over the last minute); a refusal raises a coded DomainError and
nothing is stored. Secrets are sealed (`sync.secrets`) and never shown again — pages show the app key
and the last four characters of nothing else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from aftersales.accounts.models import Shop
from aftersales.core import clock
from aftersales.core.errors import ConflictError, DomainError
from aftersales.platforms.connectors import ApiError, Credentials, connector_for
from aftersales.platforms.sync.clients import transport_for
from aftersales.platforms.sync.models import StoreConnection
from aftersales.platforms.sync.secrets import seal

PLATFORMS = ("douyin", "taobao", "tmall", "jd", "pdd")
#: Until the first refresh tells the real expiry, a fresh token is trusted this long.
ASSUMED_TOKEN_LIFE = timedelta(hours=6)


def connect_store(shop: Shop, *, platform: str, name: str, base_url: str, app_key: str, app_secret: str,
                  access_token: str, refresh_token: str = "", return_address_id: str = "",
                  token_expires_at: datetime | None = None, check: bool = True) -> StoreConnection:
    values = {"platform": platform, "name": name.strip(), "base_url": base_url.strip(),
              "app_key": app_key.strip(), "app_secret": app_secret.strip(), "access_token": access_token.strip()}
    if platform not in PLATFORMS:
        raise DomainError("input.invalid_choice", field="platform", value=platform)
    for field, value in values.items():
        if not value:
            raise DomainError("input.required", field=field)
    if len(values["name"]) > 100 or len(values["app_key"]) > 100 or len(values["base_url"]) > 300:
        raise DomainError("input.too_long", field="name", limit=100)
    if not values["base_url"].startswith(("https://", "http://", "sim://")):
        raise DomainError("platform.bad_gateway_url", value=values["base_url"][:100])
    expires = token_expires_at or clock.now() + ASSUMED_TOKEN_LIFE
    if check:
        _try(platform, values, refresh_token, expires)
    try:
        with transaction.atomic():
            return StoreConnection.objects.create(
                shop=shop, platform=platform, name=values["name"], base_url=values["base_url"],
                app_key=values["app_key"], app_secret_enc=seal(values["app_secret"]),
                access_token_enc=seal(values["access_token"]), refresh_token_enc=seal(refresh_token.strip()),
                token_expires_at=expires, return_address_id=return_address_id.strip()[:64],
                next_run_at=clock.now(),
            )
    except IntegrityError:
        raise ConflictError("platform.store_exists", name=values["name"]) from None


def _try(platform: str, values: dict[str, str], refresh_token: str, expires: datetime) -> None:
    connector = connector_for(platform)(
        values["base_url"], Credentials(values["app_key"], values["app_secret"], values["access_token"],
                                        refresh_token, expires), transport_for(values["base_url"]))
    connector.attempts = 1
    now = clock.now()
    try:
        connector.list_changed(now - timedelta(minutes=1), now, connector.first_page, 1)
    except ApiError as exc:
        raise DomainError("platform.connect_failed", kind=exc.kind, platform_code=exc.platform_code,
                          message=exc.message[:100]) from None


@transaction.atomic
def set_paused(shop: Shop, connection_id: int, paused: bool) -> StoreConnection:
    connection = StoreConnection.objects.select_for_update().get(shop=shop, pk=connection_id)
    connection.state = StoreConnection.PAUSED if paused else StoreConnection.ACTIVE
    connection.next_run_at = clock.now()
    connection.save(update_fields=["state", "next_run_at"])
    return connection
