"""Words shown to people (buyers, staff, spreadsheets) for the codes stored in the database.

Pure: no Django. Each table maps a code to (zh-hans, en); the product's common vocabulary (statuses,
kinds, reasons, stages, platforms, actors) comes from aftersales.core.messages. An unknown code is
shown as itself.
"""

from __future__ import annotations

from aftersales.core import messages

LANGUAGES = ("zh-hans", "en")
DEFAULT_LANGUAGE = "zh-hans"

# Vocabulary shared with the rest of the product (aftersales.core.messages): a group name.
STATUS, KIND, REASON, STAGE, PLATFORM, ACTOR = "status", "kind", "reason", "stage", "platform", "actor"
VERDICT, FAILURE = "verdict", "failure"  # an inspection's answer to the claim, and why one failed
GRADE = "grade"  # the resale grade of what came back (the same words as the pages)

#: Why a request was refused or a case closed (services.REJECT_REASONS, CLOSE_REASONS).
DECISION_REASON = {
    "evidence_insufficient": ("凭证不足", "not enough evidence"),
    "not_intact": ("商品不完好，影响二次销售", "the goods are not intact"),
    "beyond_window": ("已超过售后期限", "the after-sales period has passed"),
    "exempt_category": ("该商品不支持七天无理由退货", "this item is exempt from no-reason returns"),
    "buyer_fault": ("非商品质量问题", "not a fault of the goods"),
    "duplicate_request": ("重复申请", "a duplicate request"),
    "inspection_failed": ("退回商品质检未通过", "the returned goods failed inspection"),
    "resolved_offline": ("已与您协商解决", "resolved with you directly"),
    "buyer_unreachable": ("多次联系未果", "we could not reach you"),
    "timeout": ("超时未处理，系统自动关闭", "closed automatically after the time limit"),
    "withdrawn": ("您已撤销申请", "you withdrew the request"),
    "ruled_for_merchant": ("平台判定支持商家", "the platform ruled for the merchant"),
    "other": ("其他原因", "another reason"),
}

#: What happens when a deadline passes, as a sentence for staff.
CONSEQUENCE = {
    "auto_approve": ("到期后平台将自动同意。", "When it passes the platform approves it by itself."),
    "auto_close": ("到期后将自动关闭。", "When it passes the case closes by itself."),
    "auto_refund": ("到期后平台将自动退款。", "When it passes the platform refunds by itself."),
    "auto_confirm": ("到期后将自动确认收货。", "When it passes receipt is confirmed by itself."),
    "none": ("到期不会自动处理，须人工处理。", "Nothing happens by itself: staff must act."),
}

ROLE = {"owner": ("店长", "owner"), "agent": ("客服", "agent"), "warehouse": ("仓管", "warehouse")}


PAYMENT_STATUS = {"pending": ("处理中", "pending"), "succeeded": ("成功", "succeeded"),
                  "failed": ("失败", "failed"), "unknown": ("待确认", "unknown")}

PAYMENT_ROUTE = {
    "alipay": ("支付宝", "Alipay"), "wechat": ("微信支付", "WeChat Pay"), "card": ("银行卡", "card"),
    "platform": ("平台", "platform"), "balance": ("余额", "balance"), "offline": ("线下", "offline"),
}


def normalise_language(lang: str | None) -> str:
    """zh, zh-cn, zh-Hans… → zh-hans; en-US → en; anything else → the default (zh-hans)."""
    lang = (lang or "").lower().replace("_", "-")
    if lang.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def label(table: str | dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    """The word for `code` in `lang`; `table` is one of the tables here or a group of core.messages."""
    if not code:
        return ""
    if isinstance(table, str):
        return messages.label(table, code, normalise_language(lang))
    pair = table.get(str(code))
    if pair is None:
        return str(code)
    return pair[1] if normalise_language(lang) == "en" else pair[0]
