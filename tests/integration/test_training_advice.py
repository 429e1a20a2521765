"""The cost criterion consults the advice engine on the training case itself: for every scenario of the
library, the ideal path carries out a remedy no dearer than the engine's cheapest lawful one."""

from __future__ import annotations

import pytest

from aftersales.training import services
from aftersales.training.domain.scoring import remedy_of, score_path
from aftersales.training.domain.simulation import simulate
from aftersales.training.library import builtin
from tests.integration.console_support import member

pytestmark = pytest.mark.django_db


def test_every_ideal_path_agrees_with_the_advice_engine(shop):
    user = member(shop, "xiaoli", "trainee")
    checked = 0
    for key, scenario in builtin().items():
        attempt = services.start_attempt(shop, user, key)
        assert attempt.lawful_request == scenario.decision().eligible, key
        remedy = remedy_of(scenario, simulate(scenario, scenario.ideal).history)
        if attempt.advice and remedy in attempt.advice:
            checked += 1
            card = score_path(scenario, scenario.ideal, advice=attempt.advice)
            assert card["cost"].score == 100, (key, attempt.advice, card["cost"])
    assert checked >= 15  # the engine had an opinion on most lawful requests
