"""The case page's buyer history panel: `{% load buyer_history_tags %}{% buyer_history_panel case %}`."""

from __future__ import annotations

from django import template

from aftersales.console.buyer_history import buyer_history

register = template.Library()


@register.inclusion_tag("console/_buyer_history.html")
def buyer_history_panel(case):
    return {"case": case, "history": buyer_history(case)}
