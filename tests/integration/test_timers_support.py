"""Builders shared by the timer, outbox and export tests (no tests here)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model

from aftersales.accounts.models import Membership, Shop
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.cases.models import Case
from aftersales.orders.models import Buyer, Order
from aftersales.orders.services import create_order

MERCHANT = services.By(Actor.MERCHANT)
BUYER = services.By(Actor.BUYER)
T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)  # 09:00 Beijing time, a Monday
_seq = itertools.count(1)


@pytest.fixture
def frozen_clock():
    """The wall clock stands at T0 (tests move it further with time_machine.travel)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def make_shop(slug: str = "shop", **fields) -> Shop:
    return Shop.objects.create(slug=slug, name=fields.pop("name", slug), **fields)


def make_staff(shop: Shop, username: str, role: str = "agent", email: str = ""):
    user = get_user_model().objects.create_user(username=username, email=email, password=None)
    Membership.objects.create(user=user, shop=shop, role=role)
    return user


def make_order(shop: Shop, *, platform: str = "douyin", phone: str = "13812345678", nick: str = "小王",
               paid_fen: int = 12_300, shipped: bool = True, signed: bool = True, at: datetime = T0) -> Order:
    n = next(_seq)
    paid_at = at - timedelta(days=3)
    return create_order(shop, {
        "platform": platform, "platform_order_id": f"PO{n:010d}", "paid_at": paid_at,
        "shipped_at": paid_at + timedelta(hours=5) if shipped else None,
        "signed_at": paid_at + timedelta(days=2) if shipped and signed else None,
        "buyer": {"nick": nick, "phone": phone},
        "lines": [{"platform_line_id": "L1", "title": "纯棉T恤 白色 L", "sku_code": "", "quantity": 1,
                   "unit_price_fen": paid_fen, "paid_fen": paid_fen}],
    })


def open_case(shop: Shop, order: Order, *, kind: str = "refund_only", reason: str = "quality_defect",
              at: datetime = T0, **kwargs) -> Case:
    line = order.lines.first()
    return services.open_case(shop, order_id=order.pk, lines=[(line.pk, 1)], kind=kind, reason=reason,
                              by=MERCHANT, now=at, **kwargs)


def bulk_cases(shop: Shop, n: int, *, platform: str, status: str, kind: str, stage: str,
               deadlines, source: str = "fallback", assignee=None, prefix: str = "B", one_order: bool = False,
               **fields) -> list[Case]:
    """`n` open cases straight into the tables (no events, no rollups): one buyer, an order each (or
    one order between them, for cases that will never move)."""
    buyer = Buyer.objects.filter(shop=shop, nick="bulk").first() or Buyer.objects.create(
        shop=shop, platform=platform, nick="bulk", phone="13900001111")
    orders = Order.objects.bulk_create([
        Order(shop=shop, platform=platform, platform_order_id=f"{prefix}-{i:07d}", buyer=buyer,
              paid_at=T0 - timedelta(days=5), goods_fen=0)
        for i in range(1 if one_order else n)
    ], batch_size=2000)
    if one_order:
        orders = orders * n
    cases = [
        Case(shop=shop, number=f"{prefix}{i:07d}", order=order, buyer=buyer, platform=platform, kind=kind,
             status=status, goods_status="received", reason="no_reason", wanted_remedy=kind,
             deadline_at=deadline, deadline_stage=stage, deadline_source=source, assignee=assignee,
             created_at=T0 - timedelta(days=1), **fields)
        for i, order, deadline in zip(range(n), orders, deadlines, strict=True)
    ]
    return Case.objects.bulk_create(cases, batch_size=2000)
