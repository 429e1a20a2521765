"""What the file says about one order, worked out before anything is compared or written.

The lines of one order (主订单) become an OrderPlan: the order's times, texts and freight, its buyer,
its shipments, and each line's unit price and paid amount.

Money of a line (what was actually paid for it, after discounts):
- the export has a real sub-order id (Douyin 子订单编号, Taobao 子订单编号): its paid amount is the line's;
- otherwise the paid amount is the order's, repeated on each row (JD 应付金额, PDD 用户实付金额, Taobao
  买家实际支付金额) and includes the outbound freight: the goods part is split across the lines by
  their list amounts (largest remainder), the freight kept on the order;
- rows without any paid amount (Taobao 宝贝报表) count at their list amounts here; against what is
  stored, the writer has them share what was paid instead (order_summaries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aftersales.core.money import allocate
from aftersales.core.tracking import normalise_tracking
from aftersales.platforms.importing import OrderLineRecord
from aftersales.platforms.report import Report
from aftersales.platforms.writing import Columns, cut

ID_LIMIT = 64


@dataclass
class LinePlan:
    record: OrderLineRecord
    line_id: str
    title: str
    sku_code: str
    spec: str
    quantity: int
    unit_price_fen: int
    paid_fen: int


@dataclass
class OrderPlan:
    """What the file says about one order, ready to compare with what is stored."""

    order_id: str
    lines: list[LinePlan]
    paid_at: datetime | None
    shipped_at: datetime | None
    signed_at: datetime | None
    freight_fen: int | None
    fields: dict[str, object]  # texts: status_raw, channel, content_id, …
    buyer: dict[str, str]
    shipments: dict[str, tuple[str, datetime | None]] = field(default_factory=dict)  # tracking → carrier, time
    # Set by the writer against what is stored (see order_summaries): the stored summary line these item
    # lines replace; the item line its cases move to, with what they may refund there; and whether the
    # lines are written at all (a summary row of an order stored item by item only updates the order).
    replaces: Any = None
    moves_to: tuple[LinePlan, int] | None = None
    write_lines: bool = True
    #: Times the file does not give, stood in for (paid_at by the order's creation time, shipped_at by
    #: the payment or arrival time): they date a new order, but never overwrite a time already stored
    #: (a 销售明细 sheet with only 订单创建时间 must not move the 订单报表's payment and ship times).
    stand_ins: frozenset[str] = frozenset()

    @property
    def rows(self) -> list[int]:
        return [line.record.row_number for line in self.lines]

    @property
    def summary(self) -> bool:
        """The order as one summary row (千牛 订单报表), not item by item."""
        return bool(self.lines) and all(line.record.order_summary for line in self.lines)


# ---- from records to plans ----------------------------------------------------------------------


def plan_order(order_id: str, records: list[OrderLineRecord], report: Report, col: Columns) -> OrderPlan | None:
    """The order as the file describes it, or None (reported) when it cannot be imported."""
    if len(order_id) > ID_LIMIT:
        for r in records:
            report.error(r.row_number, col("platform_order_id"), order_id, "import.id_too_long", limit=ID_LIMIT)
        return None
    codes = {r.order_status_code for r in records if r.order_status_code}
    if codes == {"unpaid"}:
        for r in records:
            # The cell named is the status: its value is the status the file gives, the order is in the message.
            report.warning(r.row_number, col("order_status"), r.order_status, "import.unpaid_order", order=order_id)
        return None
    # None: the file has no time for the order (Taobao's 宝贝报表); it must then already be stored.
    paid_at = _earliest(records, "paid_at")
    stand_in = paid_at is None
    paid_at = paid_at or _earliest(records, "created_at")
    kept = []
    for r in records:
        if len(r.platform_line_id) > ID_LIMIT:
            report.error(r.row_number, col("platform_line_id"), r.platform_line_id, "import.id_too_long",
                         limit=ID_LIMIT)
        else:
            kept.append(r)
    if not kept:
        return None
    return _plan(order_id, kept, paid_at, paid_stand_in=stand_in)


def _plan(order_id: str, records: list[OrderLineRecord], paid_at: datetime | None, *,
          paid_stand_in: bool = False) -> OrderPlan:
    amounts, freight = line_amounts(records)
    lines = [
        LinePlan(r, r.platform_line_id, cut(r.product_title, 200), cut(r.sku_code, 64), cut(r.sku_spec, 200),
                 r.quantity, unit, paid)
        for r, (unit, paid) in zip(records, amounts, strict=True)
    ]
    first = records[0]
    codes = {r.order_status_code for r in records}
    signed_at = _latest(records, "completed_at") if "completed" in codes else None
    # Without a ship time in the file: a received order left no later than it arrived, and a shipped
    # one is known to have left (the time it was paid stands in), so the goods' status stays right.
    shipped_at = _earliest(records, "shipped_at")
    stand_ins = {"paid_at"} if paid_stand_in else set()
    if shipped_at is None:
        stand_ins.add("shipped_at")
        shipped_at = signed_at or (paid_at if "shipped" in codes else None)
    fields = {
        "status_raw": cut(first.order_status, 64),
        "channel": _first_text(records, "channel"),
        "content_id": cut(_first_text(records, "content_id"), 64),
        "content_author": cut(_first_text(records, "author"), 100),
        "province": cut(_first_text(records, "province"), 32),
        "city": cut(_first_text(records, "city"), 32),
        **_free_shipping(records),
    }
    buyer = {
        "nick": cut(_first_text(records, "buyer_nick"), 100),
        "name": cut(_first_text(records, "buyer_name"), 100),
        "phone": cut(_first_text(records, "buyer_phone"), 32),
        "province": fields["province"],
        "city": fields["city"],
    }
    plan = OrderPlan(
        order_id=order_id, lines=lines, paid_at=paid_at, shipped_at=shipped_at, signed_at=signed_at,
        freight_fen=freight, fields=fields, buyer=buyer, stand_ins=frozenset(stand_ins),
    )
    for r in records:
        tracking = cut(normalise_tracking(r.tracking_no), 64)
        if tracking and tracking not in plan.shipments:
            plan.shipments[tracking] = (cut(r.carrier, 32), r.shipped_at or shipped_at or paid_at)
    return plan


def _free_shipping(records: list[OrderLineRecord]) -> dict[str, int | None]:
    """满X包邮 as the file gives it (None: not given). A waived freight without its threshold is left
    out: the refund rule could not tell when a return breaks it."""
    threshold = max((r.free_shipping_threshold_fen for r in records if r.free_shipping_threshold_fen), default=None)
    waived = max((r.waived_freight_fen for r in records if r.waived_freight_fen), default=None)
    return {"free_shipping_threshold_fen": threshold, "waived_freight_fen": waived if threshold else None}


def line_amounts(records: list[OrderLineRecord]) -> tuple[list[tuple[int, int]], int | None]:
    """(unit price, paid) per line, and the order's outbound freight (see the module notes)."""
    freights = [r.freight_fen for r in records if r.freight_fen is not None]
    freight = max(freights) if freights else None
    goods = [r.goods_fen if r.goods_fen is not None else 0 for r in records]
    paids = [r.paid_fen for r in records]
    order_level = all(r.line_id_derived for r in records) and None not in paids and len(set(paids)) == 1
    if order_level:
        shares = allocate(max(paids[0] - (freight or 0), 0), goods)
    else:
        shares = [p if p is not None else g for p, g in zip(paids, goods, strict=True)]
    result = []
    for r, paid, g in zip(records, shares, goods, strict=True):
        if r.unit_price_fen is not None:
            unit = r.unit_price_fen
        else:
            unit = (g if r.goods_fen is not None else paid) // r.quantity
        result.append((unit, paid))
    return result, freight


def _earliest(records: list[OrderLineRecord], name: str) -> datetime | None:
    if len(records) == 1:
        return getattr(records[0], name)
    found = [v for r in records if (v := getattr(r, name)) is not None]
    return min(found) if found else None


def _latest(records: list[OrderLineRecord], name: str) -> datetime | None:
    if len(records) == 1:
        return getattr(records[0], name)
    found = [v for r in records if (v := getattr(r, name)) is not None]
    return max(found) if found else None


def _first_text(records: list[OrderLineRecord], name: str) -> str:
    """The first non-empty value of the field over the order's rows (most orders have one row)."""
    for r in records:
        if value := getattr(r, name):
            return value
    return ""
