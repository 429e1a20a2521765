"""The shop's buyer-notification settings: its webhook URL, the webhook's signing secret, e-mail.

The secret is made here, never typed: `secrets.token_hex(32)` when a webhook URL is first set or when
the owner rotates it. The caller gets it back once (to show once); afterwards the pages show only its
last four characters. Clearing the URL turns the webhook off and keeps the secret, so that turning
it on again does not break a receiver that still has it.

There is no audit table for shop-level settings; each change is logged (who, which shop, which host;
never the secret) on the `aftersales.notifications` logger.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from aftersales.accounts.models import Shop
from aftersales.notifications import addresses

logger = logging.getLogger("aftersales.notifications")

SECRET_BYTES = 32  # 64 hex characters, the length of Shop.webhook_secret


@dataclass(frozen=True)
class Saved:
    shop: Shop
    secret: str | None = None  # a secret made by this call, to be shown once; None if unchanged


def new_webhook_secret() -> str:
    return secrets.token_hex(SECRET_BYTES)


def secret_hint(secret: str) -> str:
    """What is shown of a secret after the moment it was made: its last four characters."""
    return secret[-4:] if secret else ""


def allow_private() -> bool:
    """Whether webhooks may go to loopback and private addresses (AFTERSALES_WEBHOOK_ALLOW_PRIVATE)."""
    return bool(getattr(settings, "AFTERSALES_WEBHOOK_ALLOW_PRIVATE", False))


def _who(user) -> str:
    return user.get_username() if user is not None else "-"


def save_buyer_notifications(shop: Shop, *, webhook_url: str, notify_email: bool, user=None) -> Saved:
    """Set the webhook URL (empty: no webhook) and the e-mail toggle.

    The URL is checked before anything is written (scheme, port, and every address its host resolves
    to: see `addresses`); a refusal raises DomainError("webhook.…") and changes nothing. The look-up
    happens before the shop row is locked, so a slow DNS answer holds no lock.
    """
    text = (webhook_url or "").strip()
    target = addresses.check(text, allow_private=allow_private()) if text else None
    with transaction.atomic():
        locked = Shop.objects.select_for_update().get(pk=shop.pk)
        made = None
        if target is not None and not locked.webhook_secret:
            made = locked.webhook_secret = new_webhook_secret()
        locked.webhook_url = target.url if target is not None else ""
        locked.notify_email = bool(notify_email)
        locked.save(update_fields=["webhook_url", "webhook_secret", "notify_email"])
    logger.info("shop %s: buyer notifications set by %s: webhook %s, e-mail %s%s", locked.slug, _who(user),
                f"to {target.scheme}://{target.host}:{target.port}" if target else "off",
                "on" if locked.notify_email else "off", ", new signing secret" if made else "")
    return Saved(locked, made)


@transaction.atomic
def rotate_webhook_secret(shop: Shop, *, user=None) -> Saved:
    """Replace the signing secret at once; the old one stops verifying from the next delivery on."""
    locked = Shop.objects.select_for_update().get(pk=shop.pk)
    locked.webhook_secret = new_webhook_secret()
    locked.save(update_fields=["webhook_secret"])
    logger.info("shop %s: webhook signing secret rotated by %s", locked.slug, _who(user))
    return Saved(locked, locked.webhook_secret)
