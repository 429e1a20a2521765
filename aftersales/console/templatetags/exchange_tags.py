"""The case page's exchange card: `{% load exchange_tags %}{% exchange_card case form %}`."""

from __future__ import annotations

from django import template

from aftersales.console.exchange import exchange_panel

register = template.Library()


@register.inclusion_tag("console/_exchange.html", takes_context=True)
def exchange_card(context, case, form):
    return {**exchange_panel(case), "case": case, "form": form, "csrf_token": context.get("csrf_token")}
