"""The message catalogue: every code the domain emits, in Simplified Chinese and English.

Pure Python, so the domain core and the API share one catalogue without importing Django. Only the
edge calls `translate`; the domain returns codes with parameters. The texts live in `messages.toml`
next to this file, one table per code, where translators can read them without reading Python.

Placeholders are `str.format` fields with an optional kind of value after the colon:
`{requested:fen}` → ¥12.30, `{kind:kind}` → 退货退款, `{remedies:kinds}` → 换货、维修, `{n:days}` → 1 day,
2 days (2 天); a datetime parameter is shown in Beijing time. A missing parameter stays visible as `{name}` rather than failing.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from aftersales.core.clock import SHANGHAI
from aftersales.core.money import format_fen

ZH, EN = "zh-hans", "en"
LANGUAGES = (ZH, EN)

#: Vocabularies whose values have labels `<group>.<value>`; each is also a placeholder spec.
LABEL_GROUPS = frozenset({
    "kind", "status", "action", "actor", "platform", "reason", "category", "stage", "default_action", "payer",
    "event",
    "ladder",
    "verdict", "failure",  # an inspection's verdict and why it failed (cases/domain/inspection.py)
    "grade",  # the resale grade of what came back (core.choices.Grade)
    "check",  # an inspection checklist item (core.choices.CHECKLIST_ITEMS)
    "guard",  # why a compensation needs a reason or the owner (care.domain.limits.Why)
    "approval",  # a compensation approval's status
    "reject_reason", "close_reason", "grant_reason", "decision_reason",  # why staff refused, closed, granted
})


def _load() -> dict[str, dict[str, str]]:
    with Path(__file__).with_name("messages.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return {code: {lang: str(text) for lang, text in texts.items()} for code, texts in data.items()}


def normalize_language(lang: str | None) -> str:
    """"en", "en-US", "EN_gb" → "en"; "zh", "zh-CN", "zh-Hans" and anything else → "zh-hans"."""
    text = (lang or "").strip().lower().replace("_", "-")
    return EN if text == "en" or text.startswith("en-") else ZH


def label(group: str, value: object, lang: str = ZH) -> str:
    """The display name of a vocabulary value (`label("kind", "exchange", "en")` → "exchange")."""
    entry = MESSAGES.get(f"{group}.{getattr(value, 'value', value)}")
    if entry is None:
        return str(getattr(value, "value", value))
    return entry.get(normalize_language(lang)) or entry[ZH]


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def get_value(self, key, args, kwargs):
        if isinstance(key, str) and key not in kwargs:
            return _Missing(key)
        return super().get_value(key, args, kwargs)

    def format_field(self, value, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return "{" + value.name + "}"
        if format_spec == "fen":
            return format_fen(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)
        if format_spec == "days":  # a count of days: "1 day since signing", never "1 days"
            if self.lang == ZH:
                return f"{value} 天"
            return f"{value} day" if str(value) in ("1", "-1") else f"{value} days"
        if format_spec == "kinds":
            kinds = self._join(label("kind", v, self.lang) for v in _as_list(value))
            return kinds or ("无" if self.lang == ZH else "none")
        if format_spec in LABEL_GROUPS:
            return label(format_spec, value, self.lang)
        if isinstance(value, datetime):
            return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value.tzinfo else str(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list | tuple | set | frozenset):
            return self._join(str(v) for v in value)
        return str(value)

    def _join(self, parts: Iterable[str]) -> str:
        return join(parts, self.lang)


class _Missing:
    def __init__(self, name: str) -> None:
        self.name = name


def _as_list(value: object) -> list:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def join(parts: Iterable[object], lang: str = ZH) -> str:
    """A list as the language writes one: 换货、维修 in Chinese, "exchange, repair" in English."""
    return ("、" if normalize_language(lang) == ZH else ", ").join(str(p) for p in parts)


def codes(group: str) -> list[str]:
    """The values a vocabulary names, in the catalogue's order (`codes("grant_reason")`)."""
    prefix = f"{group}."
    return [code[len(prefix):] for code in MESSAGES if code.startswith(prefix)]


def translate(code: str, lang: str = ZH, **params: object) -> str:
    """The sentence for `code` in `lang` (falls back to Chinese, then to the code itself)."""
    entry = MESSAGES.get(code)
    if entry is None:
        return code
    lang = normalize_language(lang)
    return format_message(entry.get(lang) or entry[ZH], lang, **params)


def format_message(text: str, lang: str = ZH, /, **params: object) -> str:
    """Fill a catalogue text's placeholders the way `translate` does (for apps with their own catalogue)."""
    try:
        return _Formatter(normalize_language(lang)).format(text, **params)
    except (ValueError, IndexError, AttributeError, TypeError):  # a malformed template must not break a page
        return text


MESSAGES: dict[str, dict[str, str]] = _load()
