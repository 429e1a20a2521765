"""Phone numbers and e-mail addresses are only ever shown masked."""

import pytest

from aftersales.core.fields import mask_email, mask_phone


@pytest.mark.parametrize(
    ("phone", "shown"),
    [("13812345678", "138****5678"), ("+86 138 1234 5678", "861****5678"), ("138****5678", "138****5678"),
     ("12345", "****"), ("", "")],
)
def test_phones(phone, shown):
    assert mask_phone(phone) == shown


@pytest.mark.parametrize(
    ("email", "shown"),
    [("lin.xiaoyu@example.com", "l***@example.com"), ("a@qq.com", "a***@qq.com"), ("no-at-sign", "***"),
     ("@example.com", "***"), ("", "")],
)
def test_emails(email, shown):
    assert mask_email(email) == shown
