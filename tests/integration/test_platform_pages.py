"""A page of new platform cases is opened together (`cases.platform_pages`): every case gets exactly the
rows and events it gets when the page is written one case at a time — the case, its lines, its events,
the refund ledger, the analytics and the outbox — for pages that mix new cases with cases seen before,
cases the platform granted money on, an order with two cases, a case our rules would not open as
asked (recorded as reported) and every status the platforms report."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from aftersales.accounts.models import Shop
from aftersales.analytics import rollups
from aftersales.analytics.domain.facts import MEASURES
from aftersales.analytics.models import KEY_FIELDS, Rollup
from aftersales.cases import platform_pages
from aftersales.cases.models import Case, CaseEvent, CaseLine
from aftersales.cases.services import open_case_once
from aftersales.catalog.models import Category, Product, Sku
from aftersales.core import clock
from aftersales.notifications.models import Message
from aftersales.orders.models import OrderLine
from aftersales.platforms import case_writer
from aftersales.platforms.connectors.base import BaseConnector
from aftersales.platforms.simulator.core import SimLine
from aftersales.platforms.sync.pull import pull_store
from aftersales.refunds.models import RefundDecision, RefundPayment
from tests.integration.platform_sync_support import connected

pytestmark = pytest.mark.django_db
PLATFORMS = ("douyin", "taobao", "jd", "pdd")
NOW = clock.now().replace(microsecond=0)
START = NOW - timedelta(hours=3)
#: Small pages: new cases and known ones, with and without money, share pages.
PAGE = 7


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(BaseConnector, "calls_per_second", 0.0)
    monkeypatch.setattr(BaseConnector, "backoff", 0.0)


def _at(minutes: int):
    return START + timedelta(minutes=minutes)


def _first_cases(sim) -> None:
    notes = ["", "质量太差了，用了一天就坏了，再不处理我就投诉到12315", "尺码偏小，想换大一号", "没收到货"]
    for i in range(12):
        sim.add_case(kind="refund_only" if i % 2 else "return_refund", amount_fen=1000 + 37 * i, paid_fen=9900,
                     applied_at=_at(i), updated_at=_at(i), title=f"商品{i % 4}", sku_code=f"SKU-{i % 4}",
                     note=notes[i % 4], shipped=i % 5 != 0)
    statuses = ["awaiting_return", "rejected", "closed", "arbitration", "completed", "return_received"]
    for i, status in enumerate(statuses):
        sim.add_case(kind="return_refund", status=status, amount_fen=2000 + i, paid_fen=5000, applied_at=_at(20 + i),
                     updated_at=_at(20 + i), title="保温杯", sku_code="CUP-1")
    shipped = sim.add_case(kind="return_refund", amount_fen=3000, paid_fen=3000, applied_at=_at(30),
                           updated_at=_at(30), title="台灯", sku_code="LAMP-1")
    sim.buyer_ships_return(shipped.case_id, tracking_no="ZT7001234567")
    # One order of two lines, a case on each; and one line asked for twice (the second is recorded as
    # the platform reports it: our rules would not open it, its units being in the first).
    sim.add_order("8800001", [SimLine("880000101", "毛衣", "KNIT-1", "P7", 1, 15900),
                              SimLine("880000102", "围巾", "SCARF-1", "P8", 1, 5900)], placed_at=_at(-600))
    sim.add_case(order_id="8800001", line_id="880000101", title="毛衣", sku_code="KNIT-1", amount_fen=15900,
                 paid_fen=15900, applied_at=_at(40), updated_at=_at(40))
    sim.add_case(order_id="8800001", line_id="880000102", title="围巾", sku_code="SCARF-1", kind="refund_only",
                 amount_fen=5900, paid_fen=5900, applied_at=_at(41), updated_at=_at(41))
    sim.add_case(order_id="8800002", line_id="880000201", title="帽子", sku_code="HAT-1", amount_fen=800,
                 paid_fen=800, applied_at=_at(42), updated_at=_at(42))
    sim.add_case(order_id="8800002", line_id="880000201", title="帽子", sku_code="HAT-1", amount_fen=800,
                 paid_fen=800, applied_at=_at(43), updated_at=_at(43))
    sim.add_case(kind="exchange", status="fulfilling", amount_fen=0, paid_fen=4500, applied_at=_at(44),
                 updated_at=_at(44), title="运动鞋", sku_code="SHOE-42")


def _later_cases(sim) -> None:
    """Cases seen before change, new ones arrive: the second pull's pages mix them."""
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        for case in list(sim.cases.values())[:4]:
            case.status = "awaiting_return" if case.kind == "return_refund" else "completed"
            sim.touch(case, "agree")
        for i in range(6):
            sim.add_case(kind="return_refund", amount_fen=1500 + i, paid_fen=6000, title=f"新品{i}",
                         sku_code=f"NEW-{i}", note="颜色和图片不一样" if i % 2 else "")


def _pull_twice(shop: Shop, platform: str, *, together: bool, monkeypatch) -> dict:
    with time_machine.travel(NOW, tick=False):  # the simulator's clock too (a buyer's shipping is "now")
        sim, store = connected(shop, platform)
        _first_cases(sim)
    opened: list[int] = []
    real = platform_pages.open_platform_cases

    def spied(*args, **kwargs):
        found = real(*args, **kwargs)
        opened.append(len(found))
        return found

    with monkeypatch.context() as patch:
        patch.setattr(case_writer, "open_platform_cases", spied)
        if not together:  # every case written on its own, as before pages were opened together
            patch.setattr(case_writer.CaseWriter, "_new_case", lambda self, record: None)
        with time_machine.travel(NOW, tick=False):
            first = pull_store(store, since=START - timedelta(minutes=1), page_size=PAGE)
        _later_cases(sim)
        with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
            second = pull_store(store, since=START - timedelta(minutes=1), page_size=PAGE)
    assert (first.error, second.error) == ("", "")
    return {"first": (first.created, first.updated, first.skipped), "second": (second.created, second.updated,
            second.skipped), "opened together": sum(opened)}


def _snapshot(shop: Shop) -> dict:
    """Everything the pulls wrote for the shop, with ids replaced by the platform's own keys."""
    cases = {c.pk: c for c in Case.objects.filter(shop=shop)}
    key = {pk: c.platform_case_id for pk, c in cases.items()}
    line_key = dict(OrderLine.objects.filter(order__shop=shop).values_list("pk", "platform_line_id"))
    numbers = {c.number: f"<number of {c.platform_case_id}>" for c in cases.values()}
    buyers = {f"buyer#{c.buyer_id}": f"buyer {c.buyer.nick}" for c in cases.values()}
    events = {e.pk: e for e in CaseEvent.objects.filter(shop=shop).order_by("pk")}
    event_key = {}
    for pk, event in events.items():
        event_key[pk] = (key[event.case_id], sum(1 for k in event_key.values() if k[0] == key[event.case_id]))

    decision_key = {}
    for pk, case_id in RefundDecision.objects.filter(shop=shop).order_by("pk").values_list("pk", "case_id"):
        decision_key[pk] = (key[case_id], sum(1 for k in decision_key.values() if k[0] == key[case_id]))

    def lines_of(pairs):
        return [[line_key[pair[0]], *pair[1:]] for pair in pairs]

    def plain_case(c: Case) -> dict:
        row = {f.attname: getattr(c, f.attname) for f in Case._meta.concrete_fields}
        for name in ("id", "shop_id", "updated_at", "buyer_id", "order_id"):
            row.pop(name)
        row["number"] = (c.number[:8], numbers[c.number])
        row["order"] = c.order.platform_order_id
        row["buyer"] = (c.buyer.platform, c.buyer.nick)
        decision = dict(row["policy_decision"])
        decision["lines"] = [{**line, "line_id": line_key[line["line_id"]]} for line in decision.get("lines", [])]
        row["policy_decision"] = decision
        return row

    def plain_payload(payload: dict) -> dict:
        out = dict(payload)
        for name in ("lines", "refused_lines"):
            if name in out:
                out[name] = lines_of(out[name])
        if "decision" in out:
            out["decision"] = decision_key[out["decision"]]
        if str(out.get("file", "")).startswith("api:"):
            out["file"] = "api:<store>"
        return out

    def plain_text(text: str) -> str:
        for number, name in numbers.items():
            text = text.replace(number, name)
        return text

    def plain_data(value):
        if isinstance(value, dict):
            return {k: plain_data(v) for k, v in value.items() if k not in ("id", "case_id", "event_id")}
        if isinstance(value, list):
            return [plain_data(v) for v in value]
        return plain_text(value) if isinstance(value, str) else value

    ledger = [
        (key[d.case_id], d.kind, d.amount_fen, d.reason_code, {line_key.get(int(k), k) if k.isdigit() else k: v
                                                                for k, v in d.per_line.items()},
         d.deductions, d.actor, d.created_at, sorted(
            (p.route, p.amount_fen, plain_text(p.idempotency_key.replace(str(d.case_id), key[d.case_id])),
             p.status, p.created_at, p.settled_at) for p in d.payments.all()))
        for d in RefundDecision.objects.filter(shop=shop).prefetch_related("payments")
    ]
    assert RefundPayment.objects.filter(shop=shop).count() == sum(len(row[-1]) for row in ledger)
    messages = [
        (key[m.case_id] if m.case_id else None, event_key.get(m.event_id), m.audience,
         buyers.get(m.recipient, m.recipient), m.channel,
         m.template, m.language, plain_text(m.subject), plain_text(m.body), plain_data(m.data), m.status,
         m.created_at)
        for m in Message.objects.filter(shop=shop)
    ]
    return {
        "cases": {key[pk]: plain_case(c) for pk, c in cases.items()},
        "lines": sorted((key[cl.case_id], line_key[cl.order_line_id], cl.quantity, cl.received_quantity,
                         cl.accepted_quantity, cl.goods_status) for cl in CaseLine.objects.filter(case__shop=shop)),
        "events": sorted((*event_key[pk], e.action, e.actor, e.actor_user_id, e.from_status, e.to_status,
                          e.reason_code, e.note, plain_payload(e.payload), e.created_at) for pk, e in events.items()),
        "ledger": sorted(ledger, key=repr),
        "messages": sorted(messages, key=repr),
        "rollups": _figures(shop),
    }


def _figures(shop: Shop) -> list[tuple]:
    """The shop's rollup rows, catalog ids replaced by SKU codes, product titles and category names — and
    the same as recomputing them all from nothing."""
    skus = dict(Sku.objects.filter(shop=shop).values_list("pk", "code"))
    products = dict(Product.objects.filter(shop=shop).values_list("pk", "title"))
    categories = dict(Category.objects.filter(shop=shop).values_list("pk", "name"))

    def rows() -> list[tuple]:
        found = []
        for row in Rollup.objects.filter(shop=shop).values(*KEY_FIELDS, *MEASURES):
            if any(row[m] for m in MEASURES):
                row["sku_id"] = skus.get(row["sku_id"], row["sku_id"])
                row["product_id"] = products.get(row["product_id"], row["product_id"])
                row["category_id"] = categories.get(row["category_id"], row["category_id"])
                found.append(tuple(row.values()))
        return sorted(found, key=repr)

    kept = rows()
    rollups.rebuild(shop.pk)
    assert rows() == kept
    return kept


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_page_opened_together_writes_what_one_case_at_a_time_writes(platform, monkeypatch):
    together = Shop.objects.create(slug=f"together-{platform}", name="together")
    one_by_one = Shop.objects.create(slug=f"one-by-one-{platform}", name="one by one")

    counts = _pull_twice(together, platform, together=True, monkeypatch=monkeypatch)
    alone = _pull_twice(one_by_one, platform, together=False, monkeypatch=monkeypatch)

    assert counts["first"] == alone["first"] == (24, 0, 0)
    assert counts["second"] == alone["second"] == (6, 4, 0)
    assert alone["opened together"] == 0
    # All new cases but the one with money (completed) and the order asked for twice.
    assert counts["opened together"] == 24 + 6 - 1 - 2
    wrote, expected = _snapshot(together), _snapshot(one_by_one)
    assert len(wrote["cases"]) == 30
    for part in ("cases", "lines", "events", "ledger", "messages", "rollups"):
        assert wrote[part], part  # something of each was written, to compare
        assert wrote[part] == expected[part], part
    assert Case.objects.filter(shop=together, platform_case_id__isnull=True).count() == 0
    call_command("check-ledger")  # the ledger reconciles: raises on any difference


def test_a_case_opened_meanwhile_sends_the_page_the_one_by_one_way(shop, monkeypatch):
    """Another writer opened one of the page's cases after the page looked them up: the database refuses
    the page's insert, and the page is written case by case instead — that case once, the others too."""
    sim, store = connected(shop, "jd")
    for i in range(5):
        sim.add_case(kind="refund_only", amount_fen=1000 + i, paid_fen=9900, applied_at=_at(i), updated_at=_at(i),
                     title=f"商品{i}", sku_code=f"SKU-{i}")
    real = case_writer.CaseWriter._new_case
    raced: list[str] = []

    def opened_meanwhile(self, record):
        asked = real(self, record)
        if asked is not None and not raced:
            raced.append(record.platform_case_id)
            open_case_once(self.shop, order_id=asked.order_id, lines=[(asked.line_id, asked.quantity)],
                           kind=asked.kind, reason=asked.reason, by=case_writer.BUYER, buyer_note=asked.buyer_note,
                           platform_case_id=record.platform_case_id, enforce_policy=False, now=asked.asked_at)
        return asked

    monkeypatch.setattr(case_writer.CaseWriter, "_new_case", opened_meanwhile)
    result = pull_store(store, since=START - timedelta(minutes=1))
    assert (result.error, result.errors, result.created + result.updated) == ("", [], 5)
    assert result.created == 4  # the fifth was opened by the other writer
    cases = Case.objects.filter(shop=shop)
    assert cases.count() == 5
    assert CaseEvent.objects.filter(case__shop=shop, action="open").count() == 5
    assert cases.get(platform_case_id=raced[0]).platform_status_raw == "10001"  # brought to what JD says
