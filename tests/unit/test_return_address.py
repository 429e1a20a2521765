"""The pure return-address helpers: the copy's one line (masked for staff, whole for the buyer), the
platform's id, and the choice of the most specific default (shared with the return rules)."""

from __future__ import annotations

from aftersales.cases.domain.return_address import full_address, one_line, platform_address_id
from aftersales.cases.domain.scopes import most_specific

COPY = {"id": 3, "name": "杭州主仓", "contact": "老陈", "phone": "13800001111", "province": "浙江省", "city": "杭州市",
        "district": "", "detail": "良睦路 1399 号", "postcode": "311121", "platform_ids": {"douyin": "77"}}


def test_one_line_for_the_buyer_and_for_staff():
    assert full_address(COPY) == "浙江省 杭州市 良睦路 1399 号"
    assert one_line(COPY, masked=False) == "浙江省 杭州市 良睦路 1399 号 311121，老陈 13800001111"
    assert one_line(COPY, masked=True) == "浙江省 杭州市 良睦路 1399 号 311121，老陈 138****1111"
    assert one_line({}, masked=False) == "" and full_address({}) == ""


def test_platform_address_id():
    assert platform_address_id(COPY, "douyin") == "77"
    assert platform_address_id(COPY, "pdd") == "" and platform_address_id({}, "douyin") == ""


def test_most_specific_order():
    items = [("", None), ("douyin", None), ("", 5), ("douyin", 5)]

    def pick(platform, category):
        return most_specific(items, platform, category, platform_of=lambda i: i[0], category_of=lambda i: i[1])

    assert pick("douyin", 5) == ("douyin", 5)
    assert pick("taobao", 5) == ("", 5)
    assert pick("douyin", 6) == ("douyin", None)
    assert pick("taobao", None) == ("", None)
    assert most_specific(items[1:2], "taobao", 5, platform_of=lambda i: i[0], category_of=lambda i: i[1]) is None
