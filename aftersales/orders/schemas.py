from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt

from aftersales.core.api_types import Moment
from aftersales.core.choices import Channel, PaymentRoute, Platform
from aftersales.core.money import MAX_FEN
from aftersales.orders.goods import line_goods_status

Fen = Field(ge=0, le=MAX_FEN)


class BuyerIn(Schema):
    nick: str = Field("", max_length=100)
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=32, pattern=r"^[0-9+\-* ]*$")
    email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    province: str = Field("", max_length=32)
    city: str = Field("", max_length=32)


class OrderLineIn(Schema):
    platform_line_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    sku_code: str = Field("", max_length=64)
    spec: str = Field("", max_length=200)
    quantity: StrictInt = Field(gt=0, le=100_000)
    unit_price_fen: StrictInt = Fen
    paid_fen: StrictInt = Fen
    is_gift: StrictBool = False
    bundle_id: str = Field("", max_length=64)
    #: 拆单发货: this line's own parcel. Once any line has one, a line without one has not shipped yet.
    shipped_at: Moment | None = None
    signed_at: Moment | None = None


class PaymentIn(Schema):
    route: PaymentRoute
    amount_fen: StrictInt = Field(gt=0, le=MAX_FEN)


class OrderIn(Schema):
    platform: Platform
    platform_order_id: str = Field(min_length=1, max_length=64)
    buyer: BuyerIn
    channel: Channel = Channel.OTHER
    content_id: str = Field("", max_length=64)
    content_author: str = Field("", max_length=100)
    paid_at: Moment
    shipped_at: Moment | None = None
    signed_at: Moment | None = None
    freight_fen: StrictInt = Fen
    free_shipping: StrictBool = True
    #: 满X包邮: the goods amount from which the order ships free, and the outbound freight so waived.
    free_shipping_threshold_fen: StrictInt = Field(0, ge=0, le=MAX_FEN)
    waived_freight_fen: StrictInt = Field(0, ge=0, le=MAX_FEN)
    freight_insurance: StrictBool = False  # 运费险 on the order
    lines: list[OrderLineIn] = Field(min_length=1, max_length=200)
    payments: list[PaymentIn] = Field(default_factory=list, max_length=10)


class OrderLineOut(Schema):
    id: int
    platform_line_id: str
    title: str
    sku_code: str
    spec: str
    quantity: int
    unit_price_fen: int
    paid_fen: int
    is_gift: bool
    goods_status: str

    @staticmethod
    def resolve_goods_status(obj) -> str:
        return line_goods_status(obj.order, obj).value


class OrderOut(Schema):
    id: int
    platform: str
    platform_order_id: str
    buyer_nick: str
    buyer_phone_masked: str
    province: str
    channel: str
    paid_at: datetime
    shipped_at: datetime | None
    signed_at: datetime | None
    ships_in_parts: bool
    goods_fen: int
    freight_fen: int
    free_shipping_threshold_fen: int
    waived_freight_fen: int
    freight_insurance: bool
    refund_granted_fen: int
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_buyer_nick(obj) -> str:
        return obj.buyer.nick

    @staticmethod
    def resolve_buyer_phone_masked(obj) -> str:
        return obj.buyer.masked_phone

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())
