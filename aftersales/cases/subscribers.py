"""What follows a case event: the explicit, ordered list of subscribers, read in this one file.

`cases.kernel.record_event` (and the deadline sweeper, for its batches) hands every event it writes
to `publish`, inside the transaction of the change, so each subscriber's rows commit or roll back with
the change itself — no Django signals, no work after commit that could be lost. Subscribers run in the
order listed; each receives the events and a per-publish `Batch` (a scratch space for lookups it
wants to share over many events, e.g. the sweeper's hundreds of notices).

To add a subscriber (the platform push, say): write `def on_case_events(events, batch)` in its app,
add its dotted path below, and say in the README's architecture section what it does. The paths are
resolved on first use, so the cases app does not import the apps that follow it (no import cycle).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from django.utils.module_loading import import_string

#: In order. Each: (dotted path, why it is here).
SUBSCRIBERS: tuple[tuple[str, str], ...] = (
    ("aftersales.notifications.outbox.on_case_events",
     "the transactional outbox: the buyer's or staff's message commits with the change"),
    ("aftersales.analytics.rollups.on_case_events",
     "the analytics rollups of the case's order, current when the change commits"),
    ("aftersales.platforms.sync.push.on_case_events",
     "a staff decision on a connected store's case becomes a command to the platform (its outbox)"),
    ("aftersales.intelligence.shop_stats.on_case_events",
     "the shop's statistics this process keeps for the advice and the signals are read anew"),
    ("aftersales.intelligence.services.on_case_events",
     "a reason correction by staff is kept as the shop's training data for the buyer-words model"),
)


#: Who decides a staff move on a case synced from a platform (states.PLATFORM_DECIDED): the platform's
#: push answers "send" (the store is connected and has an API for it: the move waits for the
#: platform), "no_api" (connected, but the merchant must do it in the platform's backend) or "" (not
#: connected: the move is ours to make).
PLATFORM_GATE = "aftersales.platforms.sync.push.platform_gate"


def platform_gate(case, action: str, target: str) -> str:
    return _gate()(case, action, target)


@cache
def _gate() -> Callable[[object, str, str], str]:
    return import_string(PLATFORM_GATE)


@dataclass
class Batch:
    """Shared by the subscribers for one publish: lookups each may cache, keyed by its own name."""

    cache: dict[str, object] = field(default_factory=dict)


Subscriber = Callable[[Sequence[object], Batch], None]


@cache
def _loaded() -> tuple[Subscriber, ...]:
    return tuple(import_string(path) for path, _why in SUBSCRIBERS)


def publish(events: Sequence[object], batch: Batch | None = None) -> None:
    """Hand freshly written events to every subscriber, in order. Call inside the writing transaction.
    Inside `held()` the events wait for the end of the block (still inside the transaction)."""
    if not events:
        return
    hold = getattr(_holding, "hold", None)
    if hold is not None:
        hold.events.extend(events)
        return
    batch = batch or Batch()
    for subscriber in _loaded():
        subscriber(events, batch)


# -- many changes in one transaction ---------------------------------------------------------------


@dataclass
class Hold:
    events: list = field(default_factory=list)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Wrap a unit that may be rolled back to a savepoint (one row of an import): when it raises,
        the events it published are forgotten with it."""
        mark = len(self.events)
        try:
            yield
        except BaseException:
            del self.events[mark:]
            raise


_holding = threading.local()


@contextmanager
def held() -> Iterator[Hold]:
    """Hold the events published inside the block and hand them to the subscribers once, at its end —
    for a writer of many cases in one transaction (a page of a pull, a batch of an import): the
    analytics rollups of a hundred orders are then refreshed in one go instead of twice per case,
    and are still current when the transaction commits. Use inside that transaction (the block
    must end before the commit). A block inside another holds nothing of its own."""
    if getattr(_holding, "hold", None) is not None:
        yield _holding.hold
        return
    hold = _holding.hold = Hold()
    try:
        yield hold
    except BaseException:
        _holding.hold = None
        raise
    _holding.hold = None
    publish(hold.events)
