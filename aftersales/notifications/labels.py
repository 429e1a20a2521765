"""Moved to `aftersales.core.labels` (pure, shared by exports, messages and timers); kept for callers."""

from aftersales.core.labels import *  # noqa: F401,F403
from aftersales.core.labels import label, normalise_language  # noqa: F401
