"""The CLI: demo (idempotent), create-token (the token is the last word), evaluate-policy."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftersales.accounts.models import ApiToken, Membership, Shop, hash_token
from aftersales.cases.models import Case, CaseEvent
from aftersales.refunds.models import RefundPayment

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_builds_a_realistic_shop_once():
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
    # every case has its events, and completed refunds have their money movements
    assert not Case.objects.filter(events__isnull=True).exists()
    assert RefundPayment.objects.filter(status="succeeded").exists()
    counts = (Case.objects.count(), CaseEvent.objects.count())
    again = run("demo", "--orders", "120")
    assert "already exists" in again
    assert (Case.objects.count(), CaseEvent.objects.count()) == counts


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
