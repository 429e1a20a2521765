"""Human labels for the codes stored in the database, translated with Django's i18n.

The pages of the console, the warehouse desk and the portal all read their labels from here.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.choices import PLATFORM_LABELS

STATUS = {
    "requested": _("Awaiting review"),
    "awaiting_return": _("Awaiting return"),
    "return_in_transit": _("Return in transit"),
    "return_received": _("Return received"),
    "refunding": _("Refunding"),
    "fulfilling": _("To ship"),
    "awaiting_buyer_receipt": _("Awaiting buyer receipt"),
    "completed": _("Completed"),
    "rejected": _("Rejected"),
    "rejected_after_return": _("Rejected after return"),
    "arbitration": _("Platform arbitration"),
    "closed": _("Closed"),
}

KIND = {
    "refund_only": _("Refund only"),
    "return_refund": _("Return and refund"),
    "exchange": _("Exchange"),
    "reship": _("Reship"),
    "repair": _("Repair"),
    "partial_refund": _("Partial refund, goods kept"),
    "price_protection": _("Price protection"),
}

REASON = {
    "no_reason": _("No reason (7 days)"),
    "quality_defect": _("Quality defect"),
    "not_as_described": _("Not as described"),
    "wrong_item": _("Wrong item sent"),
    "missing_item": _("Item missing"),
    "damaged_in_transit": _("Damaged in transit"),
    "size_fit": _("Size or fit"),
    "not_received": _("Not received"),
    "late_delivery": _("Late delivery"),
    "other": pgettext_lazy("reason", "Other"),
    "service": _("Shop service"),  # read from the buyer's words only: the complaint is the shop, not the goods
}

#: How urgent a buyer's words are (cases.Case.urgency), keyed by the level as text.
URGENCY = {
    "0": _("Calm"),
    "1": _("Impatient"),
    "2": _("Angry"),
    "3": _("Threatens a complaint or a bad review"),
}

GOODS_STATUS = {
    "not_shipped": _("Not shipped"),
    "in_transit": _("In transit"),
    "received": _("Received by buyer"),
}

MONEY_STATUS = {
    "none": _("No refund yet"),
    "pending": _("Refund granted"),
    "refunding": _("Refund on its way"),
    "refunded": _("Refunded"),
    "partially_refunded": _("Partly refunded"),
    "failed": _("Refund failed"),
}

ACTION = {
    "open": _("Request opened"),
    "approve": _("Approved"),
    "reject": _("Rejected"),
    "request_evidence": _("Asked for evidence"),
    "resubmit": _("Resubmitted"),
    "ship_return": _("Return shipped"),
    "receive_return": _("Return received"),
    "pass_inspection": _("Inspection passed"),
    "fail_inspection": _("Inspection failed"),
    "escalate": _("Platform arbitration requested"),
    "rule_for_buyer": _("Platform ruled for the buyer"),
    "rule_for_merchant": _("Platform ruled for the merchant"),
    "refund_succeeded": _("Refund completed"),
    "ship_replacement": _("Replacement shipped"),
    "confirm_receipt": _("Buyer confirmed receipt"),
    "withdraw": _("Withdrawn by the buyer"),
    "close": _("Closed"),
    "note": _("Internal note"),
    "tags": _("Tags changed"),
    "correct_reason": _("Reason in the buyer's words corrected"),
    "follow_up_on": _("Flagged for follow-up"),
    "follow_up_off": _("Follow-up cleared"),
    "assign": _("Assigned"),
    "evidence": _("Photo added"),
    "grant_refund": _("Refund granted"),
    "execute_refund": _("Refund sent"),
    "refund_settled": _("Refund arrived"),
    "refund_failed": _("Refund failed"),
    "ready_to_refund": _("Ready to refund"),
    "reply": _("Reply sent"),
    "compensation": _("Compensation given"),
    "switch_remedy": _("Remedy changed"),
    "rating": _("Buyer rated the service"),
    "remind": _("Deadline reminder"),
    "deadline_escalated": _("Deadline passed, escalated"),
    "platform_sync": _("Updated from the platform"),
    "platform_refused": _("Refused by the platform"),
}

ACTOR = {
    "buyer": _("Buyer"),
    "merchant": _("Merchant"),
    "platform": _("Platform"),
    "carrier": _("Carrier"),
    "warehouse": _("Warehouse"),
    "system": _("System"),
}

REJECT_REASON = {
    "evidence_insufficient": _("Evidence insufficient"),
    "not_intact": _("Goods not intact"),
    "beyond_window": _("Beyond the return window"),
    "exempt_category": _("Category exempt from no-reason returns"),
    "buyer_fault": _("Damage caused by the buyer"),
    "duplicate_request": _("Duplicate request"),
    "inspection_failed": _("Inspection failed"),
    "other": pgettext_lazy("reason", "Other"),
}

CLOSE_REASON = {
    "resolved_offline": _("Resolved with the buyer"),
    "duplicate_request": _("Duplicate request"),
    "buyer_unreachable": _("Buyer unreachable"),
    "timeout": _("Timed out"),
    "other": pgettext_lazy("reason", "Other"),
    "withdrawn": _("Withdrawn by the buyer"),
    "ruled_for_merchant": _("Platform ruled for the merchant"),
}

GRANT_REASON = {
    "approved_request": _("Approved request"),
    "inspection_passed": _("Inspection passed"),
    "partial_refund_goods_kept": _("Partial refund, goods kept"),
    "platform_ruling": _("Platform ruling"),
    "price_protection": _("Price protection"),
    "compensation": _("Compensation"),
    "other": pgettext_lazy("reason", "Other"),
}

GRADE = {
    "A": _("A — resell as new"),
    "B": _("B — repackage and resell"),
    "C": _("C — damaged, write off"),
    "D": _("D — wrong item or empty box"),
}

CHECKLIST = {
    "tags_intact": _("Tags intact"),
    "seal_intact": _("Seal intact"),
    "not_washed": _("Not washed"),
    "not_used": _("Not used"),
    "accessories_complete": _("Accessories complete"),
    "not_activated": _("Not activated"),
}

RUNG = {
    "coupon": _("Coupon"),
    "member_discount": _("Member discount"),
    "points": _("Points"),
    "red_envelope": _("Red envelope (cash)"),
    "gift": _("Gift"),
}

TEMPLATE_KIND = {
    "apology": _("Apology"),
    "solution": _("Proposed solution"),
    "progress": _("Progress update"),
    "other": pgettext_lazy("template", "Other"),
}

ROLE = {
    "owner": _("Owner"),
    "agent": _("Agent"),
    "warehouse": _("Warehouse"),
    "trainee": _("Trainee"),
}

LAW_CATEGORY = {
    "apparel": _("Apparel"), "shoes": _("Shoes"), "bags": _("Bags"), "toys": _("Toys"),
    "textiles": _("Home textiles"), "food": _("Food"), "cosmetics": _("Cosmetics"), "medical": _("Medical"),
    "electronics": _("Electronics"), "digital_download": _("Digital downloads"),
    "physical_media": _("Audio, video and software (physical)"),
    "custom_made": _("Custom-made"), "fresh": _("Fresh produce"), "newspaper": _("Newspapers and magazines"),
    "furniture": _("Furniture"), "jewelry": _("Jewellery"), "other": pgettext_lazy("category", "Other"),
}

TABLES = {
    "status": STATUS, "kind": KIND, "reason": REASON, "goods": GOODS_STATUS, "money": MONEY_STATUS,
    "action": ACTION, "actor": ACTOR, "reject": REJECT_REASON, "close": CLOSE_REASON, "grant": GRANT_REASON,
    "grade": GRADE, "check": CHECKLIST, "rung": RUNG, "template": TEMPLATE_KIND, "role": ROLE,
    "law": LAW_CATEGORY, "urgency": URGENCY,
}


def platform_label(code: str) -> str:
    names = PLATFORM_LABELS.get(code)
    if not names:
        return code
    return names[0] if (translation.get_language() or "zh-hans").startswith("zh") else names[1]


def label(table: str, code: str) -> str:
    """The translated label of `code` in `table`; the code itself if it has none."""
    if table == "platform":
        return platform_label(code)
    found = TABLES.get(table, {}).get(code)
    return str(found) if found is not None else str(code)


def choices(table: str, codes=None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select; all of the table's codes unless `codes` is given."""
    if table == "platform":
        return [(c, platform_label(c)) for c in (codes or PLATFORM_LABELS)]
    source = TABLES[table]
    return [(c, str(source.get(c, c))) for c in (codes or source)]
