"""Against guessing order numbers and phone digits: a few failures per address and per order number,
then a pause. Counted in Django's cache, which every web process shares (database or Redis)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def limit() -> int:
    return int(getattr(settings, "PORTAL_LOOKUP_FAILURES", 5))


def window_seconds() -> int:
    return int(getattr(settings, "PORTAL_LOOKUP_WINDOW", 15 * 60))


def _digest(kind: str, value: str) -> str:
    return f"portal-lookup:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:40]


def _keys(ip: str, order_no: str) -> list[str]:
    keys = [_digest("ip", ip or "unknown")]
    if order_no:
        keys.append(_digest("order", order_no.strip().upper()))
    return keys


def is_blocked(ip: str, order_no: str) -> bool:
    return any((cache.get(key) or 0) >= limit() for key in _keys(ip, order_no))


def record_failure(ip: str, order_no: str) -> None:
    for key in _keys(ip, order_no):
        cache.add(key, 0, window_seconds())
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window_seconds())
