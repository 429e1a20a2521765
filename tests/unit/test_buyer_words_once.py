"""The buyer's words are classified once per process for the same text: a retried opening (an import that
records a case as reported after our rules refused it) does not run the model a second time."""

from __future__ import annotations

from aftersales.cases import buyer_words
from aftersales.intelligence.reasons.classify import Suggestion


def test_the_same_words_are_classified_once_and_each_case_gets_its_own_copy(monkeypatch):
    calls: list[str] = []

    def classify(texts: list[str]) -> list[Suggestion]:
        calls.append(list(texts))
        return [Suggestion("quality_defect", 2, 0.8, ["做工"], ["开线"]) for _ in texts]

    monkeypatch.setattr(buyer_words, "classify", classify)
    monkeypatch.setattr(buyer_words, "_memo", {})
    first = buyer_words.read_words("衣服开线了，质量太差")
    first["buyer_tags"].append("changed by one case")
    second = buyer_words.read_words("衣服开线了，质量太差")
    assert calls == [["衣服开线了，质量太差"]]
    assert second == {"suggested_reason": "quality_defect", "suggested_confidence": 0.8, "suggested_by": "model",
                      "urgency": 2, "buyer_tags": ["做工"], "reason_evidence": ["开线"]}
    assert buyer_words.read_words("  ")["suggested_by"] == "" and len(calls) == 1


def test_a_page_of_words_is_read_in_one_call_of_the_model(monkeypatch):
    calls: list[list[str]] = []

    def classify(texts: list[str]) -> list[Suggestion]:
        calls.append(list(texts))
        return [Suggestion("size_fit", 0, 0.9, [], [t]) for t in texts]

    monkeypatch.setattr(buyer_words, "classify", classify)
    monkeypatch.setattr(buyer_words, "_memo", {})
    buyer_words.read_ahead(["偏小", "", "偏大", "偏小", " "])
    assert calls == [["偏小", "偏大"]]
    assert [buyer_words.read_words(t)["reason_evidence"] for t in ("偏大", "偏小")] == [["偏大"], ["偏小"]]
    assert len(calls) == 1
