"""Tracking numbers: one form everywhere (finding 5: "SF 1234 5678" was refused by the API and accepted by
the console)."""

import pytest

from aftersales.core.errors import DomainError
from aftersales.core.tracking import normalise_tracking, parse_tracking


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("SF 1234 5678", "SF12345678"),
        ("  sf1234567890 ", "SF1234567890"),
        ("ＳＦ１２３４５６７８", "SF12345678"),  # full-width, from a Chinese input method
        ("YT-1234-5678-90", "YT1234567890"),
        ("JD0001\t2345", "JD00012345"),
    ],
)
def test_typed_forms_become_one_stored_form(typed, stored):
    assert normalise_tracking(typed) == stored
    assert parse_tracking(typed) == stored


@pytest.mark.parametrize("bad", ["", "   ", "SF12", "顺丰12345678", "SF1234!5678", "A" * 41])
def test_what_cannot_be_a_tracking_number_is_refused_with_a_code(bad):
    with pytest.raises(DomainError) as raised:
        parse_tracking(bad)
    assert raised.value.code == "shipment.invalid_tracking_no"


def test_an_optional_number_may_be_empty():
    assert parse_tracking("  ", required=False) == ""
    assert normalise_tracking(None) == ""
