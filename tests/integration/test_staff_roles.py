"""A new member gets the least role (agent); the owner role is given only with an explicit confirmation."""

from __future__ import annotations

import pytest

from tests.integration.console_support import member, text

pytestmark = pytest.mark.django_db


def test_the_add_member_form_offers_agent_first(client, owner):
    page = text(client.get("/console/settings/"))
    assert '<option value="agent" selected>' in page


def test_the_owner_role_needs_the_confirmation_tick(client, owner, shop):
    data = {"member-username": "xiaoli", "member-password": "long-enough-1", "member-role": "owner"}
    refused = client.post("/console/settings/staff/", data)
    assert refused.status_code == 422
    assert "需要您的确认" in text(refused)
    assert not shop.memberships.filter(user__username="xiaoli").exists()
    added = client.post("/console/settings/staff/", {**data, "member-confirm_owner": "on"})
    assert added.status_code == 302
    assert shop.memberships.get(user__username="xiaoli").role == "owner"


def test_promoting_to_owner_needs_the_tick_and_a_refusal_changes_nothing(client, owner, shop):
    helper = shop.memberships.get(user=member(shop, "xiaozhang", "agent"))
    refused = client.post(f"/console/settings/staff/{helper.pk}/", {"m-role": "owner"})
    assert refused.status_code == 422 and "需要您的确认" in text(refused)
    helper.refresh_from_db()
    assert helper.role == "agent"
    assert client.post(f"/console/settings/staff/{helper.pk}/",
                       {"m-role": "owner", "m-confirm_owner": "on"}).status_code == 302
    helper.refresh_from_db()
    assert helper.role == "owner"


def test_adding_a_member_of_this_shop_again_says_so(client, owner, shop):
    member(shop, "xiaowu", "agent")
    refused = client.post("/console/settings/staff/", {"member-username": "xiaowu", "member-password": "x" * 12,
                                                       "member-role": "agent"})
    assert refused.status_code == 409 or refused.status_code == 422
    assert "已经是本店铺的成员" in text(refused) and "其他店铺" not in text(refused)


def test_only_a_row_that_could_be_promoted_asks_for_the_owner_tick(client, owner, shop):
    """Every row, the owner's own included, showed 确认授予店长: an owner has nothing to confirm."""
    helper = shop.memberships.get(user=member(shop, "xiaozhao", "agent"))
    page = client.get("/console/settings/").content.decode()
    rows = {m.pk: page.split(f'/console/settings/staff/{m.pk}/"')[1].split("</tr>")[0]
            for m in shop.memberships.all()}
    owners = [pk for pk in rows if shop.memberships.get(pk=pk).role == "owner"]
    assert owners and all('name="m-confirm_owner"' not in rows[pk] for pk in owners)
    assert 'name="m-confirm_owner"' in rows[helper.pk]
