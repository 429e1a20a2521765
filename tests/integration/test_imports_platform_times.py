"""What an import of the platforms' exports writes about time and units, from the exports' own semantics:

- a finished case ends when its row says (完结 time, else 同意/审核 time, else the last time it shows),
  never on the day it was imported;
- a refund without a quantity column claims the units its amount pays for, so the rest of the line can
  still be asked for;
- an open case whose platform deadline had passed before the import is the platform's (its timer acted
  on it): shown as 平台状态待同步 with its deadline, never our overdue, left alone by the sweeper.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from aftersales.cases import timers
from aftersales.cases.domain import deadlines
from aftersales.cases.models import Case, CaseEvent
from aftersales.exports.sheets import case_rows
from aftersales.orders.models import OrderLine
from aftersales.platforms.case_writer import units_claimed
from aftersales.platforms.importing import CaseRecord
from aftersales.platforms.services import import_file
from tests.fixtures.exports.build import PDD_CASE_HEADINGS, _xlsx
from tests.integration.console_support import text
from tests.integration.test_imports_real_files import at, import_all

pytestmark = pytest.mark.django_db

#: The moment the merchant imports the May exports: ten days after the last of them was written.
IMPORTED = at(2026, 5, 29, 10)


def pdd_cases(*rows: dict) -> bytes:
    return _xlsx(PDD_CASE_HEADINGS, rows, sheet="售后信息")


@pytest.fixture
def imported(shop):
    with time_machine.travel(IMPORTED, tick=False):
        import_all(shop)
    return shop


# -- 1. when a finished case ended --------------------------------------------------------------------


def test_a_finished_case_ends_when_its_row_says_not_when_it_was_imported(imported):
    jd = Case.objects.get(platform_case_id="1900000001")  # 完成; the 服务单 export has no finish time
    assert (jd.status, jd.closed_at) == ("completed", at(2026, 5, 14, 11))  # 审核时间
    pdd = Case.objects.get(platform_case_id="12345678901")  # 退款成功 with only 同意退款时间
    assert (pdd.status, pdd.closed_at) == ("completed", at(2026, 5, 19, 15))
    douyin = Case.objects.get(platform_case_id="7300000000000000001")  # 售后完结时间 stays first
    assert douyin.closed_at == at(2026, 5, 18, 16, 30, 5)
    assert not Case.objects.filter(closed_at__gte=IMPORTED).exists()
    # The cases export (关闭时间) says the same.
    closed = {row[2]: row[-1] for row in case_rows(imported, "zh-hans")}
    assert (closed["1900000001"], closed["12345678901"]) == (at(2026, 5, 14, 11), at(2026, 5, 19, 15))


def test_a_row_with_only_its_apply_time_ends_then(imported):
    refunded = {"售后编号": "12345678906", "订单编号": "260401-500000000000001", "售后状态": "退款成功",
                "退款类型": "退款", "退款原因": "七天无理由退货", "交易金额": "27.90", "退款金额": "27.90",
                "申请时间": "2026-04-06 10:00:00"}
    with time_machine.travel(IMPORTED + timedelta(days=1), tick=False):
        run = import_file(imported, "pdd", "cases", "售后.xlsx", pdd_cases(refunded))
    assert (run.created, run.report) == (1, [])
    assert Case.objects.get(platform_case_id="12345678906").closed_at == at(2026, 4, 6, 10)


# -- 2. the units a refund claims ---------------------------------------------------------------------


def test_a_partial_return_claims_the_units_its_refund_pays_for(imported):
    half = Case.objects.get(platform_case_id="12345678902")  # ¥29.90 of two oranges at ¥29.90
    assert list(half.lines.values_list("order_line__quantity", "quantity")) == [(2, 1)]
    assert (half.requested_fen, half.refund_cap_fen) == (2990, 2990)
    other = {"售后编号": "12345678905", "订单编号": "260517-607198974342269", "售后状态": "待商家处理",
             "退款类型": "退货退款", "退款原因": "质量问题", "交易金额": "59.80", "退款金额": "29.90",
             "申请时间": "2026-05-22 08:00:00"}
    with time_machine.travel(IMPORTED, tick=False):
        run = import_file(imported, "pdd", "cases", "售后.xlsx", pdd_cases(other))
    # Opened by our own rules (no "recorded as the platform reports it"): the second unit was free.
    assert (run.created, run.skipped, run.report) == (1, 0, [])
    second = Case.objects.get(platform_case_id="12345678905")
    assert list(second.lines.values_list("quantity", flat=True)) == [1]
    assert not second.events.filter(payload__as_reported=True).exists()


@pytest.mark.parametrize(("kind", "amount", "quantity", "units"), [
    ("return_refund", 2990, None, 1),
    ("return_refund", 3000, None, 2),  # a fen more than one unit: rounded up
    ("refund_only", 1, None, 1),  # at least one
    ("refund_only", 7000, None, 2),  # the line's freight too: at most the line
    ("return_refund", 2990, 2, 2),  # the file's own quantity wins
    ("return_refund", None, None, 2),  # no amount: the whole line
    ("partial_refund", 1000, None, 2),  # a part of the price, not a count of units
    ("exchange", 0, None, 2),
])
def test_units_claimed(kind, amount, quantity, units):
    line = OrderLine(quantity=2, paid_fen=5980)
    record = CaseRecord(platform="pdd", row_number=2, platform_case_id="1", platform_order_id="1", kind=kind,
                        kind_raw="", status="requested", status_raw="", requested_amount_fen=amount,
                        quantity=quantity)
    assert units_claimed(record, line) == units


# -- 3. deadlines the platform's timer passed before the import --------------------------------------


def test_a_deadline_passed_before_the_import_is_the_platforms_not_ours(imported):
    stale = Case.objects.get(platform_case_id="7300000000000000002")  # 待商家处理, due 2026-05-19 11:20
    live = Case.objects.get(platform_case_id="7300000000000000004")  # 待商家收货, due 2026-05-31 18:00
    assert (stale.status, stale.deadline_at, stale.deadline_source) == ("requested", at(2026, 5, 19, 11, 20), "platform")
    assert stale.platform_seen_at == IMPORTED == live.platform_seen_at
    assert deadlines.behind_platform(stale.deadline_at, stale.platform_seen_at)
    assert not deadlines.behind_platform(live.deadline_at, live.platform_seen_at)

    later = at(2026, 6, 1, 9)  # both deadlines have passed: only the live one is ours to be late on
    assert timers.due_step(stale, later, timedelta(hours=2)) is None
    assert timers.due_step(live, later, timedelta(hours=2)) == timers.Step.EXPIRE
    behind = {c.platform_case_id for c in Case.objects.all()
              if deadlines.behind_platform(c.deadline_at, c.platform_seen_at)}
    assert {"7300000000000000002", "205000000000000002", "205000000000000071"} <= behind
    due = set(timers.due_cases(later).values_list("platform_case_id", flat=True))
    assert "7300000000000000004" in due and not due & behind
    events = CaseEvent.objects.filter(case=stale).count()
    with time_machine.travel(later, tick=False):
        timers.sweep()
    stale.refresh_from_db()
    assert (stale.status, stale.deadline_at, stale.escalated_at) == ("requested", at(2026, 5, 19, 11, 20), None)
    assert CaseEvent.objects.filter(case=stale).count() == events


def test_the_inbox_shows_them_apart_and_never_as_overdue(client, agent, imported):
    stale = Case.objects.get(platform_case_id="7300000000000000002")
    live = Case.objects.get(platform_case_id="7300000000000000004")
    behind = [c for c in Case.objects.exclude(status__in=["completed", "closed"])
              if deadlines.behind_platform(c.deadline_at, c.platform_seen_at)]
    assert stale in behind and live not in behind
    with time_machine.travel(at(2026, 6, 1, 9), tick=False):
        page = text(client.get("/console/"))
        overdue = text(client.get("/console/", {"overdue": "on"}))
        ours = text(client.get("/console/", {"waiting": "us"}))
        to_sync = text(client.get("/console/", {"waiting": "sync"}))
        case_page = text(client.get(f"/console/cases/{stale.pk}/"))
    row = next(chunk for chunk in page.split("<tr") if stale.number in chunk)
    assert "平台状态待同步" in row and "平台时限 05-19 11:20" in row
    assert "data-deadline" not in row and "due-overdue" not in row
    live_row = next(chunk for chunk in page.split("<tr") if live.number in chunk)
    assert 'data-waiting="us"' in live_row and "due-overdue" in live_row
    # The live cases first, the platform's stale ones after them, however old their deadlines.
    assert page.index(live.number) < min(page.index(c.number) for c in behind)
    quick = page[page.index('data-quick="sync"'):]
    assert f"平台状态待同步 <strong>{len(behind)}</strong>" in quick[:quick.index("</a>")]
    assert live.number in overdue and not any(c.number in overdue for c in behind)
    assert live.number in ours and not any(c.number in ours for c in behind)
    assert all(c.number in to_sync for c in behind) and live.number not in to_sync
    assert "平台状态待同步" in case_page and "平台时限 05-19 11:20" in case_page

