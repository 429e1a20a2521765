"""The case page's signal about a failed inspection names the checklist items in the reader's language,
never their codes."""

from __future__ import annotations

from aftersales.intelligence.present import signal_sentence


def test_failed_checks_are_named_in_chinese():
    text = signal_sentence("case_failed_checks", {"checks": ["not_used", "tags_intact"]}, "zh-hans")
    assert text == "本单质检未通过的项目：未使用、吊牌完好。"


def test_failed_checks_are_named_in_english():
    text = signal_sentence("case_failed_checks", {"checks": ["not_used", "tags_intact"]}, "en")
    assert text == "This return failed these checks: Not used, Tags intact."
