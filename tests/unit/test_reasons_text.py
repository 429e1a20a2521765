"""The one normalisation of buyer texts (`intelligence.reasons.text`), and what the classifier makes of
texts written the ways real buyers write them."""

from __future__ import annotations

import pytest

from aftersales.intelligence.reasons.classify import EMPTY, classify, classify_one
from aftersales.intelligence.reasons.text import has_words, normalize, to_simplified


@pytest.mark.parametrize(("raw", "normal"), [
    ("ＸＬ太小，换ＬＬ", "xl太小,换ll"),  # full-width letters and punctuation, lower case
    ("打１２３１５投诉", "打12315投诉"),  # full-width digits
    ("質量問題，顏色跟圖片不一樣", "质量问题,颜色跟图片不一样"),  # traditional → simplified
    ("发错货了[流泪][流泪]", "发错货了"),  # an emoticon that says nothing here
    ("还没发货[怒]", "还没发货愤怒"),  # an angry emoticon is the word 愤怒
    ("垃圾😡", "垃圾愤怒"),
    ("好的👍🏻😊", "好的"),  # emoji, skin tone
    ("退款！！！！！！？？？？", "退款!!!???"),  # runs of punctuation cut to three
    ("工 商 局  见", "工商局见"),  # spaces between Chinese characters go
    ("1 2 3 1 5", "12315"),
    ("size 太小  please   exchange", "size 太小 please exchange"),  # between words, one space
    ("质量problem", "质量problem"),
    ("第一行\n第二行！\n第三行", "第一行。第二行!第三行"),  # a line break ends a sentence
    ("买家：在吗\n客服：亲，在的\n买家：鞋子坏了", "在吗。鞋子坏了"),  # the shop's lines of a chat go
    ("", ""),
    ("  \n\t ", ""),
])
def test_normalize(raw, normal):
    assert normalize(raw) == normal
    assert normalize(normal) == normal  # idempotent: training and prediction can both call it


def test_simplified_text_is_left_as_it_is():
    assert to_simplified("尺码偏小，想换大一码") == "尺码偏小，想换大一码"
    assert to_simplified("發錯貨了") == "发错货了"


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "😊😊👍", "[微笑][微笑]", "？？？", "！！", "🙏🏻"])
def test_a_text_with_no_words_is_unknown_with_no_confidence(text):
    assert not has_words(normalize(text))
    assert classify_one(text) == EMPTY
    assert EMPTY.reason == "other" and EMPTY.confidence == 0.0


def test_none_in_a_batch_is_a_blank_text():
    assert classify([None, "发错货了"])[0] == EMPTY  # type: ignore[list-item]


@pytest.mark.parametrize(("written", "plain"), [
    ("發錯貨了，我訂的是黑色", "发错货了，我订的是黑色"),
    ("ＴＨＥ ＳＨＯＥＳ ＡＲＥ ＴＯＯ ＳＭＡＬＬ", "the shoes are too small"),
    ("鞋子偏小[流泪]😭", "鞋子偏小"),
    ("尺 码 偏 小", "尺码偏小"),
])
def test_a_text_written_differently_gets_the_same_suggestion(written, plain):
    assert classify_one(written) == classify_one(plain)


@pytest.mark.parametrize("text", [
    "不退款我就打12315", "不退款我就打１２３１５", "不退款我就打1 2 3 1 5", "不退款我就打 １２３１５ ",
    "再不处理去工 商 局告你们", "我要去黑猫投诉", "我会找消协", "已经找律师了，准备起诉", "给你们差 评",
    "找记者曝光你们", "打12345举报", "不處理就投訴",
])
def test_a_threat_in_any_of_its_spellings_is_urgency_3(text):
    assert classify_one(text).urgency == 3


def test_an_angry_emoticon_makes_a_calm_text_angry():
    assert classify_one("快递还没到").urgency < 2
    assert classify_one("快递还没到[怒][怒]").urgency == 2


def test_a_pasted_chat_is_classified_on_the_buyers_words():
    chat = "买家：裤子小了穿不上\n客服：亲，请问您平时穿什么码\n客服：我们的客服态度一直很好哦\n买家：平时穿M"
    assert classify_one(chat) == classify_one("裤子小了穿不上。平时穿m")
    assert classify_one(chat).reason == "size_fit"


def test_the_held_out_set_is_apart_from_the_labelled_set():
    from aftersales.intelligence.reasons import dataset

    held = dataset.load_holdout()
    assert len(held) == 154
    assert not {e.text for e in held} & {e.text for e in dataset.load()}


@pytest.mark.parametrize(("text", "masked", "reasons"), [
    ("不是质量问题，就是不喜欢", "不是¬¬¬¬，就是不喜欢", ["no_reason"]),
    ("尺码没问题但是颜色不对", "¬¬没¬¬但是颜色不对", ["wrong_item"]),
    ("质量还不错，内容一般", "¬¬还不错，内容一般", ["no_reason"]),
    ("质量不是很好", "质量不是很好", ["quality_defect"]),  # 不是很好 is not "fine"
    ("没收到货", "没收到货", ["not_received"]),  # the negation is the word itself
    ("喇叭不响了", "喇叭不响了", ["quality_defect"]),  # one-character words are never negated
])
def test_a_reason_word_the_buyer_negates_is_not_a_hit(text, masked, reasons):
    from aftersales.intelligence.reasons.lexicon import scan

    hits = scan(text)
    assert (hits.masked, list(hits.reasons)) == (masked, reasons)


@pytest.mark.parametrize(("text", "reason"), [
    ("不是质量问题，就是不喜欢", "no_reason"),
    ("没收到货", "not_received"),
    ("收到货了，但是是坏的，开不了机", "quality_defect"),
    ("尺码没问题但是颜色不对", "wrong_item"),
    ("质量和尺码都没问题，就是不想要了", "no_reason"),
])
def test_negation_and_contrast(text, reason):
    assert classify_one(text).reason == reason
