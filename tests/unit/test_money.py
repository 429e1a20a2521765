from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.errors import DomainError
from aftersales.core.money import MAX_FEN, allocate, format_fen, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.30", 1230), ("¥1,234.50", 123450), ("0", 0), (" 7 元", 700), (Decimal("9.99"), 999), (3, 300)],
)
def test_yuan_to_fen_parses_what_exports_contain(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize(
    ("text", "code"),
    [("abc", "money.invalid"), ("", "money.invalid"), ("1.234", "money.sub_fen"),
     ("-5", "money.negative"), ("1e12", "money.too_large"), ("NaN", "money.invalid")],
)
def test_yuan_to_fen_refuses_bad_amounts_with_a_code(text, code):
    with pytest.raises(DomainError) as err:
        yuan_to_fen(text)
    assert err.value.code == code


def test_format_fen():
    assert format_fen(123456) == "¥1,234.56"
    assert format_fen(-500) == "-¥5.00"


def test_allocate_by_largest_remainder():
    # 100 fen over three equal weights: 34/33/33, the extra fen to the first.
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(1000, [5990, 3990, 20]) == [599, 399, 2]
    assert allocate(0, [3, 4]) == [0, 0]
    assert allocate(7, [0, 0]) == [4, 3]


@given(
    total=st.integers(min_value=0, max_value=MAX_FEN),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30),
)
def test_allocation_sums_exactly_and_stays_within_one_fen(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total
    basis = weights if sum(weights) else [1] * len(weights)
    for part, w in zip(parts, basis, strict=True):
        exact = total * w / sum(basis)
        assert abs(part - exact) < 1 + 1e-6
