"""The CLI: demo (idempotent), create-token (the token is the last word), evaluate-policy."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftersales.accounts.models import ApiToken, Membership, Shop, hash_token
from aftersales.cases.models import Case, CaseEvent
from aftersales.refunds.models import RefundPayment
from tests.integration.ledger_support import assert_ledger_reconciles

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_builds_a_realistic_shop_once(client):
    output = run("demo", "--orders", "120")
    shop = Shop.objects.get(slug="demo")
    assert "owner" in output and "aftersales-demo" in output
    assert set(Membership.objects.filter(shop=shop).values_list("role", flat=True)) == {
        "owner",
        "agent",
        "warehouse",
        "trainee",  # may only train (培训中心)
    }
    assert set(shop.orders.values_list("platform", flat=True)) >= {"douyin", "taobao", "jd"}
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"requested", "completed", "awaiting_return"} <= statuses
    assert len(statuses) >= 6
    assert set(Case.objects.values_list("kind", flat=True)) >= {"return_refund", "refund_only", "exchange"}
    # A buyer keeping the goods asks back part of the money, never all of it.
    partial = Case.objects.filter(kind="partial_refund")
    assert partial.exists() and all(0 < c.requested_fen < c.refund_cap_fen for c in partial)
    assert all(c.refund_granted_fen in (0, c.requested_fen) for c in partial)
    # every case has its events, and completed refunds have their money movements
    assert not Case.objects.filter(events__isnull=True).exists()
    assert RefundPayment.objects.filter(status="succeeded").exists()
    # The buyer has no login: the output names an order and its phone digits that open the portal.
    found = re.search(r"Buyer portal: \S+/portal/ +order (\S+), last 4 digits of the phone (\d{4})", output)
    assert found, output
    response = client.post("/portal/", {"order_no": found[1], "last4": found[2]})
    assert response.status_code == 302 and response["Location"] == "/portal/order/"
    assert "/portal/order/request/" in client.get("/portal/order/").content.decode()  # a request can be made
    counts = (Case.objects.count(), CaseEvent.objects.count())
    again = run("demo", "--orders", "120")
    assert "already exists" in again
    assert (Case.objects.count(), CaseEvent.objects.count()) == counts
    # Every case's money equals its ledger rows, and check-ledger says so.
    assert_ledger_reconciles()
    assert "ledger reconciles" in run("check-ledger", "--shop", "demo")


def test_check_ledger_reports_a_case_whose_totals_differ_from_its_ledger(shop, order):
    from aftersales.cases import services
    from aftersales.cases.domain.states import Actor

    line = order.lines.first()
    case = services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind="refund_only",
                              reason="no_reason", by=services.By(Actor.MERCHANT))
    assert "ledger reconciles" in run("check-ledger")
    Case.objects.filter(pk=case.pk).update(refund_cap_fen=5000, refund_granted_fen=5000)  # money with no decision
    with pytest.raises(CommandError) as failed:
        run("check-ledger")
    assert "2 difference(s)" in str(failed.value)  # the case against its decisions, the order against its cases
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check-ledger", stdout=out)
    assert out.getvalue().splitlines() == [
        f"case_granted {case.number}: recorded 5000 fen, ledger 0 fen",
        f"order_granted {order.platform_order_id}: recorded 0 fen, ledger 5000 fen",
    ]


def test_create_token_prints_the_token_last_and_stores_only_its_hash():
    Shop.objects.create(slug="s1", name="S1")
    output = run("create-token", "--shop", "s1")
    raw = output.split()[-1]
    assert raw.startswith("ast_")
    assert ApiToken.objects.get().token_hash == hash_token(raw)
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    with pytest.raises(CommandError):
        run("create-token", "--shop", "nope")


def test_evaluate_policy_prints_the_dry_run(tmp_path):
    facts = {
        "platform": "jd",
        "case_kind": "return_refund",
        "reason": "no_reason",
        "category": "food",
        "signed_at": "2026-05-03T10:00:00+08:00",
        "requested_at": "2026-05-05T10:00:00+08:00",
        "goods": {"seal_intact": False},
        "buyer_confirmed_no_return_at_purchase": False,
    }
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    body = json.loads(run("evaluate-policy", str(path)))
    assert body["eligible"] is False  # food with its seal broken is no longer intact (办法 9)
    assert any(rule["outcome"] == "fail" for rule in body["rules"])
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        run("evaluate-policy", str(path))
