"""What the order and case writers share: counting outcomes, naming columns, fitting texts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from aftersales.core.money import fen_to_yuan
from aftersales.platforms.importing import ParsedFile
from aftersales.platforms.importing.mapping import Mapping

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"
DELETED = "deleted"  # objects only (a summary line replaced by item lines), never a row's outcome


@dataclass
class Tally:
    """Rows by outcome, and objects written by kind ({"orders": {"created": 3}, …})."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys((CREATED, UPDATED, UNCHANGED, SKIPPED), 0))
    objects: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def row(self, outcome: str, n: int = 1) -> None:
        self.rows[outcome] += n

    def wrote(self, kind: str, outcome: str, n: int = 1) -> None:
        if n:
            self.objects[kind][outcome] += n

    def merge(self, other: Tally) -> None:
        for outcome, n in other.rows.items():
            self.rows[outcome] += n
        for kind, outcomes in other.objects.items():
            for outcome, n in outcomes.items():
                self.objects[kind][outcome] += n

    def details(self) -> dict[str, dict[str, int]]:
        return {kind: dict(outcomes) for kind, outcomes in sorted(self.objects.items())}


class Columns:
    """The heading a field was read from, as the file spells it — to name it in a report row."""

    def __init__(self, parsed: ParsedFile | None, mapping: Mapping) -> None:
        self._names: dict[str, str] = {}
        for name, spec in mapping.fields.items():
            if spec.headings:
                self._names[name] = spec.headings[0]
        if parsed is not None:
            headings = parsed.headings
            for name, indexes in parsed.table.match.columns.items():
                if indexes and indexes[0] < len(headings):
                    self._names[name] = headings[indexes[0]]

    def __call__(self, name: str) -> str:
        return self._names.get(name, name)


def cut(text: str, limit: int) -> str:
    """A text fitted to its column (PostgreSQL refuses what SQLite would silently keep)."""
    return text if len(text) <= limit else text[:limit]



def yuan(fen: int) -> str:
    return str(fen_to_yuan(fen))
