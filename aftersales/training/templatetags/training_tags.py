"""Template filters of the training pages: texts in the page's language, scenario titles by key."""

from django import template

from aftersales.training.library import builtin

register = template.Library()


@register.filter
def in_lang(text, lang: str) -> str:
    return text.get(lang) if text is not None else ""


@register.filter
def scenario_title(key: str, lang: str) -> str:
    found = builtin().get(key)
    return found.title.get(lang) if found else key


@register.filter
def course_title(course, lang: str) -> str:
    return course.title.get(lang) if course is not None else ""

