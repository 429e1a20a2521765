"""Enumerations shared by the models and the domain core (pure: no Django imports).

Values are stored in the database; labels are translated at the edge.
"""

from enum import StrEnum


class Platform(StrEnum):
    DOUYIN = "douyin"
    TAOBAO = "taobao"
    TMALL = "tmall"
    JD = "jd"
    PDD = "pdd"
    OWN = "own"


PLATFORM_LABELS = {
    "douyin": ("抖店", "Douyin"),
    "taobao": ("淘宝", "Taobao"),
    "tmall": ("天猫", "Tmall"),
    "jd": ("京东", "JD"),
    "pdd": ("拼多多", "Pinduoduo"),
    "own": ("自营商城", "Own shop"),
}


class Role(StrEnum):
    OWNER = "owner"
    AGENT = "agent"
    WAREHOUSE = "warehouse"
    TRAINEE = "trainee"  # may only train (培训中心), never touch the shop's real cases


class Channel(StrEnum):
    """Where the sale came from (流量来源)."""

    LIVE_STREAM = "live_stream"
    SHORT_VIDEO = "short_video"
    SEARCH = "search"
    SHOP_PAGE = "shop_page"
    OTHER = "other"


class Reason(StrEnum):
    NO_REASON = "no_reason"
    QUALITY_DEFECT = "quality_defect"
    NOT_AS_DESCRIBED = "not_as_described"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    SIZE_FIT = "size_fit"
    NOT_RECEIVED = "not_received"
    LATE_DELIVERY = "late_delivery"
    OTHER = "other"


#: Reasons where the merchant is at fault: apology first, merchant pays freight (消保法 24).
MERCHANT_FAULT_REASONS = frozenset(
    {"quality_defect", "not_as_described", "wrong_item", "missing_item", "damaged_in_transit"}
)


class LawCategory(StrEnum):
    """The kinds of goods the law distinguishes when it judges 'intact' and exemptions."""

    APPAREL = "apparel"
    SHOES = "shoes"
    BAGS = "bags"
    TOYS = "toys"
    TEXTILES = "textiles"
    FOOD = "food"
    COSMETICS = "cosmetics"
    MEDICAL = "medical"
    ELECTRONICS = "electronics"
    #: Delivered by online download (software keys, e-books, music, game codes): 消保法 25(三), exempt outright.
    DIGITAL_DOWNLOAD = "digital_download"
    #: Audio, video and software on a physical carrier (a disc in its wrap): exempt once unsealed (25(三)).
    PHYSICAL_MEDIA = "physical_media"
    CUSTOM_MADE = "custom_made"
    FRESH = "fresh"
    NEWSPAPER = "newspaper"
    FURNITURE = "furniture"
    JEWELRY = "jewelry"
    OTHER = "other"


class GoodsStatus(StrEnum):
    NOT_SHIPPED = "not_shipped"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"


class MoneyStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    REFUNDING = "refunding"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    FAILED = "failed"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"


class PaymentRoute(StrEnum):
    """The original payment route the refund must go back through (原路退回, 办法 14)."""

    ALIPAY = "alipay"
    WECHAT = "wechat"
    CARD = "card"
    PLATFORM = "platform"
    BALANCE = "balance"
    OFFLINE = "offline"


#: What the warehouse ticks when goods come back (Inspection.checklist); a category asks for some of them.
CHECKLIST_ITEMS = (
    "tags_intact",
    "seal_intact",
    "not_washed",
    "not_used",
    "accessories_complete",
    "not_activated",
)


class Grade(StrEnum):
    """Resale grade of a returned item: what the shop can still sell. It never decides the buyer's
    outcome (that is the inspection's verdict, cases/domain/inspection.py)."""

    A = "A"  # resell as new (restock)
    B = "B"  # repackage, resell as B-stock
    C = "C"  # damaged: write off
    D = "D"  # nothing to resell


class ArbitrationStatus(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    EVIDENCE_DUE = "evidence_due"
    RULED_FOR_BUYER = "ruled_for_buyer"
    RULED_FOR_MERCHANT = "ruled_for_merchant"


class ReturnLogistics(StrEnum):
    NONE = "none"
    PICKUP_BOOKED = "pickup_booked"
    SHIPPED = "shipped"
    SIGNED = "signed"
