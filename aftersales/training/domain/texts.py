"""The training simulator's sentences (score reasons, criteria, step names) in Chinese and English.

Kept in `texts.toml` beside this file, in the format of the core catalogue (`core/messages.toml`), and
filled by the same formatter, so `{cost:fen}` shows ¥12.30 here as everywhere.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from aftersales.core.messages import format_message, normalize_language

ZH = "zh-hans"


def _load() -> dict[str, dict[str, str]]:
    with Path(__file__).with_name("texts.toml").open("rb") as handle:
        return tomllib.load(handle)


TEXTS: dict[str, dict[str, str]] = _load()


def render(code: str, lang: str = ZH, **params: object) -> str:
    """The sentence for `code` in `lang`; the caller passes labels already in that language."""
    entry = TEXTS.get(code)
    if entry is None:
        return code
    lang = normalize_language(lang)
    return format_message(entry.get(lang) or entry[ZH], lang, **params)
