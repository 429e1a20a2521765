"""What a case records of the buyer's own words when it opens: the suggested reason, the urgency, the
product-cause tags and the deciding words — read by `intelligence.reasons`, the one home of those rules.

The model is built once per process and never changes in it, so the same words always read the same:
what was read is kept (a bounded memo), so that a retried opening (an import recording a case as
reported after our rules refused it, the same export imported again) does not run the model twice,
and a writer of many cases reads all their words in one call of the model (`read_ahead`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from aftersales.intelligence.reasons.classify import Suggestion, classify

#: The fields of `Case` that `read_words` fills.
WORD_FIELDS = ("suggested_reason", "suggested_confidence", "suggested_by", "urgency", "buyer_tags",
               "reason_evidence")
#: Texts kept; past this the memo starts again (a page of an import is a few hundred).
MEMO_SIZE = 4096

_memo: dict[str, dict] = {}


def read_words(text: str) -> dict:
    """The `Case` fields for a buyer's words; words that say nothing leave the suggestion blank."""
    if not (text or "").strip():
        return {"suggested_reason": "", "suggested_confidence": 0.0, "suggested_by": "", "urgency": 0,
                "buyer_tags": [], "reason_evidence": []}
    found = _memo.get(text)
    if found is None:
        read_ahead([text])
        found = _memo[text]
    return copy.deepcopy(found)  # each case its own lists


def read_ahead(texts: Iterable[str]) -> None:
    """Read many buyers' words in one call of the model (a page of an import), for `read_words` to find."""
    missing = list(dict.fromkeys(t for t in texts if t and t.strip() and t not in _memo))
    if not missing:
        return
    if len(_memo) + len(missing) > MEMO_SIZE:
        _memo.clear()
    for text, found in zip(missing, classify(missing), strict=True):
        _memo[text] = _fields(found)


def _fields(found: Suggestion) -> dict:
    return {"suggested_reason": found.reason, "suggested_confidence": found.confidence,
            "suggested_by": "model", "urgency": found.urgency, "buyer_tags": found.tags,
            "reason_evidence": found.evidence}
