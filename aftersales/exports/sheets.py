"""Cases, refunds and inspections of one shop as spreadsheets that open cleanly in Excel.

What is in them lives here: the columns with Chinese and English headings (lang="en"), the rows, masked
phones. A code's word stands capitalised in its cell and a list reads as the language writes one
(labels.standalone, labels.join). How a CSV or XLSX is written (BOM, typed cells, no formula from a buyer's text) lives in
`aftersales.core.spreadsheets`, the product's one writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse

from aftersales.accounts.models import Shop
from aftersales.cases.domain.return_address import full_address
from aftersales.cases.models import Case
from aftersales.core import clock, labels, spreadsheets
from aftersales.core.errors import DomainError
from aftersales.core.fields import mask_phone
from aftersales.refunds.models import RefundDecision, RefundPayment
from aftersales.serving.downloads import download
from aftersales.warehouse.models import Inspection

KINDS = ("cases", "refunds", "inspections")
FORMATS = spreadsheets.FORMATS
#: Who may export what: the warehouse exports what it does; money stays with owners and agents.
ROLES = {
    "cases": ("owner", "agent"),
    "refunds": ("owner", "agent"),
    "inspections": ("owner", "agent", "warehouse"),
}
TEXT, MONEY, TIME, NUMBER = spreadsheets.TEXT, spreadsheets.MONEY, spreadsheets.TIME, spreadsheets.NUMBER

YES_NO = {"yes": ("是", "yes"), "no": ("否", "no")}
PASSED = {"pass": ("通过", "passed"), "fail": ("未通过", "failed")}


@dataclass(frozen=True)
class Column:
    zh: str
    en: str
    kind: str = TEXT
    width: int = 14

    def heading(self, lang: str) -> str:
        return self.en if labels.normalise_language(lang) == "en" else self.zh

    def in_language(self, lang: str) -> spreadsheets.Column:
        return spreadsheets.Column(self.heading(lang), self.kind, self.width)


def _since(since: date | None) -> datetime | None:
    if since is None:
        return None
    return datetime.combine(since, time.min, tzinfo=clock.SHANGHAI)  # the start of `since`, Beijing time


def _user(user) -> str:
    return user.get_username() if user else ""


def _contact(address: dict) -> str:
    return f"{address.get('contact', '')} {mask_phone(address.get('phone', ''))}".strip() if address else ""


# The three exports ------------------------------------------------------------------------------------

CASE_COLUMNS = [
    Column("售后单号", "Case no.", width=18), Column("平台", "Platform", width=10),
    Column("平台售后单号", "Platform case id", width=20), Column("订单号", "Order no.", width=22),
    Column("买家", "Buyer", width=14), Column("买家手机", "Buyer phone", width=14),
    Column("类型", "Kind", width=10), Column("状态", "Status", width=14), Column("原因", "Reason", width=14),
    Column("换货商品信息", "Exchange for", width=20),
    Column("申请金额(元)", "Requested (yuan)", MONEY, 14),
    Column("同意退款(元)", "Granted (yuan)", MONEY, 14),
    Column("已退款(元)", "Refunded (yuan)", MONEY, 14), Column("退货快递", "Return carrier", width=12),
    Column("退货单号", "Return tracking no.", width=20),
    # The address the buyer was given (the case's copy; the contact's phone masked like every phone here).
    Column("商家退货地址", "Return address", width=36), Column("商家退货联系人", "Return contact", width=18),
    Column("质检结果", "Inspection", width=10), Column("当前时限", "Deadline", TIME, 20),
    Column("时限环节", "Deadline stage", width=20),
    Column("负责人", "Assignee", width=12), Column("标签", "Tags", width=16),
    Column("申请时间", "Opened", TIME, 20), Column("关闭时间", "Closed", TIME, 20),
]


def _exchange_for(case: Case) -> str:
    """The size/colour an exchange sends instead, as 抖店 writes 换货商品信息: spec and SKU code."""
    sku = case.exchange_sku
    return f"{sku.spec} ({sku.code})" if sku and sku.spec else (sku.code if sku else "")


def case_rows(shop: Shop, lang: str, since: date | None = None) -> Iterator[list]:
    qs = (Case.objects.filter(shop=shop).select_related("order", "buyer", "assignee", "exchange_sku")
          .order_by("created_at", "pk"))
    if since:
        qs = qs.filter(created_at__gte=_since(since))
    for c in qs.iterator(chunk_size=2000):
        yield [
            c.number, labels.standalone(labels.PLATFORM, c.platform, lang), c.platform_case_id or "",
            c.order.platform_order_id, c.buyer.nick or c.buyer.name, mask_phone(c.buyer.phone),
            labels.standalone(labels.KIND, c.kind, lang), labels.standalone(labels.STATUS, c.status, lang),
            labels.standalone(labels.REASON, c.reason, lang), _exchange_for(c),
            c.requested_fen, c.refund_granted_fen, c.refunded_fen,
            c.return_carrier, c.return_tracking_no, full_address(c.return_address),
            _contact(c.return_address), labels.standalone(PASSED, c.inspection_result, lang),
            c.deadline_at, labels.standalone(labels.STAGE, c.deadline_stage, lang), _user(c.assignee),
            labels.join(c.tags or [], lang), c.created_at, c.closed_at,
        ]


REFUND_COLUMNS = [
    Column("售后单号", "Case no.", width=18), Column("平台", "Platform", width=10),
    Column("订单号", "Order no.", width=22), Column("买家", "Buyer", width=14),
    Column("买家手机", "Buyer phone", width=14), Column("退款金额(元)", "Granted (yuan)", MONEY, 14),
    Column("退款原因", "Reason", width=16), Column("决定方", "Decided by", width=10),
    Column("经办人", "Staff", width=12), Column("决定时间", "Decided at", TIME, 20),
    Column("已到账(元)", "Paid back (yuan)", MONEY, 14), Column("退款渠道", "Routes", width=16),
    Column("打款状态", "Payment status", width=16), Column("支付流水号", "Payment refs", width=24),
    Column("到账时间", "Settled at", TIME, 20), Column("款项", "Movement", width=12),
]
#: What a ledger row pays back (refunds.models.DECISION_KINDS).
MOVEMENTS = {"refund": ("退款", "refund"), "return_freight": ("寄回运费报销", "return freight")}


def refund_rows(shop: Shop, lang: str, since: date | None = None) -> Iterator[list]:
    qs = (RefundDecision.objects.filter(shop=shop)
          .select_related("case__order", "case__buyer", "decided_by")
          .prefetch_related(Prefetch("payments", queryset=RefundPayment.objects.order_by("pk")))
          .order_by("created_at", "pk"))
    if since:
        qs = qs.filter(created_at__gte=_since(since))
    for d in qs.iterator(chunk_size=1000):
        c = d.case
        payments = list(d.payments.all())
        paid = sum(p.amount_fen for p in payments if p.status == "succeeded")
        settled = max((p.settled_at for p in payments if p.settled_at), default=None)
        yield [
            c.number, labels.standalone(labels.PLATFORM, c.platform, lang), c.order.platform_order_id,
            c.buyer.nick or c.buyer.name, mask_phone(c.buyer.phone), d.amount_fen,
            labels.standalone(labels.GRANT_REASON, d.reason_code, lang), labels.standalone(labels.ACTOR, d.actor, lang),
            _user(d.decided_by), d.created_at, paid,
            labels.join((labels.standalone(labels.PAYMENT_ROUTE, p.route, lang) for p in payments), lang),
            labels.join((labels.standalone(labels.PAYMENT_STATUS, p.status, lang) for p in payments), lang),
            labels.join((p.external_ref for p in payments if p.external_ref), lang), settled,
            labels.standalone(MOVEMENTS, d.kind, lang),
        ]


INSPECTION_COLUMNS = [
    Column("售后单号", "Case no.", width=18), Column("平台", "Platform", width=10),
    Column("订单号", "Order no.", width=22), Column("退货单号", "Return tracking no.", width=20),
    Column("质检结论", "Verdict", width=22), Column("未通过原因", "Failed for", width=18),
    Column("再售等级", "Resale grade", width=14),
    Column("收到数量", "Received", NUMBER, 10), Column("合格数量", "Accepted", NUMBER, 10),
    Column("重新入库", "Restocked", width=10), Column("报损金额(元)", "Write-off (yuan)", MONEY, 14),
    Column("未通过项", "Failed checks", width=24), Column("质检员", "Inspector", width=12),
    Column("质检时间", "Inspected at", TIME, 20), Column("备注", "Note", width=30),
]


def inspection_rows(shop: Shop, lang: str, since: date | None = None) -> Iterator[list]:
    qs = (Inspection.objects.filter(shop=shop).select_related("case__order", "parcel", "inspector")
          .order_by("created_at", "pk"))
    if since:
        qs = qs.filter(created_at__gte=_since(since))
    for i in qs.iterator(chunk_size=2000):
        failed = [labels.standalone(labels.CHECK, k, lang) for k, ok in (i.checklist or {}).items() if not ok]
        yield [
            i.case.number, labels.standalone(labels.PLATFORM, i.case.platform, lang),
            i.case.order.platform_order_id,
            i.parcel.tracking_no if i.parcel_id else "", labels.standalone(labels.VERDICT, i.verdict, lang),
            labels.standalone(labels.FAILURE, i.failure_reason, lang), labels.standalone(labels.GRADE, i.grade, lang),
            i.received_quantity,
            i.accepted_quantity, labels.standalone(YES_NO, "yes" if i.restock else "no", lang), i.write_off_fen,
            labels.join(failed, lang), _user(i.inspector), i.created_at, i.note,
        ]


EXPORTS: dict[str, tuple[tuple[str, str], list[Column], Callable[..., Iterator[list]]]] = {
    "cases": (("售后单", "Cases"), CASE_COLUMNS, case_rows),
    "refunds": (("退款", "Refunds"), REFUND_COLUMNS, refund_rows),
    "inspections": (("质检", "Inspections"), INSPECTION_COLUMNS, inspection_rows),
}


def build_sheet(shop: Shop, what: str, *, lang: str = "zh-hans", since: date | None = None) -> spreadsheets.Sheet:
    if what not in EXPORTS:
        raise DomainError("export.unknown_kind", kind=what, allowed=",".join(KINDS))
    lang = labels.normalise_language(lang)
    names, columns, rows = EXPORTS[what]
    return spreadsheets.Sheet(name=names[1] if lang == "en" else names[0],
                              columns=[c.in_language(lang) for c in columns], rows=rows(shop, lang, since))


def export(shop: Shop, what: str, fmt: str, out, *, lang: str = "zh-hans", since: date | None = None) -> None:
    """Write the `what` export of `shop` in `fmt` (csv | xlsx) to the binary file `out`."""
    if fmt not in FORMATS:
        raise DomainError("export.unknown_format", format=fmt, allowed=",".join(FORMATS))
    spreadsheets.write(build_sheet(shop, what, lang=lang, since=since), fmt, out)


def attachment(shop: Shop, what: str, fmt: str, *, lang: str = "zh-hans", since: date | None = None) -> HttpResponse:
    """The export as a download, for the API and the console alike."""
    if fmt not in FORMATS:
        raise DomainError("export.unknown_format", format=fmt, allowed=",".join(FORMATS))
    return download(build_sheet(shop, what, lang=lang, since=since), fmt, filename(shop, what, fmt))


def filename(shop: Shop, what: str, fmt: str, now: datetime | None = None) -> str:
    return f"{shop.slug}-{what}-{clock.shanghai_date(now or clock.now()):%Y%m%d}.{fmt}"


def count_rows(shop: Shop, what: str, since: date | None = None) -> int:
    qs: QuerySet = {"cases": Case.objects, "refunds": RefundDecision.objects,
                    "inspections": Inspection.objects}[what].filter(shop=shop)
    if since:
        qs = qs.filter(created_at__gte=_since(since))
    return qs.count()
