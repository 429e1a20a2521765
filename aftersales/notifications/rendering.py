"""Message templates (zh-hans and en), phone masking, webhook signatures and the retry schedule.

Pure: no Django, no database. Everything here is tested in tests/unit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from aftersales.core.labels import normalise_language

#: Wait after the n-th failed attempt (1m, 5m, 30m, 2h, 12h); after the last one the message is dead.
BACKOFF: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after `attempts` failed attempts; None when it is time to give up (dead)."""
    if attempts < 1:
        return timedelta(0)
    if attempts > len(BACKOFF):
        return None
    return BACKOFF[attempts - 1]


# Mainland mobile numbers (11 digits from 1[3-9]), with an optional +86/86 prefix and separators.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
# Landlines such as 021-12345678 or 0755 1234 5678.
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{3,4})[- ]?(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    """Every phone number in `text` shown as 138****5678 (landlines 021****5678)."""
    if not text:
        return text
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


SIGNATURE_HEADER = "X-Aftersales-Signature"
EVENT_HEADER = "X-Aftersales-Event"
DELIVERY_HEADER = "X-Aftersales-Delivery"


def sign(body: bytes, secret: str) -> str:
    """The value of X-Aftersales-Signature: `sha256=` + HMAC-SHA256 of the raw body, hex."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(body: bytes, secret: str, header: str) -> bool:
    """What a receiver does: recompute the signature over the raw body and compare in constant time."""
    return hmac.compare_digest(sign(body, secret), header or "")


@dataclass(frozen=True)
class Template:
    subject: tuple[str, str]  # zh-hans, en
    body: tuple[str, str]


T = Template

#: Buyer templates: one per change that matters to a buyer. Staff templates start with "staff.".
TEMPLATES: dict[str, Template] = {
    "case.approved_refund": T(
        ("售后申请已同意", "Your request has been approved"),
        ("您好，您的售后申请 {number} 已同意，退款 ¥{amount} 将原路退回，请留意到账。",
         "Hello, your after-sales request {number} has been approved. ¥{amount} will be refunded to your "
         "original payment method."),
    ),
    "case.approved_return": T(
        ("售后申请已同意，请寄回商品", "Approved: please send the goods back"),
        ("您好，您的售后申请 {number} 已同意。请在 {due} 前寄回商品，并在订单中填写退货快递单号。{return_address}",
         "Hello, your after-sales request {number} has been approved. Please send the goods back by {due} "
         "and enter the return tracking number in your order. {return_address}"),
    ),
    "case.approved_reship": T(
        ("售后申请已同意", "Your request has been approved"),
        ("您好，您的售后申请 {number} 已同意，我们会尽快为您安排发货。",
         "Hello, your after-sales request {number} has been approved. We will ship to you shortly."),
    ),
    "case.rejected": T(
        ("售后申请未通过", "Your request was not approved"),
        ("您好，很抱歉，您的售后申请 {number} 未能通过，原因：{reason}。{note}"
         "您可以修改申请后重新提交，如有疑问请联系客服。",
         "Hello, we are sorry: your after-sales request {number} was not approved, because {reason}. {note}"
         "You may change the request and submit it again, or contact our customer service."),
    ),
    "case.rejected_after_return": T(
        ("退回商品未通过检验", "The returned goods failed inspection"),
        ("您好，您退回的商品（售后单 {number}）未通过检验，原因：{reason}。{note}如有疑问请联系客服。",
         "Hello, the goods you returned (case {number}) did not pass inspection, because {reason}. {note}"
         "Please contact our customer service with any question."),
    ),
    "return.received": T(
        ("我们已收到您的退货", "We have received your return"),
        ("您好，我们已收到您退回的商品（售后单 {number}），会尽快完成检验并处理。",
         "Hello, we have received the goods you returned (case {number}) and will inspect them shortly."),
    ),
    "refund.executed": T(
        ("退款已发起", "Your refund is on its way"),
        ("您好，售后单 {number} 的退款 ¥{amount} 已发起，将原路退回，请留意到账。",
         "Hello, the refund of ¥{amount} for case {number} has been sent to your original payment method."),
    ),
    "refund.settled": T(
        ("退款已到账", "Your refund has arrived"),
        ("您好，售后单 {number} 的退款 ¥{amount} 已退回成功，请查收。",
         "Hello, the refund of ¥{amount} for case {number} has been paid back. Please check your account."),
    ),
    "replacement.shipped": T(
        ("换货/补发已发出", "Your replacement has shipped"),
        ("您好，售后单 {number} 的商品已发出，{carrier} 快递单号 {tracking_no}，请注意查收。",
         "Hello, the goods for case {number} have shipped: {carrier}, tracking number {tracking_no}."),
    ),
    "case.completed": T(
        ("售后已完成", "Your case is complete"),
        ("您好，售后单 {number} 已完成，感谢您的耐心与支持。",
         "Hello, case {number} is complete. Thank you for your patience."),
    ),
    "case.closed": T(
        ("售后单已关闭", "Your case has been closed"),
        ("您好，售后单 {number} 已关闭，原因：{reason}。如仍有问题，欢迎随时联系客服。",
         "Hello, case {number} has been closed: {reason}. Please contact us if anything is still wrong."),
    ),
    "evidence.requested": T(
        ("请补充售后凭证", "Please add evidence to your request"),
        ("您好，为了尽快处理您的售后申请 {number}，请补充以下凭证：{note}",
         "Hello, to handle your after-sales request {number} quickly, please add: {note}"),
    ),
    "arbitration.ruled_for_buyer": T(
        ("平台已作出判定", "The platform has ruled"),
        ("您好，平台已就售后单 {number} 作出判定：支持您的申请，我们会按判定尽快处理。",
         "Hello, the platform has ruled on case {number} in your favour. We will carry out the ruling."),
    ),
    "arbitration.ruled_for_merchant": T(
        ("平台已作出判定", "The platform has ruled"),
        ("您好，平台已就售后单 {number} 作出判定：维持商家的处理，售后单已关闭。{note}",
         "Hello, the platform has ruled on case {number} for the merchant; the case is closed. {note}"),
    ),
    "case.reply": T(
        ("售后单 {number} 的客服回复", "A reply about your case {number}"),
        ("{note}", "{note}"),
    ),
    "case.progress": T(
        ("售后进度通知", "Progress on your case"),
        ("您好，您的售后单 {number} 正在处理中，当前进度：{status}。"
         "我们会持续跟进，有新进展会第一时间通知您。",
         "Hello, your case {number} is in progress: {status}. We are following it up and will tell you "
         "as soon as anything changes."),
    ),
    # Staff.
    "staff.deadline_reminder": T(
        ("【提醒】售后单 {number} 将于 {due} 到期", "[Reminder] Case {number} is due {due}"),
        ("售后单 {number}（{platform}）的「{stage}」将于 {due}（北京时间）到期。"
         "{consequence}请尽快处理。",
         "Case {number} ({platform}): '{stage}' is due {due} (Beijing time). {consequence} "
         "Please handle it soon."),
    ),
    "staff.deadline_escalation": T(
        ("【升级】售后单 {number} 即将超时", "[Escalation] Case {number} is about to run out of time"),
        ("售后单 {number}（{platform}）的「{stage}」将于 {due}（北京时间）到期，"
         "仍未处理（负责人：{assignee}）。{consequence}",
         "Case {number} ({platform}): '{stage}' is due {due} (Beijing time) and is still open "
         "(assignee: {assignee}). {consequence}"),
    ),
    "staff.compensation_requested": T(
        ("【待审批】售后单 {number} 的补偿 ¥{amount}", "[Approval] Compensation of ¥{amount} on case {number}"),
        ("客服申请在售后单 {number}（{platform}）上发放补偿 ¥{amount}，超出其权限，请在「补偿审批」中处理。"
         "原因：{note}",
         "An agent asks to give ¥{amount} of compensation on case {number} ({platform}), above their "
         "limit. Approve or decline it under 'Compensation approvals'. Reason: {note}"),
    ),
    "staff.compensation_declined": T(
        ("售后单 {number} 的补偿未获批准", "Compensation on case {number} declined"),
        ("您在售后单 {number} 申请的补偿 ¥{amount} 未获店长批准，未发放。{note}",
         "The compensation of ¥{amount} you asked for on case {number} was declined by the owner and "
         "not given. {note}"),
    ),
    "staff.fast_refund_inspection_failed": T(
        ("【待跟进】售后单 {number} 已极速退款，质检不通过", "[Follow up] Case {number}: refunded early, inspection failed"),
        ("售后单 {number}（{platform}）已在收到退货前极速退款 ¥{amount}，退货质检不通过。"
         "钱款已退出，请与买家协商、向平台申诉或向快递索赔。",
         "Case {number} ({platform}) was refunded ¥{amount} before the return arrived, and the return "
         "failed its inspection. The money is gone: settle it with the buyer, appeal to the platform or "
         "claim from the carrier."),
    ),
    "staff.deadline_passed": T(
        ("【超时】售后单 {number} 已超过时限", "[Overdue] Case {number} has passed its deadline"),
        ("售后单 {number}（{platform}）的「{stage}」已于 {due}（北京时间）到期。{outcome}",
         "Case {number} ({platform}): '{stage}' was due {due} (Beijing time). {outcome}"),
    ),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(code: str, lang: str, **params: object) -> Rendered:
    """The subject and body of template `code` in `lang` (zh-hans unless English is asked for)."""
    template = TEMPLATES[code]
    index = 1 if normalise_language(lang) == "en" else 0
    values = _Blank({k: ("" if v is None else str(v)) for k, v in params.items()})
    subject = template.subject[index].format_map(values)
    body = template.body[index].format_map(values)
    return Rendered(subject=subject.strip(), body=body.strip())


def yuan(fen: int) -> str:
    """12345 → '123.45' (money is integer fen; this is only for display)."""
    sign_ = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign_}{fen // 100}.{fen % 100:02d}"
