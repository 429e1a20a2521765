"""Against guessing (staff passwords, buyers' order numbers and phone digits), without letting one
client's failures lock anybody else out.

Two counters per kind of guess, in Django's cache (shared by every web process):
- per client address: a client that fails `limit` times in the window is refused (429) until it ends;
- per target (a username, an order number): once a target has drawn `limit` failures from anyone, every
  attempt on it is slowed down (a pause that doubles with each further failure, up to `max_delay`)
  — never refused, so the right answer from another client still gets in.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def _key(scope: str, kind: str, value: str) -> str:
    return f"throttle:{scope}:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:40]


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _bump(key: str, window: int) -> None:
    cache.add(key, 0, window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)


@dataclass(frozen=True)
class Guard:
    scope: str  # "login", "portal"
    limit: int
    window: int  # seconds

    def client_blocked(self, client: str) -> bool:
        return _count(_key(self.scope, "client", client or "unknown")) >= self.limit

    def delay_for(self, target: str) -> float:
        """Seconds to wait before judging an attempt on `target` (0 while it has few failures)."""
        over = _count(_key(self.scope, "target", target)) - self.limit
        if not target or over < 0:
            return 0.0
        return min(settings.THROTTLE_MAX_DELAY, settings.THROTTLE_FIRST_DELAY * 2 ** over)

    def slow_down(self, target: str) -> float:
        seconds = self.delay_for(target)
        if seconds:
            time.sleep(seconds)
        return seconds

    def failed(self, client: str, target: str) -> None:
        _bump(_key(self.scope, "client", client or "unknown"), self.window)
        if target:
            _bump(_key(self.scope, "target", target), self.window)
