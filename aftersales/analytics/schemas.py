from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ninja import Schema
from pydantic import Field, StrictInt

from aftersales.core.choices import Channel, Platform, Reason
from aftersales.core.money import MAX_FEN
from aftersales.core.row_ids import MAX_ROW_ID

PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


class Basis(StrEnum):
    ORDER = "order"  # a return counts on its order's date
    CASE = "case"  # ... or on the date its case was opened


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class FigureQuery(Schema):
    """The period (Asia/Shanghai days, both included; default the last 90 days), the basis and filters."""

    first: date | None = None
    last: date | None = None
    basis: Basis = Basis.ORDER
    sku: int | None = Field(None, ge=1, le=MAX_ROW_ID)
    product: int | None = Field(None, ge=1, le=MAX_ROW_ID)
    category: int | None = Field(None, ge=1, le=MAX_ROW_ID)
    platform: Platform | None = None
    channel: Channel | None = None
    province: str | None = Field(None, max_length=32, pattern=PRINTABLE)
    content: str | None = Field(None, max_length=64, pattern=PRINTABLE)
    reason: Reason | None = None
    format: Format = Format.JSON

    def filters(self) -> dict:
        names = ("sku", "product", "category", "platform", "channel", "province", "content", "reason")
        values = {name: getattr(self, name) for name in names}
        return {k: getattr(v, "value", v) for k, v in values.items() if v not in (None, "")}


class WordsQuery(Schema):
    """The period (Asia/Shanghai days, both included; default the last 90 days) and the scope."""

    first: date | None = None
    last: date | None = None
    product: int | None = Field(None, ge=1, le=MAX_ROW_ID)
    category: int | None = Field(None, ge=1, le=MAX_ROW_ID)


class ColumnOut(Schema):
    key: str
    label: str
    kind: str  # text, int, fen (integer fen), bp (basis points: 1234 = 12.34%), date, bool


class FigureOut(Schema):
    figure: str
    first: date
    last: date
    basis: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    drill: list[dict[str, Any]]  # per row: the filters that list the cases behind it (GET /analytics/cases)


class AlertOut(Schema):
    id: int
    kind: str
    scope: str
    subject_id: int
    subject_label: str
    category_id: int
    period_start: date
    period_end: date
    basis: str
    sold_qty: int
    returned_qty: int
    rate_bp: int | None
    lower_bp: int | None
    threshold_bp: int | None
    params: dict[str, Any]
    status: str
    explanation: str
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    notified_at: datetime | None


class EvaluationOut(Schema):
    opened: int
    updated: int
    resolved: int


class SettingsIn(Schema):
    good_rate_bp: StrictInt | None = Field(None, ge=0, le=10_000)
    alert_rate_bp: StrictInt | None = Field(None, ge=1, le=10_000)
    jump_k_tenths: StrictInt | None = Field(None, ge=5, le=100)
    jump_weeks: StrictInt | None = Field(None, ge=4, le=26)
    alert_window_days: StrictInt | None = Field(None, ge=7, le=365)
    return_freight_fen: StrictInt | None = Field(None, ge=0, le=MAX_FEN)


class SettingsOut(Schema):
    good_rate_bp: int
    alert_rate_bp: int
    jump_k_tenths: int
    jump_weeks: int
    alert_window_days: int
    return_freight_fen: int


class ThresholdsIn(Schema):
    good_rate_bp: StrictInt | None = Field(None, ge=0, le=10_000)
    alert_rate_bp: StrictInt | None = Field(None, ge=1, le=10_000)


class ThresholdsOut(Schema):
    category_id: int
    name: str
    good_rate_bp: int | None  # None: the shop's default
    alert_rate_bp: int | None
    effective_good_rate_bp: int
    effective_alert_rate_bp: int


class CaseRowOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    reason: str
    platform: str
    created_at: datetime
    order_id: int
    refund_granted_fen: int
