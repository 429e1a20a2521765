"""Which of the shop's settings applies to a platform and a category: the most specific one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def most_specific(items: Iterable[T], platform: str, category_id: int | None, *,
                  platform_of: Callable[[T], str], category_of: Callable[[T], int | None]) -> T | None:
    """The item for (platform, category) by the shop's order of specificity: platform and category, then
    category, then platform, then the one for everything (blank platform, no category). The return rules
    and the default return addresses are both chosen this way."""
    items = list(items)
    for want_platform, want_category in ((platform, category_id), ("", category_id), (platform, None), ("", None)):
        for item in items:
            if platform_of(item) == want_platform and category_of(item) == want_category:
                return item
    return None
