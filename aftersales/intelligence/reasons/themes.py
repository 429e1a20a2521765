"""What buyers say, summed up: the product-cause tags with their counts, trend and a few real quotes,
and the reasons buyers picked beside the reasons their words give. Pure (no Django).

The trend compares the second half of the period with the first: "rising" when the later half has at
least half as many again (and two more), "falling" when it has at most two thirds (and two fewer),
else "flat" — with both counts shown, so the reader can judge.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from aftersales.intelligence.reasons.agreement import reads_otherwise
from aftersales.intelligence.reasons.lexicon import TAG_WORDS

QUOTES = 3
QUOTE_CHARS = 60  # a quote longer than this is cut around the words of its tag
_TAG_WORDS = dict(TAG_WORDS)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class Said:
    """One case's words (already masked of phones and the buyer's names by the caller)."""

    case_id: int
    day: date
    text: str
    tags: tuple[str, ...]
    picked: str
    suggested: str
    confidence: float = 1.0  # of the suggestion (1.0 once staff corrected it)


@dataclass
class Theme:
    tag: str
    cases: int
    first_half: int
    second_half: int
    trend: str  # "rising", "falling", "flat"
    quotes: list[tuple[int, str]] = field(default_factory=list)  # (case id, quote)


@dataclass
class ReasonsSaid:
    """How many cases picked each reason, how many their words gave each, and how many disagree
    (`agreement.reads_otherwise`: surely enough, and not about the service)."""

    picked: list[tuple[str, int]]
    said: list[tuple[str, int]]
    mismatched: int
    cases: int


def trend(first_half: int, second_half: int) -> str:
    if second_half >= first_half * 1.5 and second_half - first_half >= 2:
        return "rising"
    if second_half <= first_half * 2 / 3 and first_half - second_half >= 2:
        return "falling"
    return "flat"


def quote(text: str, tag: str, limit: int = QUOTE_CHARS) -> str:
    """The buyer's words, whitespace collapsed, e-mail addresses hidden, cut to `limit` characters
    around the first word of the tag (with … where cut)."""
    text = _EMAIL.sub("***", " ".join(text.split()))
    if len(text) <= limit:
        return text
    lowered = text.lower()
    at = min((i for i in (lowered.find(w) for w in _TAG_WORDS.get(tag, ())) if i >= 0), default=0)
    start = max(0, min(at - limit // 3, len(text) - limit))
    cut = text[start:start + limit]
    return ("…" if start else "") + cut + ("…" if start + limit < len(text) else "")


def themes(said: Iterable[Said], first: date, last: date, *, quotes: int = QUOTES) -> list[Theme]:
    """One theme per tag found, most cases first; quotes from the most recent cases, distinct texts."""
    middle = first.toordinal() + ((last.toordinal() - first.toordinal() + 1) // 2)
    counts: Counter[str] = Counter()
    halves: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    recent: dict[str, list[Said]] = defaultdict(list)
    for one in said:
        for tag in dict.fromkeys(one.tags):
            counts[tag] += 1
            halves[tag][one.day.toordinal() >= middle] += 1
            recent[tag].append(one)
    out = []
    for tag, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        picked: list[tuple[int, str]] = []
        for one in sorted(recent[tag], key=lambda s: (s.day, s.case_id), reverse=True):
            text = quote(one.text, tag)
            if text and all(text != q for _, q in picked):
                picked.append((one.case_id, text))
            if len(picked) == quotes:
                break
        a, b = halves[tag]
        out.append(Theme(tag, n, a, b, trend(a, b), picked))
    return out


def reasons_said(said: Iterable[Said]) -> ReasonsSaid:
    """The picked reasons and the reasons in the words, each largest first, over the cases with words."""
    picked: Counter[str] = Counter()
    words: Counter[str] = Counter()
    mismatched = cases = 0
    for one in said:
        cases += 1
        picked[one.picked] += 1
        if one.suggested:
            words[one.suggested] += 1
            mismatched += reads_otherwise(one.picked, one.suggested, one.confidence)
    order = lambda c: sorted(c.items(), key=lambda item: (-item[1], item[0]))  # noqa: E731
    return ReasonsSaid(order(picked), order(words), mismatched, cases)
