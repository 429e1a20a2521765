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
CHECK = "check"  # an inspection checklist item (the same words as the pages)

#: Why a request was refused or a case closed, as the buyer is told it (staff's words: REJECT_REASON, CLOSE_REASON).
DECISION_REASON = "decision_reason"
#: Why staff refused a request, closed a case or granted a refund: groups of core.messages.
REJECT_REASON, CLOSE_REASON, GRANT_REASON = "reject_reason", "close_reason", "grant_reason"

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


def standalone(table: str | dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    """`label`, capitalised to stand on its own (a spreadsheet cell, a page's field): "Refund only"."""
    text = label(table, code, lang)
    return text[:1].upper() + text[1:]


def join(parts, lang: str) -> str:
    """A list as `lang` writes one (core.messages.join): 换货、维修 / exchange, repair."""
    return messages.join(parts, lang)


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
