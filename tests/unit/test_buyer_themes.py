"""What buyers say, summed up (pure): themes with counts, trend and quotes; reasons picked beside said."""

from __future__ import annotations

from datetime import date

from aftersales.intelligence.reasons.themes import Said, Theme, quote, reasons_said, themes, trend

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)


def said(case_id, day, text, tags, picked="quality_defect", suggested="quality_defect"):
    return Said(case_id, date(2026, 11, day), text, tuple(tags), picked, suggested)


ROWS = [
    said(1, 2, "衣服有异味", ["异味"]),
    said(2, 20, "一股刺鼻的味道，洗了还有", ["异味", "材质"]),
    said(3, 25, "味道很大", ["异味"]),
    said(4, 28, "有异味", ["异味"]),
    said(5, 29, "衣服有异味", ["异味"]),  # the same words as case 1: quoted once
    said(6, 3, "太小了穿不上", ["尺码偏小"], picked="quality_defect", suggested="size_fit"),
    said(7, 5, "偏小一码", ["尺码偏小"], picked="size_fit", suggested="size_fit"),
]


def test_themes_count_each_tag_once_per_case_most_first_with_the_latest_distinct_quotes():
    got = themes(ROWS, FIRST, LAST)
    assert [(t.tag, t.cases) for t in got] == [("异味", 5), ("尺码偏小", 2), ("材质", 1)]
    smell = got[0]
    assert smell.quotes == [(5, "衣服有异味"), (4, "有异味"), (3, "味道很大")]
    assert (smell.first_half, smell.second_half, smell.trend) == (1, 4, "rising")
    assert got[1] == Theme("尺码偏小", 2, 2, 0, "falling", [(7, "偏小一码"), (6, "太小了穿不上")])
    assert themes([], FIRST, LAST) == []


def test_the_trend_needs_both_a_ratio_and_a_difference():
    assert [trend(a, b) for a, b in [(0, 2), (1, 2), (4, 6), (4, 7), (3, 2), (6, 4), (6, 3), (0, 0)]] == [
        "rising", "flat", "rising", "rising", "flat", "falling", "falling", "flat"]


def test_a_long_quote_is_cut_around_the_words_of_its_tag_and_hides_e_mail_addresses():
    text = "我买了这件外套穿了两天觉得还行，" * 3 + "但是腋下开线了，做工太差。" + "联系我 lin@example.com " + "谢谢" * 20
    got = quote(text, "做工", limit=30)
    assert got.startswith("…") and got.endswith("…") and len(got) == 32
    assert "开线" in got
    assert "lin@example.com" not in quote("邮箱 lin@example.com 有异味", "异味")
    assert quote("  有   异味 ", "异味") == "有 异味"


def test_reasons_said_puts_the_picked_beside_the_words_and_counts_the_mismatches():
    got = reasons_said(ROWS + [said(8, 6, "嗯", [], picked="other", suggested="")])
    assert got.picked == [("quality_defect", 6), ("other", 1), ("size_fit", 1)]
    assert got.said == [("quality_defect", 5), ("size_fit", 2)]
    assert (got.mismatched, got.cases) == (1, 8)


def test_only_a_sure_reading_of_another_goods_reason_counts_as_a_mismatch():
    """The analytics count the rule the case's signal and the inbox's filter use (agreement.reads_otherwise):
    an unsure reading, or words about the service, do not disagree with the picked reason."""
    rows = [
        Said(1, date(2026, 6, 1), "发错货了", (), "quality_defect", "wrong_item", 0.93),
        Said(2, date(2026, 6, 1), "再不处理就投诉", (), "not_received", "missing_item", 0.34),
        Said(3, date(2026, 6, 1), "客服不回消息", (), "quality_defect", "service", 0.88),
        Said(4, date(2026, 6, 1), "改了，是发错货", (), "quality_defect", "wrong_item", 1.0),
    ]
    assert reasons_said(rows).mismatched == 2
