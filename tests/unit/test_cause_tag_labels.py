"""Every product-cause tag the buyer-words reader can give has its words in both languages."""

from aftersales.core import messages
from aftersales.intelligence.reasons.lexicon import TAG_WORDS


def test_every_cause_tag_is_named_in_chinese_and_english():
    tags = [tag for tag, _ in TAG_WORDS]
    assert messages.codes("cause_tag") == tags
    for tag in tags:
        assert messages.label("cause_tag", tag, "zh-hans") == tag
        english = messages.label("cause_tag", tag, "en")
        assert english != tag and english.isascii(), tag
