"""Where the goods of an order line are: not shipped, in transit, or signed for by the buyer.

An order shipped whole has one state for all its lines, from the order's times. An order shipped in
parts (拆单发货, `Order.ships_in_parts`) has one per line, from the line's own parcel: a line without a
ship time has not left yet. The policy, the refund rule and the case judge each picked line by this.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from aftersales.core.choices import GoodsStatus
from aftersales.orders.models import Order, OrderLine

#: How far goods have got, in order.
_PROGRESS = (GoodsStatus.NOT_SHIPPED, GoodsStatus.IN_TRANSIT, GoodsStatus.RECEIVED)


def status_at(shipped_at: datetime | None, signed_at: datetime | None) -> GoodsStatus:
    if shipped_at is None:
        return GoodsStatus.NOT_SHIPPED
    if signed_at is None:
        return GoodsStatus.IN_TRANSIT
    return GoodsStatus.RECEIVED


def line_times(order: Order, line: OrderLine) -> tuple[datetime | None, datetime | None]:
    """(shipped at, signed at) of the line's goods."""
    if order.ships_in_parts:
        return line.shipped_at, line.signed_at
    return order.shipped_at, order.signed_at


def line_goods_status(order: Order, line: OrderLine) -> GoodsStatus:
    return status_at(*line_times(order, line))


def furthest(statuses: Iterable[str | GoodsStatus]) -> GoodsStatus:
    """The state of a case over its lines: the furthest any of its goods got (a case with goods signed
    for is a case after delivery), NOT_SHIPPED only when none has left."""
    values = [GoodsStatus(s) for s in statuses]
    return max(values, key=_PROGRESS.index) if values else GoodsStatus.NOT_SHIPPED
