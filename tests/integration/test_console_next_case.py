""""Next case" on a case page: the following open case of the same shop in the inbox's order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.accounts.models import Shop
from aftersales.cases import services
from aftersales.cases.models import Case
from aftersales.console.queries import next_open_case
from aftersales.core import clock
from tests.integration.console_support import BUYER, member, open_case, recent_order

pytestmark = pytest.mark.django_db


def case_due(shop, number, hours):
    case = open_case(shop, recent_order(shop, number))
    deadline = None if hours is None else clock.now() + timedelta(hours=hours)
    Case.objects.filter(pk=case.pk).update(deadline_at=deadline)
    return Case.objects.get(pk=case.pk)


def test_next_follows_the_deadlines_skips_finished_and_other_shops_and_wraps(shop):
    other = Shop.objects.create(slug="other-next", name="别家")
    soon, later, undated = case_due(shop, "DYN1", 2), case_due(shop, "DYN2", 30), case_due(shop, "DYN3", None)
    same_time = case_due(shop, "DYN4", 30)
    Case.objects.filter(pk=same_time.pk).update(deadline_at=later.deadline_at)
    done = case_due(shop, "DYN5", 10)
    services.withdraw_case(shop, done.pk, BUYER)
    case_due(other, "DYN6", 20)

    assert not Case.objects.get(pk=done.pk).is_open
    assert next_open_case(shop, soon) == later.pk
    assert next_open_case(shop, later) == same_time.pk  # same deadline: by id
    assert next_open_case(shop, same_time) == undated.pk  # cases without a deadline come last
    assert next_open_case(shop, undated) == soon.pk  # and round again
    assert next_open_case(shop, Case.objects.get(pk=done.pk)) == soon.pk


def test_the_case_page_links_to_the_next_case_and_the_last_one_has_none(client, shop):
    client.force_login(member(shop, "agent_n", "agent"))
    first, second = case_due(shop, "DYN7", 1), case_due(shop, "DYN8", 5)
    page = client.get(f"/console/cases/{first.pk}/").content.decode()
    assert f'href="/console/cases/{second.pk}/" class="button" rel="next"' in page and "下一单" in page
    Case.objects.filter(pk=first.pk).delete()
    assert 'rel="next"' not in client.get(f"/console/cases/{second.pk}/").content.decode()
