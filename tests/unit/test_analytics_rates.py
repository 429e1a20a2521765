import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.analytics.domain.jumps import Week, check_jump
from aftersales.analytics.domain.pareto import pareto
from aftersales.analytics.domain.rates import (
    Thresholds,
    Verdict,
    format_bp,
    judge,
    rate_bp,
    wilson_lower_bp,
)


def wilson_float(x, n, z=1.96):
    p = x / n
    return (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=10**7), st.data())
def test_wilson_lower_bound_matches_the_formula_and_never_overstates(n, data):
    x = data.draw(st.integers(min_value=0, max_value=n))
    exact = wilson_float(x, n) * 10_000
    got = wilson_lower_bp(x, n)
    assert got <= exact + 1e-6
    assert got >= math.floor(exact - 1e-6) - 1
    assert got <= rate_bp(x, n)


def test_one_return_in_two_sales_raises_no_alarm():
    assert wilson_lower_bp(1, 2) == 945
    assert judge(1, 2, Thresholds()) == Verdict.WATCH
    assert judge(30, 100, Thresholds()) == Verdict.ATTENTION
    assert judge(5, 100, Thresholds()) == Verdict.GOOD
    assert judge(0, 0, Thresholds()) == Verdict.NO_DATA


def test_category_thresholds_fall_back_to_the_shop():
    shop = Thresholds(300, 800)
    assert Thresholds.of(None, 2000, shop) == Thresholds(300, 2000)
    assert judge(15, 100, Thresholds.of(None, 2000, shop)) == Verdict.WATCH


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_rate_bp_rounds_half_up(part, whole):
    assert rate_bp(part, whole) == math.floor(Fraction(part * 10_000, whole) + Fraction(1, 2))


def test_format_bp():
    assert format_bp(1234) == "12.34%"
    assert format_bp(5) == "0.05%"
    assert format_bp(None) == "—"


def test_jump_is_explained_and_needs_history():
    history = [
        Week(100, 5),
        Week(120, 6),
        Week(90, 5),
        Week(110, 6),
        Week(100, 4),
        Week(100, 6),
        Week(95, 5),
        Week(105, 5),
    ]
    calm = check_jump(Week(100, 7), history)
    assert not calm.jumped and calm.reason == "within_range"
    jump = check_jump(Week(100, 25), history)
    assert (
        jump.jumped
        and jump.this_lower_bp > jump.limit_bp == jump.baseline_bp + (20 * jump.sigma_bp + 9) // 10
    )
    assert check_jump(Week(100, 50), history[:3]).reason == "short_history"
    assert check_jump(Week(0, 0), history).reason == "no_sales"
    # one return out of two sales is no jump, however calm the history
    assert not check_jump(Week(2, 1), [Week(100, 5)] * 8).jumped


def test_pareto_marks_the_vital_few():
    rows = pareto([("size_fit", 50), ("quality_defect", 30), ("other", 10), ("no_reason", 10), ("x", 0)])
    assert [r.key for r in rows] == ["size_fit", "quality_defect", "no_reason", "other"]
    assert [r.vital for r in rows] == [True, True, False, False]
    assert rows[-1].cumulative_bp == 10_000
    assert pareto([]) == []
    assert [r.vital for r in pareto([("a", 9), ("b", 1)])] == [True, False]
