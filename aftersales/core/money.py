"""Money in integer fen (分). `Decimal` is used only to parse and to display; arithmetic stays in int.

Largest-remainder allocation (最大余额法) splits an amount across lines or payment routes so that
the parts always add up to the whole, and no part strays more than one fen from its exact share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from aftersales.core.errors import DomainError

# One hundred million yuan: an amount above this in one field is a typo or an attack, not a sale.
MAX_FEN = 100_000_000 * 100

_CLEAN = re.compile(r"[¥￥,，\s元]")


def yuan_to_fen(value: str | int | Decimal) -> int:
    """Parse a yuan amount ("¥1,234.50", "12.3", Decimal("9.99")) into fen. Rejects fractions of a fen."""
    if isinstance(value, bool):
        raise DomainError("money.invalid", value=str(value))
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    else:
        text = _CLEAN.sub("", str(value))
        if text in ("", "-", "+"):
            raise DomainError("money.invalid", value=str(value))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise DomainError("money.invalid", value=str(value)) from None
    if not amount.is_finite():
        raise DomainError("money.invalid", value=str(value))
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise DomainError("money.sub_fen", value=str(value))
    result = int(fen)
    check_fen(result)
    return result


def check_fen(fen: int, *, allow_negative: bool = False) -> int:
    """Validate an amount already in fen: an int, not negative (unless allowed), not absurd."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise DomainError("money.invalid", value=str(fen))
    if fen < 0 and not allow_negative:
        raise DomainError("money.negative", value=str(fen))
    if abs(fen) > MAX_FEN:
        raise DomainError("money.too_large", value=str(fen))
    return fen


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_fen(fen: int, symbol: str = "¥") -> str:
    """12345 -> '¥123.45'; -500 -> '-¥5.00'."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{symbol}{fen_to_yuan(abs(fen)):,}"


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` fen in proportion to `weights` by largest remainder.

    The result sums exactly to `total`; ties in remainder go to the earlier weight so the split
    is deterministic. All weights zero -> the whole amount is split as if the weights were equal.
    """
    check_fen(total)
    if not weights:
        if total:
            raise DomainError("money.no_parts")
        return []
    if any(w < 0 for w in weights):
        raise DomainError("money.negative_weight")
    basis = list(weights) if sum(weights) > 0 else [1] * len(weights)
    whole = sum(basis)
    shares = [total * w // whole for w in basis]
    remainders = [(total * w) % whole for w in basis]
    short = total - sum(shares)
    order = sorted(range(len(basis)), key=lambda i: (-remainders[i], i))
    for i in order[:short]:
        shares[i] += 1
    return shares
