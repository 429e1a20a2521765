"""Moved to `aftersales.api_paging` (it uses django-ninja, and core is pure); kept for callers until they move."""

from aftersales.api_paging import MAX_PAGE, Page  # noqa: F401
