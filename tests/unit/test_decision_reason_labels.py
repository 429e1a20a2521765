"""The reasons staff refuse, close and grant with are named once, in the label catalogue
(core/messages.toml), and the console and the exports read the same words from there."""

from __future__ import annotations

import pytest
from django.utils import translation

from aftersales.cases.services import CLOSE_REASONS, REJECT_REASONS
from aftersales.core import labels, messages
from aftersales.exports import sheets as exports
from aftersales.refunds.services import GRANT_REASONS
from aftersales.web import labels as console_labels

#: Reason codes written by a step rather than chosen (withdraw, a ruling for the merchant).
CLOSED_BY_A_STEP = ("withdrawn", "ruled_for_merchant")
#: Grants made by their own verb, never chosen from the list (the return freight, refunds.freight; a
#: fast refund, refunds.grant_fast_refund).
GRANTED_BY_A_VERB = ("return_freight", "fast_refund")


@pytest.mark.parametrize(("group", "codes"), [
    ("reject_reason", REJECT_REASONS),
    ("close_reason", (*CLOSE_REASONS, *CLOSED_BY_A_STEP)),
    ("grant_reason", (*GRANT_REASONS, *GRANTED_BY_A_VERB)),
    ("decision_reason", (*REJECT_REASONS, *CLOSE_REASONS, *CLOSED_BY_A_STEP)),
])
def test_every_reason_staff_can_give_has_words_in_both_languages(group, codes):
    assert set(codes) <= set(messages.codes(group))
    for code in codes:
        entry = messages.MESSAGES[f"{group}.{code}"]
        assert entry["zh-hans"] and entry["en"] and entry["zh-hans"] != entry["en"] or code == "other"


def test_the_catalogue_offers_no_reason_the_services_refuse():
    assert messages.codes("reject_reason") == list(REJECT_REASONS)
    assert messages.codes("grant_reason") == [*GRANT_REASONS, *GRANTED_BY_A_VERB]
    assert messages.codes("close_reason") == [*CLOSE_REASONS, *CLOSED_BY_A_STEP]


@pytest.mark.parametrize(("table", "group", "code", "zh", "en"), [
    ("grant", "grant_reason", "platform_refund", "平台退款", "Refunded by the platform"),
    ("grant", "grant_reason", "return_freight", "商家承担寄回运费", "The shop pays the return freight"),
    ("grant", "grant_reason", "partial_refund_goods_kept", "部分退款（不退货）", "Partial refund, goods kept"),
    ("reject", "reject_reason", "buyer_fault", "买家人为损坏", "Damage caused by the buyer"),
    ("close", "close_reason", "resolved_offline", "已与买家协商解决", "Resolved with the buyer"),
])
def test_the_console_and_the_exports_use_the_same_words(table, group, code, zh, en):
    for lang, word in (("zh-hans", zh), ("en", en)):
        with translation.override(lang):
            assert console_labels.label(table, code) == word
        assert labels.label(group, code, lang).lower() == word.lower()
    assert not hasattr(exports, "GRANT_REASONS")  # no table of its own
