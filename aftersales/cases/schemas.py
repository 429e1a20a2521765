from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from functools import cache

from django.utils import translation
from django.utils.module_loading import import_string
from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, StrictInt

from aftersales.cases.domain.states import Kind
from aftersales.core.api_types import Moment
from aftersales.core.choices import LawCategory, Platform, Reason
from aftersales.core.fields import mask_phone
from aftersales.core.money import MAX_FEN
from aftersales.core.row_ids import MAX_ROW_ID


class CaseLineIn(Schema):
    order_line_id: StrictInt
    quantity: StrictInt = Field(gt=0, le=100_000)


class GoodsIn(Schema):
    tags_intact: StrictBool = True
    seal_intact: StrictBool = True
    used: StrictBool = False
    washed: StrictBool = False
    accessories_complete: StrictBool = True
    activated: StrictBool = False
    opened_for_inspection: StrictBool = False


class CaseIn(Schema):
    order_id: StrictInt
    lines: list[CaseLineIn] = Field(min_length=1, max_length=200)
    kind: Kind
    reason: Reason
    buyer_note: str = Field("", max_length=2000)
    wanted_remedy: Kind | None = None
    requested_fen: StrictInt | None = Field(None, ge=0, le=MAX_FEN)
    goods: GoodsIn | None = None
    buyer_confirmed_no_return_at_purchase: StrictBool = False
    platform_case_id: str | None = Field(None, max_length=64)
    #: 换货: the code of the SKU wanted instead (another size or colour of the product, in stock).
    exchange_sku: str | None = Field(None, max_length=64)


class CaseLineOut(Schema):
    order_line_id: int
    title: str
    quantity: int
    received_quantity: int
    accepted_quantity: int
    goods_status: str  # where this line's goods were when the case was opened

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.order_line.title


class EventOut(Schema):
    action: str
    actor: str
    from_status: str
    to_status: str
    reason_code: str
    note: str
    payload: dict
    created_at: datetime


class CaseOut(Schema):
    id: int
    number: str
    order_id: int
    platform: str
    platform_case_id: str | None
    kind: str
    status: str
    #: A staff decision sent to the platform and not yet confirmed ("approve", "reject" …; "" when none):
    #: the status moves only when the platform confirms it.
    awaiting_platform: str
    goods_status: str
    money_status: str
    reason: str
    buyer_note: str
    wanted_remedy: str
    requested_fen: int
    refund_cap_fen: int
    refund_granted_fen: int
    refunded_fen: int
    return_tracking_no: str
    deadline_at: datetime | None
    deadline_stage: str
    urgency: int
    suggested_reason: str  # what the buyer's own words read as ("" when they left none)
    suggested_confidence: float
    suggested_by: str  # "model", or "agent" once staff corrected it
    buyer_tags: list[str]
    reason_evidence: list[str]
    tags: list[str]
    follow_up: bool
    created_at: datetime
    version: int


class CaseDetailOut(CaseOut):
    policy_decision: dict
    policy_version: str
    #: The buyer's return freight when the shop pays it: claimed by the buyer, reimbursed, paid.
    return_freight_claimed_fen: int
    return_freight_granted_fen: int
    return_freight_paid_fen: int
    #: The return address the return was approved with (the case's copy, contact phone masked); {} if none.
    return_address: dict

    @staticmethod
    def resolve_return_address(obj) -> dict:
        if not obj.return_address:
            return {}
        return {**obj.return_address, "phone": mask_phone(obj.return_address.get("phone", ""))}

    #: 换货: the code of the SKU the exchange sends instead ("" when none was asked for).
    exchange_sku: str

    @staticmethod
    def resolve_exchange_sku(obj) -> str:
        return obj.exchange_sku.code if obj.exchange_sku_id else ""

    buyer_phone_masked: str
    lines: list[CaseLineOut]
    events: list[EventOut]

    @staticmethod
    def resolve_buyer_phone_masked(obj) -> str:
        return obj.buyer.masked_phone

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())  # prefetched by selectors.case_detail, in order-line order

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())

    # The cheapest legal remedy and the abuse signals (case intelligence), in the caller's language.
    advice: dict | None = None
    signals: dict | None = None

    @staticmethod
    def resolve_advice(obj, context):
        return _intelligence(obj, context)["advice"]

    @staticmethod
    def resolve_signals(obj, context):
        return _intelligence(obj, context)["signals"]


#: Who presents a case's advice and signals: the intelligence app, which reads cases (it sits above the
#: cases app). Resolved on first use, as the subscribers are, so the cases app does not import it.
CASE_INTELLIGENCE = "aftersales.intelligence.present.case_intelligence"


@cache
def _presenter() -> Callable[[object, str], dict]:
    return import_string(CASE_INTELLIGENCE)


def _intelligence(case, context) -> dict:
    """Computed once per case and response (both fields need it)."""
    cached = getattr(case, "_intelligence", None)
    if cached is None:
        request = (context or {}).get("request")
        lang = translation.get_language_from_request(request) if request else "zh-hans"
        cached = case._intelligence = _presenter()(case, lang)
    return cached


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ApproveIn(NoteIn):
    #: Where a return goes back: one of the shop's return addresses; without it the shop's default for
    #: the case's platform and category.
    return_address_id: StrictInt | None = Field(None, ge=1, le=MAX_ROW_ID)


class ReasonCorrectionIn(Schema):
    reason: str = Field(min_length=1, max_length=24)  # a case reason or "service"


class RejectIn(Schema):
    reason_code: str = Field(min_length=1, max_length=64)
    note: str = Field("", max_length=2000)


class CloseIn(RejectIn):
    pass


class ShipmentIn(Schema):
    carrier: str = Field(min_length=1, max_length=32)
    tracking_no: str = Field(min_length=1, max_length=64)


class ReceiveIn(Schema):
    tracking_no: str = Field("", max_length=64)
    carrier: str = Field("", max_length=32)
    note: str = Field("", max_length=2000)


class InspectIn(Schema):
    #: The resale grade (A restock, B B-stock, C/D write-off): it never decides the buyer's outcome.
    grade: str = Field(pattern="^[ABCD]$")
    checklist: dict[str, StrictBool] = Field(default_factory=dict)
    #: Fail the inspection for this documented reason (not_our_item, parts_kept, buyer_damage, used);
    #: empty: it passes when it matches the buyer's claim or, for a return without fault, is intact.
    failure_reason: str = Field("", max_length=16)
    #: Photos uploaded to the case first (POST …/evidence) to keep with this inspection; a failure needs one.
    photo_ids: list[StrictInt] = Field(default_factory=list, max_length=20)
    restock: StrictBool = False
    accepted_quantity: StrictInt | None = Field(None, ge=0)
    write_off_fen: StrictInt = Field(0, ge=0, le=MAX_FEN)
    note: str = Field("", max_length=2000)


class GrantIn(Schema):
    #: Required: a missing amount is refused with `refund.amount_required` and the refundable amount.
    amount_fen: StrictInt | None = Field(None, gt=0, le=MAX_FEN, description="required; fen, at most what is refundable now")
    reason_code: str = "approved_request"
    note: str = Field("", max_length=2000)


class ReturnFreightIn(Schema):
    amount_fen: StrictInt = Field(gt=0, le=MAX_FEN)
    idempotency_key: str = Field(min_length=8, max_length=100)
    receipt_evidence_id: StrictInt | None = None  # the carrier's receipt, needed above the shop's cap
    note: str = Field("", max_length=2000)


class ExecuteIn(Schema):
    idempotency_key: str = Field(min_length=8, max_length=100)


class RulingIn(Schema):
    for_buyer: StrictBool
    note: str = Field("", max_length=2000)


class PolicyGoods(GoodsIn):
    model_config = ConfigDict(extra="forbid")


class PolicyKind(StrEnum):
    """The five remedies the policy engine judges (a partial refund is a refund only)."""

    REFUND_ONLY = "refund_only"
    RETURN_REFUND = "return_refund"
    EXCHANGE = "exchange"
    RESHIP = "reship"
    REPAIR = "repair"


class PolicyIn(Schema):
    """Every fact the policy engine judges (`cases.domain.policy_facts.Facts`); an unknown key is refused
    rather than dropped, so a fact the caller meant (say `shipped`) never silently goes unjudged."""

    model_config = ConfigDict(extra="forbid")

    platform: Platform
    case_kind: PolicyKind
    reason: Reason
    category: LawCategory
    signed_at: Moment | None = None
    requested_at: Moment
    goods: PolicyGoods = Field(default_factory=PolicyGoods)
    buyer_confirmed_no_return_at_purchase: StrictBool = False
    #: null: shipped exactly when signed for; true without `signed_at`: in transit.
    shipped: StrictBool | None = None
    free_shipping: StrictBool = True
    partial_return_breaks_free_shipping: StrictBool = False
    sold_with_disclosed_flaw: StrictBool = False
    gift_included: StrictBool = False
    gift_returned: StrictBool = True
    in_bundle: StrictBool = False
    freight_insurance: StrictBool = False
    paid_fen: StrictInt | None = Field(None, ge=0, le=MAX_FEN)
    requested_refund_fen: StrictInt | None = Field(None, ge=0, le=MAX_FEN)
    card_fee_fen: StrictInt | None = Field(None, ge=0, le=MAX_FEN)
