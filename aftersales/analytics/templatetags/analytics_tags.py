"""Formatting of figure cells at the edge: fen as yuan, basis points as percentages, verdicts as badges."""

from __future__ import annotations

from datetime import date

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html
from django.utils.translation import gettext

from aftersales.analytics.domain.rates import format_bp
from aftersales.analytics.labels import verdict_label
from aftersales.core.money import format_fen

register = template.Library()


@register.simple_tag
def cell(row: dict, column) -> str:
    value = row.get(column.key)
    kind = column.kind
    if value is None or value == "":
        return "—"
    if kind == "fen":
        return format_fen(int(value))
    if kind == "bp":
        return format_bp(int(value))
    if kind == "int":
        return intcomma(value)
    if kind == "bool":
        return gettext("Yes") if value else ""
    if kind == "verdict":
        return format_html('<span class="badge verdict-{}">{}</span>', value, verdict_label(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@register.filter
def bp(value) -> str:
    return format_bp(None if value is None else int(value))


@register.filter
def at(items, index):
    try:
        return items[index]
    except (IndexError, KeyError, TypeError):
        return ""
