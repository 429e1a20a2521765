"""Tracking numbers (快递单号): the one place that says what one looks like — pure.

People type them with spaces ("SF 1234 5678 9012"), full-width characters from a Chinese input
method ("ＳＦ１２３４…"), dashes, or in lower case; scanners add nothing. Every page, the API, the
desk and the importers store and compare the same form: ASCII letters and digits, upper case.
"""

from __future__ import annotations

import unicodedata

from aftersales.core.errors import DomainError

MIN_LENGTH, MAX_LENGTH = 6, 40
#: Separators people put between groups of digits; they are not part of the number.
_SEPARATORS = frozenset(" \t\r\n-_./·")


def normalise_tracking(text: str | None) -> str:
    """The stored form: full-width folded to ASCII (NFKC), separators dropped, upper case."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if ch not in _SEPARATORS and not ch.isspace()).upper()


def is_tracking(value: str) -> bool:
    """Whether an already normalised value is a plausible tracking number."""
    return MIN_LENGTH <= len(value) <= MAX_LENGTH and value.isascii() and value.isalnum()


def parse_tracking(text: str | None, *, required: bool = True) -> str:
    """The normalised tracking number; raises `shipment.invalid_tracking_no` when it cannot be one.

    With `required=False` an empty value is allowed and returned as "".
    """
    value = normalise_tracking(text)
    if not value and not required:
        return ""
    if not is_tracking(value):
        raise DomainError("shipment.invalid_tracking_no", value=value or (text or "").strip())
    return value


CODES = frozenset({"shipment.invalid_tracking_no"})
