"""Who sees what in the console: nothing of another shop, ever; the role decides the rest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import aftersales
from aftersales.accounts.current_shop import SESSION_KEY
from aftersales.cases.evidence import add_evidence
from aftersales.cases.models import Case, CaseEvent
from aftersales.refunds.models import RefundDecision
from tests.integration.console_support import BUYER, member, open_case, png_bytes, recent_order, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_a(shop):
    order = recent_order(shop, "DYA0001")
    case = open_case(shop, order)
    add_evidence(shop, case.pk, BUYER, data=png_bytes())
    return case


def test_an_agent_of_another_shop_can_neither_open_nor_list_nor_act_on_a_case(client, shop, other_shop, case_a):
    agent_b = member(other_shop, "agent_b", "agent")
    client.force_login(agent_b)
    events = CaseEvent.objects.count()

    assert client.get(f"/console/cases/{case_a.pk}/").status_code == 404
    evidence = case_a.evidence.get()
    assert client.get(f"/console/cases/{case_a.pk}/evidence/{evidence.pk}/").status_code == 404
    for action in ("approve", "reject", "note", "assign", "grant_refund", "reply", "compensate"):
        response = client.post(f"/console/cases/{case_a.pk}/act/{action}/", {f"{action}-note": "x"})
        assert response.status_code == 404, action
    inbox = client.get("/console/", {"scope": "all"})
    assert inbox.status_code == 200
    assert case_a.number not in text(inbox)
    searched = text(client.get("/console/", {"q": case_a.number, "scope": "all"}))
    assert f"/console/cases/{case_a.pk}/" not in searched and 'name="case"' not in searched
    bulk = client.post("/console/bulk/", {"case": [case_a.pk], "do": "approve"})
    assert bulk.status_code == 302
    assert CaseEvent.objects.count() == events
    assert Case.objects.get(pk=case_a.pk).status == "requested"


def test_a_user_of_two_shops_switches_between_them_and_sees_only_the_current_one(client, shop, other_shop,
                                                                                   case_a):
    both = member(shop, "both", "agent")
    member(other_shop, "both", "agent")
    client.force_login(both)
    assert client.get(f"/console/cases/{case_a.pk}/").status_code == 200  # alpha sorts first
    assert client.post("/accounts/switch-shop/", {"shop": other_shop.pk}).status_code == 302
    assert client.get(f"/console/cases/{case_a.pk}/").status_code == 404
    assert client.post("/accounts/switch-shop/", {"shop": shop.pk}).status_code == 302
    assert client.get(f"/console/cases/{case_a.pk}/").status_code == 200


def test_a_shop_planted_in_the_session_is_never_trusted(client, shop, other_shop, case_a):
    agent_b = member(other_shop, "agent_b", "agent")
    client.force_login(agent_b)
    assert client.post("/accounts/switch-shop/", {"shop": shop.pk}).status_code == 404
    session = client.session
    session[SESSION_KEY] = shop.pk
    session.save()
    assert client.get(f"/console/cases/{case_a.pk}/").status_code == 404
    assert client.session[SESSION_KEY] == other_shop.pk


def test_warehouse_staff_see_the_desk_and_never_refunds(client, shop):
    order = recent_order(shop, "DYA0002", shipped=False)
    case = open_case(shop, order, kind="refund_only", reason="no_reason")
    keeper = member(shop, "keeper", "warehouse")
    client.force_login(keeper)
    assert client.get("/console/")["Location"] == "/warehouse/"
    assert client.get(f"/console/cases/{case.pk}/").status_code == 403
    for action, data in (("approve", {}), ("grant_refund", {"grant_refund-reason_code": "approved_request"}),
                         ("execute_refund", {"execute_refund-idempotency_key": "key-12345678"})):
        assert client.post(f"/console/cases/{case.pk}/act/{action}/", data).status_code == 403
    assert client.post("/console/bulk/", {"case": [case.pk], "do": "approve"}).status_code == 403
    assert RefundDecision.objects.count() == 0
    assert Case.objects.get(pk=case.pk).status == "requested"
    assert client.get("/warehouse/").status_code == 200


def test_only_the_owner_opens_the_shop_settings(client, shop):
    client.force_login(member(shop, "agent_a", "agent"))
    assert client.get("/console/settings/").status_code == 403
    assert client.post("/console/settings/budget/", {"budget-amount": "1"}).status_code == 403
    assert client.get("/warehouse/").status_code == 403
    client.force_login(member(shop, "owner_a", "owner"))
    assert client.get("/console/settings/").status_code == 200


def test_strangers_are_sent_to_sign_in(client, case_a):
    response = client.get(f"/console/cases/{case_a.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/warehouse/").status_code == 302
    # A signed-in user with no shop at all sees nothing.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("nobody", password="x" * 12))
    assert client.get(f"/console/cases/{case_a.pk}/").status_code == 403


def test_the_inbox_costs_the_same_number_of_queries_for_5_or_40_cases(client, shop):
    agent = member(shop, "agent_a", "agent")
    client.force_login(agent)
    for n in range(5):
        open_case(shop, recent_order(shop, f"DYQ{n:04d}"))
    client.get("/console/")  # warm up: sessions, templates, content types
    with CaptureQueriesContext(connection) as few:
        assert client.get("/console/").status_code == 200
    for n in range(5, 40):
        open_case(shop, recent_order(shop, f"DYQ{n:04d}"))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/console/")
    assert response.status_code == 200
    assert text(response).count('name="case"') == 40
    assert len(many.captured_queries) == len(few.captured_queries) <= 12


def test_password_guessing_stops_the_guessing_client_and_never_locks_out_the_right_password(
        client, shop, settings, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("aftersales.serving.throttle.time.sleep", slept.append)
    settings.LOGIN_RATE = "3/m"
    member(shop, "agent_a", "agent")
    for _ in range(3):
        wrong = client.post("/accounts/login/", {"username": "agent_a", "password": "nope"})
        assert wrong.status_code == 200 and "请输入一个正确的" in text(wrong)
    blocked = client.post("/accounts/login/", {"username": "agent_a", "password": "pw-agent_a"})
    assert blocked.status_code == 429 and "登录失败次数过多" in text(blocked)
    assert "_auth_user_id" not in client.session
    # The agent at another desk signs in with the right password: slowed, not refused.
    other = client.post("/accounts/login/", {"username": "agent_a", "password": "pw-agent_a"},
                        REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 302 and other["Location"] == "/console/"
    assert slept == [settings.THROTTLE_FIRST_DELAY]


def test_behind_a_trusted_proxy_one_guesser_does_not_lock_out_all_staff(client, shop, settings, monkeypatch):
    monkeypatch.setattr("aftersales.serving.throttle.time.sleep", lambda s: None)
    settings.LOGIN_RATE = "3/m"
    settings.TRUSTED_PROXIES = 1
    member(shop, "agent_a", "agent")
    member(shop, "owner_b", "owner")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(4):
        client.post("/accounts/login/", {"username": "owner_b", "password": "guess"},
                    HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert client.post("/accounts/login/", {"username": "owner_b", "password": "pw-owner_b"},
                       HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 429
    staff = client.post("/accounts/login/", {"username": "agent_a", "password": "pw-agent_a"},
                        HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert staff.status_code == 302


def test_the_inbox_table_refreshes_itself_with_its_filters_and_page(client, shop):
    client.force_login(member(shop, "agent_r", "agent"))
    for n in range(3):
        open_case(shop, recent_order(shop, f"DYR{n:04d}"))
    page = text(client.get("/console/?platform=douyin&kind=return_refund"))
    refresh = re.search(r'<div hidden hx-get="([^"]+)"\s+hx-trigger="every 60s" hx-target="#inbox-table"'
                        r' hx-swap="innerHTML" data-refresh>', page)
    assert refresh, "no refresh element"
    url = refresh.group(1).replace("&amp;", "&")
    assert url.startswith("/console/?") and "platform=douyin" in url and url.endswith("page=1")
    # Never while cases are ticked for a bulk action or the tab is hidden: app.js holds [data-refresh] back
    # (the Content-Security-Policy allows no trigger filter htmx would evaluate).
    app_js = (Path(aftersales.__file__).parent / "static/aftersales/app.js").read_text()
    assert 'hasAttribute("data-refresh")' in app_js and 'input:checked' in app_js
    open_case(shop, recent_order(shop, "DYR9999"))
    partial = client.get(url, headers={"HX-Request": "true", "HX-Target": "inbox-table"})
    assert partial.status_code == 200
    body = text(partial)
    assert "<html" not in body and body.count('name="case"') == 4  # the table alone, with the new case
