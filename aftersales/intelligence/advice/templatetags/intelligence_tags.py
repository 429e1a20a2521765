"""`{% case_intelligence case %}`: the advice and the signals card of the case page."""

from __future__ import annotations

from django import template
from django.utils import translation

from aftersales.intelligence.advice.selectors import settings_of
from aftersales.intelligence.present import case_intelligence as intelligence_of

register = template.Library()


@register.inclusion_tag("intelligence/case_card.html", takes_context=True)
def case_intelligence(context, case):
    staff = getattr(context.get("request"), "staff", None)
    found = intelligence_of(case, translation.get_language() or "zh-hans")
    return {
        "case": case,
        "advice": found["advice"],
        "signals": found["signals"],
        "is_owner": bool(staff and staff.is_owner),
        "csrf_token": context.get("csrf_token"),
        "waive_limit_fen": settings_of(case.shop).waive_return_max_fen,
    }
