"""Template filters of the training pages: texts in the page's language, scenario titles by key."""

from django import template

from aftersales.training.library import builtin

register = template.Library()


@register.filter
def in_lang(text, lang: str) -> str:
    return text.get(lang) if text is not None else ""


@register.filter
def scenario_title(key: str, lang: str) -> str:
    """A scenario's title; the shop's own (made from a case) are titled by the case number."""
    found = builtin().get(key)
    if found:
        return found.title.get(lang)
    if key.startswith("case-"):
        return ("本店案例 " if lang != "en" else "Shop case ") + key[5:].upper()
    return key


@register.filter
def course_title(course, lang: str) -> str:
    return course.title.get(lang) if course is not None else ""

