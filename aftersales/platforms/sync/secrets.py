"""Encrypting a store's app secret and tokens at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from AFTERSALES_SECRETS_KEY. Only a source checkout (or DEBUG) may fall back to a key
derived from the development SECRET_KEY; a server without the key refuses to store a secret.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> Fernet:
    key = settings.AFTERSALES_SECRETS_KEY
    if not key:
        if not settings.AFTERSALES_SECRETS_DEV_FALLBACK:
            raise ImproperlyConfigured("AFTERSALES_SECRETS_KEY must be set to store platform credentials")
        key = base64.urlsafe_b64encode(hashlib.sha256(f"dev:{settings.SECRET_KEY}".encode()).digest()).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def unseal(sealed: str) -> str:
    """The plain text; "" when empty or when the key changed (the owner then enters it again)."""
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
