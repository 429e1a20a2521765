"""What a parsed platform export yields: typed records, row errors, row warnings, file errors.

Texts are `""` when the file has nothing (the way the models will store them); amounts, datetimes
and quantities are `None` when absent, so "0" and "missing" stay different. Amounts are int fen;
datetimes are aware, in Asia/Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aftersales.core.choices import Reason
from aftersales.core.errors import DomainError
from aftersales.platforms.importing.messages import FILE_MESSAGES, ROW_MESSAGES, render

# Canonical vocabularies. The mapping files may only map platform texts onto these.
CASE_KINDS = (
    "refund_only",
    "return_refund",
    "exchange",
    "reship",
    "repair",
    "partial_refund",
    "price_protection",
)
CASE_STATUSES = (
    "requested",
    "awaiting_return",
    "return_in_transit",
    "return_received",
    "refunding",
    "fulfilling",
    "awaiting_buyer_receipt",
    "completed",
    "rejected",
    "rejected_after_return",
    "arbitration",
    "closed",
)
# Statuses after which a platform no longer lets anyone act on the case.
TERMINAL_STATUSES = frozenset({"completed", "closed"})
ORDER_STATUSES = ("unpaid", "paid", "shipped", "completed", "closed")
REASONS = tuple(reason.value for reason in Reason)
CHANNELS = ("live_stream", "short_video", "search", "shop_page", "other")


# Records are not frozen: a frozen dataclass with ~40 fields takes 7x longer to build, which is
# most of the time of a 1,000,000-row import. Treat them as read-only all the same.
@dataclass(slots=True)
class OrderLineRecord:
    """One order line (子订单) as the platform exported it."""

    platform: str
    row_number: int
    platform_order_id: str
    platform_line_id: str
    #: True when the export had no sub-order id and `platform_line_id` was derived (see derive_line_id).
    line_id_derived: bool
    product_title: str
    quantity: int
    #: True for a row that sums up a whole order (千牛 订单报表: one row per order, quantity 宝贝总数量)
    #: rather than one item; its line id is then `summary_line_id(order)`.
    order_summary: bool = False
    sku_code: str = ""
    sku_spec: str = ""
    platform_product_id: str = ""
    platform_sku_id: str = ""
    unit_price_fen: int | None = None
    #: Goods total of the line before discounts (商品金额 / 商品总价).
    goods_fen: int | None = None
    #: What the buyer actually paid for the line (订单应付金额 / 买家实际支付金额 / 用户实付金额).
    paid_fen: int | None = None
    freight_fen: int | None = None
    free_shipping_threshold_fen: int | None = None  # 满X包邮: X
    waived_freight_fen: int | None = None  # the outbound freight waived by it
    discount_fen: int | None = None
    order_status: str = ""
    #: Canonical order status (ORDER_STATUSES), None when the text is not in the mapping.
    order_status_code: str | None = None
    aftersale_status: str = ""
    created_at: datetime | None = None
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    completed_at: datetime | None = None
    buyer_name: str = ""
    buyer_phone: str = ""
    buyer_nick: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    address: str = ""
    tracking_no: str = ""
    carrier: str = ""
    #: Canonical sales channel (CHANNELS); None when the export says nothing about it.
    channel: str | None = None
    channel_raw: str = ""
    content_id: str = ""
    author: str = ""
    buyer_note: str = ""
    merchant_note: str = ""

    @property
    def dedupe_key(self) -> str:
        return self.platform_line_id


@dataclass(slots=True)
class CaseRecord:
    """One after-sale case (售后单 / 退款单 / 服务单) as the platform exported it."""

    platform: str
    row_number: int
    platform_case_id: str
    platform_order_id: str
    kind: str
    kind_raw: str
    status: str
    status_raw: str
    #: A later step the platform's status also covers ([case_status_also]); "" when none.
    status_also: str = ""
    #: The sub-order when the export names it (Douyin 商品单号); "" otherwise — match on order + SKU.
    platform_line_id: str = ""
    reason: str | None = None
    reason_raw: str = ""
    buyer_note: str = ""
    requested_amount_fen: int | None = None
    refund_amount_fen: int | None = None
    paid_fen: int | None = None
    refund_freight_fen: int | None = None
    refund_discount_fen: int | None = None
    requested_at: datetime | None = None
    #: The platform's own deadline for the current step (自动处理截止时间 / 超时时间).
    deadline_at: datetime | None = None
    agreed_at: datetime | None = None
    return_shipped_at: datetime | None = None
    refunded_at: datetime | None = None
    closed_at: datetime | None = None
    return_tracking_no: str = ""
    return_carrier: str = ""
    return_logistics_status: str = ""
    tracking_no: str = ""
    goods_status: str = ""
    arbitration: str = ""
    refund_method: str = ""
    product_title: str = ""
    sku_code: str = ""
    sku_spec: str = ""
    platform_product_id: str = ""
    platform_sku_id: str = ""
    quantity: int | None = None
    buyer_nick: str = ""
    merchant_note: str = ""

    @property
    def dedupe_key(self) -> str:
        return self.platform_case_id


@dataclass(frozen=True, slots=True)
class RowError:
    """A data row that was refused. The row is skipped; the rows after it keep flowing."""

    #: 1-based, as the spreadsheet shows it (the header row counts).
    row_number: int
    #: The heading as the file spells it (without surrounding spaces).
    column: str
    value: str
    code: str
    message_zh: str
    message_en: str
    params: dict[str, object] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, row_number: int, column: str, value: str, code: str, **params: object) -> RowError:
        zh, en = render(ROW_MESSAGES, code, {"row": row_number, "column": column, "value": value, **params})
        return cls(row_number, column, value, code, zh, en, dict(params))


@dataclass(frozen=True, slots=True)
class RowWarning:
    """A note about a row that was *not* refused for a bad value, e.g. a duplicate superseded later."""

    row_number: int
    column: str
    value: str
    code: str
    message_zh: str
    message_en: str
    #: For import.duplicate_row: the later row that replaces this one.
    kept_row_number: int | None = None

    @classmethod
    def duplicate(cls, row_number: int, kept_row_number: int, column: str, value: str) -> RowWarning:
        code = "import.duplicate_row"
        zh, en = render(
            ROW_MESSAGES,
            code,
            {"row": row_number, "kept_row": kept_row_number, "column": column, "value": value},
        )
        return cls(row_number, column, value, code, zh, en, kept_row_number)


ParsedRow = OrderLineRecord | CaseRecord | RowError | RowWarning


class ImportFileError(DomainError):
    """The file as a whole cannot be imported (empty, damaged, wrong platform, no header …).

    Raised before the first row, or — for damage found only deep inside a streamed file
    (import.decode_failed, import.csv_malformed, import.corrupt_xlsx) — in the middle of iteration.
    """

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, **params)
        self.message_zh, self.message_en = render(FILE_MESSAGES, code, params)

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"
