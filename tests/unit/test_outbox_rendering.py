"""The pure parts of the outbox: templates, phone masking, signatures, the retry schedule."""

from datetime import timedelta

import pytest

from aftersales.notifications.rendering import (
    BACKOFF,
    MAX_ATTEMPTS,
    TEMPLATES,
    mask_phones,
    render,
    retry_delay,
    sign,
    verify,
    yuan,
)


def test_retry_schedule_is_1m_5m_30m_2h_12h_then_dead():
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert delays == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                      timedelta(hours=12), None]
    assert len(BACKOFF) == MAX_ATTEMPTS - 1


def test_signature_is_hmac_sha256_of_the_raw_body():
    body = '{"event":"case.approved_refund","body":"退款"}'.encode()
    header = sign(body, "s3cret")
    # Known value: HMAC-SHA256("s3cret", body), computed independently.
    import hashlib
    import hmac

    assert header == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert verify(body, "s3cret", header)
    assert not verify(body + b" ", "s3cret", header)
    assert not verify(body, "other", header)
    assert not verify(body, "s3cret", "")


@pytest.mark.parametrize(("text", "masked"), [
    ("买家 13812345678 来电", "买家 138****5678 来电"),
    ("+86 138 1234 5678", "138****5678"),
    ("86-13812345678", "138****5678"),
    ("tel:021-12345678", "tel:021****5678"),
    ("订单号 202406011234567890123", "订单号 202406011234567890123"),  # long numbers are not phones
    ("already 138****5678", "already 138****5678"),
    ("", ""),
])
def test_phones_are_masked(text, masked):
    assert mask_phones(text) == masked


def test_every_template_renders_in_both_languages_without_leftover_placeholders():
    params = {"number": "AS240601000001", "amount": "12.30", "reason": "凭证不足", "note": "请补充照片",
              "due": "2024-06-03 10:00", "carrier": "顺丰", "tracking_no": "SF123456789", "status": "退款中",
              "platform": "抖店", "stage": "商家审核", "consequence": "到期后平台将自动同意。", "assignee": "agent",
              "outcome": "须人工处理"}
    for code in TEMPLATES:
        for lang in ("zh-hans", "en"):
            rendered = render(code, lang, **params)
            assert rendered.subject and rendered.body
            assert "{" not in rendered.subject + rendered.body, (code, lang)


def test_buyer_language_defaults_to_chinese_and_missing_values_are_blank():
    zh = render("case.approved_refund", "", number="AS1", amount="9.90")
    assert "已同意" in zh.body and "¥9.90" in zh.body
    en = render("case.approved_refund", "en-US", number="AS1", amount="9.90")
    assert en.body.startswith("Hello, your after-sales request AS1 has been approved")
    assert "{" not in render("case.rejected", "zh-hans").body


def test_yuan_formats_fen():
    assert yuan(0) == "0.00"
    assert yuan(5) == "0.05"
    assert yuan(123456) == "1234.56"
    assert yuan(-150) == "-1.50"
