import cProfile
import pstats

import pytest

from tests.integration import test_timers_scale


@pytest.mark.django_db
def test_profile():
    prof = cProfile.Profile()
    prof.enable()
    try:
        test_timers_scale.test_ten_thousand_deadlines_none_missed_none_twice.__wrapped__() if hasattr(
            test_timers_scale.test_ten_thousand_deadlines_none_missed_none_twice, "__wrapped__") else \
            test_timers_scale.test_ten_thousand_deadlines_none_missed_none_twice()
    except AssertionError:
        pass
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").dump_stats("/tmp/prof.out")
