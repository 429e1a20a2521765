"""Normalising headings and cells the way every platform export needs it.

Platforms write the same heading in several ways (`收货地址 ` with a trailing space, `（元）` on
Douyin and `(元)` on PDD, ` 用户购买手机号` with a leading space), and wrap cell values so that
Excel keeps them as text (`="3515…"`, `'139…`, a leading tab). We compare headings and value texts
by a *key* that ignores all of that, and clean cells before parsing them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that are invisible in a spreadsheet but break a comparison: BOM, zero-width space/joiners.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=16384)  # the same statuses, types and channels come back on every row
def text_key(text: str) -> str:
    """The comparison key of a heading or a status/type text.

    NFKC folds full-width forms onto half-width ones (`（元）` → `(元)`, `，` → `,`, `ＳＫＵ` → `SKU`);
    all whitespace is dropped because Chinese headings never rely on it; case is folded for the
    Latin parts (`sku信息` = `SKU信息`).
    """
    folded = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    return _WHITESPACE.sub("", folded).casefold()


def clean_heading(text: str) -> str:
    """A heading as shown back to the merchant: the file's text without the padding around it."""
    return text.translate(_INVISIBLE).strip()


def clean_cell(text: str) -> str:
    """Undo the wrapping platforms put around values.

    - `="35153131473293579"`: Taobao's trick to stop Excel turning ids into 3.5E+16;
    - a leading `'`: the same trick on Taobao phones and JD values;
    - leading/trailing tabs, spaces and line breaks: Douyin ids and times, PDD codes, JD cells;
    - a lone `-`: Douyin's "nothing here" (售后状态 `-` means no after-sale).
    """
    value = text.strip()
    if not value:
        return value
    if value[0] == "=" and len(value) >= 3 and value[1] == '"' and value[-1] == '"':
        value = value[2:-1].strip()
    if value[:1] == "'":
        value = value[1:].strip()
    if value == "-":
        return ""
    return value
