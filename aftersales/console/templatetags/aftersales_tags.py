"""Template helpers shared by the console, the warehouse desk and the portal."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import translation
from django.utils.translation import gettext

from aftersales.cases.domain import deadlines
from aftersales.core import clock
from aftersales.core.money import format_fen
from aftersales.intelligence.reasons.agreement import reads_otherwise
from aftersales.web import labels

register = template.Library()


@register.filter
def money(fen) -> str:
    """Integer fen as yuan: 12345 → ¥123.45."""
    if fen is None or fen == "":
        return ""
    return format_fen(int(fen))


@register.filter
def words_read_otherwise(case) -> bool:
    """Whether the buyer's words read as another reason than the one picked (the signal's rule)."""
    return reads_otherwise(case.reason, case.suggested_reason, case.suggested_confidence)


@register.filter
def yuan(fen) -> str:
    """Integer fen as a plain yuan number for an input: 12345 → 123.45."""
    if fen is None or fen == "":
        return ""
    return format_fen(int(fen), symbol="").replace(",", "")


@register.filter
def label(code, table: str) -> str:
    return labels.label(table, code or "")


@register.filter
def shop_name(shop) -> str:
    """A shop's name as the staff menu shows it: a training shop is the real shop's name marked as training,
    in the reader's language (the name itself is the shop's, in no language)."""
    if shop is None:
        return ""
    if getattr(shop, "is_training", False):
        return gettext("%(shop)s · Training") % {"shop": shop.name}
    return shop.name


@register.filter
def platform(code) -> str:
    return labels.platform_label(code or "")


@register.filter
def event_reason(code) -> str:
    """The label of an event's reason code, whichever list it comes from."""
    for table in ("close", "reject", "grant"):
        found = labels.TABLES[table].get(code)
        if found is not None:
            return str(found)
    return str(code)


def _revive(value):
    """Decisions are stored as JSON: turn ISO datetimes back into datetimes so they show in Beijing time."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


@register.simple_tag
def explain(code: str, params: dict | None = None) -> str:
    """A policy or error code as a sentence in the active language."""
    from aftersales.core.messages import translate

    revived = {k: _revive(v) for k, v in (params or {}).items()}
    return translate(code, translation.get_language() or "zh-hans", **revived)


@register.filter
def urgency_class(deadline: datetime | None) -> str:
    """CSS class for a deadline: overdue (red), due within 4 hours (orange), otherwise calm."""
    if deadline is None:
        return "due-none"
    left = deadline - clock.now()
    if left <= timedelta(0):
        return "due-overdue"
    if left <= timedelta(hours=4):
        return "due-soon"
    return "due-later"


@register.filter
def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def whose_turn(case) -> str:
    """Whose move `case` waits for: "us", "buyer" or "platform" (cases.domain.deadlines.waiting_on)."""
    return deadlines.waiting_on(case.deadline_stage or "", case.awaiting_platform or "")


@register.filter
def label_list(codes, table: str) -> str:
    """Labels of `codes` joined as the page's language lists things: 换货、维修 / Exchange, Repair."""
    return labels.join(labels.label(table, code or "") for code in codes or ())


@register.filter
def percent(share) -> str:
    """0.873 → "87%" (a confidence or a share between 0 and 1)."""
    try:
        return f"{round(float(share) * 100)}%"
    except (TypeError, ValueError):
        return ""
