"""Reads for customer care: the reply templates of a shop and the values that fill them."""

from __future__ import annotations

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import Shop
from aftersales.care.models import ApprovalStatus, Compensation, CompensationApproval, ReplyTemplate
from aftersales.care.services import ensure_default_templates, fill_template
from aftersales.cases.models import Case
from aftersales.core.messages import label
from aftersales.core.money import format_fen


def templates_for(shop: Shop, language: str) -> list[ReplyTemplate]:
    """The shop's templates in `language` (the built-in ones until the shop has its own)."""
    ensure_default_templates(shop)
    return list(ReplyTemplate.objects.filter(shop=shop, language=language))


def reply_values(case: Case) -> dict[str, str]:
    """What the placeholders of a reply stand for on this case, in the active language."""
    deadline = _("as soon as possible")
    if case.deadline_at:
        # English writes the day as "7 Dec 2026, 20:02": Django's "Dec. 7, 2026, 8:02 p.m." ended a
        # template's sentence in "p.m..". Chinese keeps its own 2026年12月7日 20:02.
        english = (translation.get_language() or "").startswith("en")
        deadline = formats.date_format(timezone.localtime(case.deadline_at),
                                       "j M Y, H:i" if english else "DATETIME_FORMAT")
    first = next(iter(case.lines.all()), None)
    return {
        "case_number": case.number,
        "buyer_nick": case.buyer.nick or case.buyer.name or _("customer"),
        "order_number": case.order.platform_order_id,
        "requested_amount": format_fen(case.requested_fen),
        "refund_amount": format_fen(case.refund_granted_fen),
        "refunded_amount": format_fen(case.refunded_fen),
        "deadline": deadline,
        "status": label("status", case.status, translation.get_language() or "zh-hans"),
        "shop_name": case.shop.name,
        "product": first.order_line.title if first else "",
    }


def filled_templates(shop: Shop, case: Case, language: str) -> list[tuple[ReplyTemplate, str]]:
    values = reply_values(case)
    return [(t, fill_template(t.body, values)) for t in templates_for(shop, language)]


def rungs_given(case: Case) -> list[str]:
    return list(Compensation.objects.filter(case=case).values_list("rung", flat=True))


def approvals_of_case(case: Case) -> list[CompensationApproval]:
    """The compensations asked on this case above an agent's limit, pending or decided."""
    return list(CompensationApproval.objects.filter(case=case).select_related("requested_by", "decided_by"))


def pending_approvals(shop: Shop) -> list[CompensationApproval]:
    """The owners' list: compensations waiting for their approval, oldest first."""
    return list(CompensationApproval.objects.filter(shop=shop, status=ApprovalStatus.PENDING)
                .select_related("case", "requested_by").order_by("requested_at", "pk"))


def decided_approvals(shop: Shop, limit: int = 20) -> list[CompensationApproval]:
    return list(CompensationApproval.objects.filter(shop=shop).exclude(status=ApprovalStatus.PENDING)
                .select_related("case", "requested_by", "decided_by").order_by("-decided_at", "-pk")[:limit])


def pending_count(shop: Shop) -> int:
    return CompensationApproval.objects.filter(shop=shop, status=ApprovalStatus.PENDING).count()
