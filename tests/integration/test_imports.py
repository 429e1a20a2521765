"""Importing platform exports: orders then cases for each platform, and re-imports that change nothing
or only what changed in the file."""

from __future__ import annotations

import copy

import pytest
from django.db.models import F

from aftersales.accounts.models import Shop
from aftersales.analytics.models import OrderFacts
from aftersales.cases.models import Case, CaseEvent, CaseLine
from aftersales.catalog.models import Category, Product, Sku
from aftersales.orders.models import Buyer, Order, OrderLine, Payment, Shipment
from aftersales.platforms.services import import_file
from tests.integration.ledger_support import assert_ledger_reconciles
from tests.unit import platform_fixtures as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db) -> Shop:
    return Shop.objects.create(slug="demo", name="演示店")


def counts() -> dict[str, int]:
    return {
        "orders": Order.objects.count(), "lines": OrderLine.objects.count(), "buyers": Buyer.objects.count(),
        "payments": Payment.objects.count(), "shipments": Shipment.objects.count(),
        "cases": Case.objects.count(), "case_lines": CaseLine.objects.count(), "events": CaseEvent.objects.count(),
        "products": Product.objects.count(), "skus": Sku.objects.count(),
    }


def outcome(run) -> tuple[int, int, int, int]:
    return run.created, run.updated, run.unchanged, run.skipped


#: platform → (order file, case file, orders, lines, cases created, case rows skipped)
PLATFORMS = {
    "douyin": (("订单.csv", fx.douyin_orders_csv), ("售后单-2026-05-18 00_34_04.xlsx", fx.douyin_cases_xlsx), 2, 3, 3, 3),
    "taobao": (("ExportOrderList.csv", fx.taobao_orders_csv), ("退款报表.csv", fx.taobao_refunds_csv), 2, 2, 2, 3),
    "jd": (("订单.csv", fx.jd_orders_csv), ("服务单.xlsx", fx.jd_cases_xlsx), 1, 2, 2, 1),
    "pdd": (("订单.csv", fx.pdd_orders_csv), ("售后.xlsx", fx.pdd_cases_xlsx), 2, 2, 2, 1),
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_orders_then_cases_of_each_platform(shop, platform):
    (order_name, order_file), (case_name, case_file), orders, lines, cases, case_skips = PLATFORMS[platform]
    run = import_file(shop, platform, "orders", order_name, order_file())
    assert run.status == "done", run.error_en
    assert outcome(run) == (lines, 0, 0, 0)
    assert (Order.objects.count(), OrderLine.objects.count()) == (orders, lines)
    assert Payment.objects.filter(route="platform").count() == orders
    assert not OrderLine.objects.filter(product__isnull=True).exists()  # every line counts for analytics
    assert OrderFacts.objects.count() == orders  # the rollup hooks ran
    run = import_file(shop, platform, "cases", case_name, case_file())
    assert run.status == "done", run.error_en
    assert (run.created, run.skipped) == (cases, case_skips)
    assert Case.objects.count() == CaseLine.objects.count() == cases
    assert not Case.objects.filter(platform_case_id__isnull=True).exists()
    # each new case: its opening, the state machine's moves to the platform's status (each its own
    # event, by the platform), and one sync event with the platform's texts
    assert CaseEvent.objects.filter(action="open").count() == cases
    assert CaseEvent.objects.filter(action="platform_sync", actor="platform").count() == cases
    moved = CaseEvent.objects.exclude(action__in=("open", "platform_sync", "grant_refund", "refund_settled"))
    assert set(moved.values_list("actor", flat=True)) <= {"platform"}
    for case in Case.objects.exclude(status="requested"):
        walk = list(case.events.exclude(from_status=F("to_status")).exclude(action="open").order_by("pk")
                    .values_list("from_status", "to_status"))
        assert walk[0][0] == "requested" and walk[-1][1] == case.status
        assert all(a[1] == b[0] for a, b in zip(walk, walk[1:], strict=False))  # one unbroken walk
    assert not Case.objects.exclude(platform_status_raw__gt="").exists()


def test_douyin_values_land_where_they_belong(shop):
    import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv())
    order = Order.objects.get(platform_order_id="6921325487901234567")
    assert (order.goods_fen, order.freight_fen, order.channel, order.content_author) == (10880, 0, "live_stream", "小美穿搭")
    assert order.status_raw == "已完成" and order.signed_at is not None
    line = order.lines.get(platform_line_id="6921325487901234568")
    assert (line.unit_price_fen, line.paid_fen, line.quantity, line.sku.code) == (7900, 6900, 1, "TS-WHT-XL")
    assert line.product.category.name == "未分类" and line.product.category.law_category == "other"
    assert order.buyer.phone == "13812345678" and order.buyer.masked_phone == "138****5678"
    closed = Order.objects.get(platform_order_id="6921400000000000001")
    assert closed.goods_fen == 119900  # "¥1,199.00"
    assert closed.lines.get().unit_price_fen == 129900  # "1,299.00"
    assert closed.paid_at.isoformat() == "2026-05-12T00:05:00+00:00"  # "2026/5/12 8:05", Beijing time

    import_file(shop, "douyin", "cases", "售后单.xlsx", fx.douyin_cases_xlsx())
    refunded = Case.objects.get(platform_case_id="7301234567890123456")
    assert (refunded.kind, refunded.status, refunded.platform_status_raw) == ("return_refund", "completed",
                                                                              "同意退款，退款成功")
    assert (refunded.refund_granted_fen, refunded.refunded_fen, refunded.money_status) == (3980, 3980, "refunded")
    assert refunded.lines.get().order_line.platform_line_id == "6921325487901234569"
    assert refunded.deadline_at is None  # finished: no clock runs
    disputed = Case.objects.get(platform_case_id="7301234567890123457")
    assert disputed.status == "arbitration" and disputed.arbitration_status == "requested"
    assert (disputed.deadline_source, disputed.deadline_at.isoformat()) == ("platform", "2026-05-19T03:20:00+00:00")
    returning = Case.objects.get(platform_case_id="7301234567890123458")
    assert (returning.status, returning.return_tracking_no) == ("return_in_transit", "JT5012345678901")
    assert returning.deadline_source == "fallback"  # the file gives no deadline for it
    assert Order.objects.get(platform_order_id="6921325487901234567").refund_granted_fen == 3980
    # requested → completed as the platform reports it: the state machine's moves, each its own event by
    # the platform, the ledger's grant and payment before the refund's success, then the platform's texts
    assert [(e.action, e.actor, e.from_status, e.to_status) for e in refunded.events.order_by("pk")] == [
        ("open", "buyer", "", "requested"),
        ("approve", "platform", "requested", "awaiting_return"),
        ("receive_return", "platform", "awaiting_return", "return_received"),
        ("pass_inspection", "platform", "return_received", "refunding"),
        ("grant_refund", "platform", "refunding", "refunding"),
        ("refund_settled", "platform", "refunding", "refunding"),
        ("refund_succeeded", "platform", "refunding", "completed"),
        ("platform_sync", "platform", "completed", "completed"),
    ]
    sync = refunded.events.get(action="platform_sync")
    assert sync.payload["platform"]["status"] == "同意退款，退款成功"
    assert sync.payload["changes"]["platform_status_raw"] == ["", "同意退款，退款成功"]
    assert "status" not in sync.payload["changes"]
    assert refunded.events.get(action="approve").payload["platform"]["status"] == "同意退款，退款成功"
    assert [e.action for e in disputed.events.order_by("pk")] == ["open", "escalate", "platform_sync"]


def test_jd_order_amount_is_split_over_its_lines(shop):
    import_file(shop, "jd", "orders", "订单.csv", fx.jd_orders_csv())
    order = Order.objects.get()
    assert order.goods_fen == 91600  # 应付金额 is the order's, repeated on each row: counted once
    assert sorted(order.lines.values_list("paid_fen", flat=True)) == [15800, 75800]
    assert order.payments.get().amount_fen == 91600


def test_reimporting_the_same_files_changes_nothing(shop):
    for platform, ((order_name, order_file), (case_name, case_file), *_rest) in PLATFORMS.items():
        import_file(shop, platform, "orders", order_name, order_file())
        import_file(shop, platform, "cases", case_name, case_file())
    before = counts()
    stamps = dict(Case.objects.values_list("pk", "version"))
    for platform, ((order_name, order_file), (case_name, case_file), _o, lines, cases, skips) in PLATFORMS.items():
        again = import_file(shop, platform, "orders", order_name, order_file())
        assert outcome(again) == (0, 0, lines, 0), platform
        again = import_file(shop, platform, "cases", case_name, case_file())
        assert outcome(again) == (0, 0, cases, skips), platform
    assert counts() == before
    assert dict(Case.objects.values_list("pk", "version")) == stamps


def test_an_updated_export_updates_only_what_changed(shop):
    import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv())
    import_file(shop, "douyin", "cases", "售后单.xlsx", fx.douyin_cases_xlsx())
    before = counts()

    rows = copy.deepcopy(fx.DOUYIN_ORDER_ROWS)
    rows[2]["订单状态"] = "已完成"  # the closed order is now complete
    rows[2]["订单应付金额"] = "¥1,099.00"
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv(rows=rows))
    assert outcome(run) == (0, 1, 2, 0)
    order = Order.objects.get(platform_order_id="6921400000000000001")
    assert (order.status_raw, order.goods_fen, order.payments.get().amount_fen) == ("已完成", 109900, 109900)

    cases = copy.deepcopy(fx.DOUYIN_CASE_ROWS)
    cases[1].update({"售后状态": "同意退款，退款成功", "仲裁状态": "-", "商家退款时间": "2026-05-20 10:00:00"})
    cases[2]["退商品金额（元）"] = "1,099.00"
    run = import_file(shop, "douyin", "cases", "售后单.xlsx", fx.douyin_cases_xlsx(cases))
    assert outcome(run) == (0, 2, 1, 3)
    # The ruling and the refund's success (the platform's moves), a sync of each case's changed texts or
    # amount, and the money paid back through the ledger: a grant and a settled payment.
    assert counts() == {**before, "events": before["events"] + 6}
    paid_back = Case.objects.get(platform_case_id="7301234567890123457")
    assert (paid_back.status, paid_back.refund_granted_fen, paid_back.refunded_fen) == ("completed", 6900, 6900)
    assert paid_back.deadline_at is None and paid_back.closed_at is not None
    assert [(e.action, e.actor, e.from_status, e.to_status) for e in paid_back.events.order_by("-pk")[:5][::-1]] == [
        ("rule_for_buyer", "platform", "arbitration", "refunding"),
        ("grant_refund", "platform", "refunding", "refunding"),
        ("refund_settled", "platform", "refunding", "refunding"),
        ("refund_succeeded", "platform", "refunding", "completed"),
        ("platform_sync", "platform", "completed", "completed"),
    ]
    assert paid_back.arbitration_status == "ruled_for_buyer"
    decision = paid_back.refund_decisions.get()
    assert (decision.amount_fen, decision.actor, decision.reason_code) == (6900, "platform", "platform_refund")
    assert [(p.route, p.amount_fen, p.status) for p in paid_back.refund_payments.all()] == [
        ("platform", 6900, "succeeded")]
    assert_ledger_reconciles()
    assert Case.objects.get(platform_case_id="7301234567890123458").requested_fen == 109900
    # and once more: nothing left to change
    again = import_file(shop, "douyin", "cases", "售后单.xlsx", fx.douyin_cases_xlsx(cases))
    assert outcome(again) == (0, 0, 3, 3)
    assert CaseEvent.objects.count() == before["events"] + 6
    assert_ledger_reconciles()


def test_a_case_whose_order_is_missing_is_reported_and_skipped(shop):
    run = import_file(shop, "pdd", "cases", "售后.xlsx", fx.pdd_cases_xlsx())
    assert run.status == "done" and (run.created, run.skipped) == (0, 3)
    assert Case.objects.count() == 0
    missing = [e for e in run.report if e["code"] == "import.order_missing"]
    assert [e["row"] for e in missing] == [2, 3, 4]
    assert missing[0]["message_zh"] == "第 2 行：订单「260517-607198974342268」不存在，请先导入订单。"
    assert missing[0]["column"] == "订单编号"


def test_a_refund_above_what_the_order_can_refund_is_clamped_and_reported(shop):
    import_file(shop, "pdd", "orders", "订单.csv", fx.pdd_orders_csv())
    rows = copy.deepcopy(fx.PDD_CASE_ROWS[:1])
    rows[0]["退款金额"] = "1,500.00"  # the order paid 1,224.00
    run = import_file(shop, "pdd", "cases", "售后.xlsx", fx.xlsx_bytes(fx.PDD_CASES, rows, sheet="售后信息"))
    case = Case.objects.get()
    assert (case.refund_granted_fen, case.refunded_fen) == (122400, 122400)
    assert case.order.refund_granted_fen == 122400
    warning = next(e for e in run.report if e["code"] == "import.refund_clamped")
    assert warning["level"] == "warning" and "1224.00" in warning["message_zh"]
    assert run.warnings == 1 and run.created == 1


def test_an_order_that_the_database_refuses_is_skipped_alone(shop, monkeypatch):
    """A batch that fails is retried order by order: the other orders of the batch still land."""
    from aftersales.platforms import order_writer

    real = order_writer.insert

    def refusing(model, columns, rows, **kw):
        if model is OrderLine and any("冰丝" in str(cell) for row in rows for cell in row):
            from django.db import IntegrityError

            raise IntegrityError("refused for the test")
        return real(model, columns, rows, **kw)

    monkeypatch.setattr(order_writer, "insert", refusing)
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv())
    assert outcome(run) == (1, 0, 0, 2)  # the two rows of the refused order are skipped, whole
    assert list(Order.objects.values_list("platform_order_id", flat=True)) == ["6921400000000000001"]
    assert OrderLine.objects.count() == 1 and Payment.objects.count() == 1
    assert {e["row"] for e in run.report if e["code"] == "import.row_failed"} == {2, 3}


def test_orders_are_written_in_batches_and_lines_of_one_order_stay_together(shop):
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv(), batch_orders=1)
    assert outcome(run) == (3, 0, 0, 0)
    assert Order.objects.get(platform_order_id="6921325487901234567").lines.count() == 2
    assert Category.objects.filter(name="未分类").count() == 1


def test_a_taobao_item_report_needs_its_order_stored_first(shop):
    """宝贝报表 rows carry no times: they can only itemise an order the 订单报表 brought in (its one
    summary line is replaced; see test_imports_taobao_reports)."""
    rows = [{**fx.TAOBAO_ORDER_ROWS[0], "订单编号": '="35153131473293581"', "主订单编号": '="35153131473293581"'}]
    import_file(shop, "taobao", "orders", "ExportOrderList.csv",
                fx.taobao_csv_text(fx.TAOBAO_ORDERS, rows).encode("gbk"))
    run = import_file(shop, "taobao", "orders", "ExportOrderDetailList.csv", fx.taobao_detail_csv())
    assert (run.created, run.skipped) == (2, 0)
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert sorted(order.lines.values_list("quantity", "paid_fen")) == [(1, 2755), (3, 17357)]  # 201.12 shared by list amount
    assert order.goods_fen == 20112
    other = import_file(shop, "taobao", "orders", "ExportOrderDetailList.csv",
                        fx.taobao_detail_csv().replace(b"35153131473293581", b"35153131473293599"))
    assert (other.created, other.skipped) == (0, 2)  # no time for a new order in an item report
    assert {e["code"] for e in other.report} == {"import.paid_at_missing"}


def test_taobao_and_pdd_orders_keep_freight_buyers_and_masked_phones_apart(shop):
    import_file(shop, "taobao", "orders", "ExportOrderList.csv", fx.taobao_orders_csv())
    silk = Order.objects.get(platform_order_id="35153131473293580")
    # 买家实际支付金额 109.00 is the order's and includes 10.00 freight: the line paid 99.00
    assert (silk.goods_fen, silk.freight_fen, silk.free_shipping) == (9900, 1000, False)
    assert silk.lines.get().paid_fen == 9900 and silk.payments.get().amount_fen == 10900
    assert (silk.buyer.nick, silk.province, silk.city) == ("lily_shop", "北京", "北京市")
    assert silk.shipped_at is None  # 买家已付款，等待卖家发货
    wool = Order.objects.get(platform_order_id="35153131473293579")
    assert wool.shipments.get().tracking_no == "3101234567890" and wool.shipped_at is not None

    import_file(shop, "pdd", "orders", "订单.csv", fx.pdd_orders_csv())
    phones = set(Buyer.objects.filter(platform="pdd").values_list("phone", flat=True))
    assert phones == {"138****1234", "139****8888"}  # stored as given, masked ones stay masked
    assert Buyer.objects.filter(platform="pdd").count() == 2
    cherries = Order.objects.get(platform_order_id="260517-607198974342268")
    assert (cherries.goods_fen, cherries.channel) == (122400, "live_stream")
    assert cherries.lines.get().sku.code == "CZ-JJ-2J"


def test_a_known_buyer_and_a_known_sku_are_reused(shop):
    category = Category.objects.create(shop=shop, name="女装", law_category="apparel")
    product = Product.objects.create(shop=shop, category=category, title="T恤")
    Sku.objects.create(shop=shop, product=product, code="TS-WHT-XL", spec="白色 XL", price_fen=7900)
    known = Buyer.objects.create(shop=shop, platform="douyin", phone="13812345678", name="张三")
    import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv())
    line = OrderLine.objects.get(platform_line_id="6921325487901234568")
    assert (line.sku.product_id, line.product_id) == (product.pk, product.pk)
    assert Order.objects.get(platform_order_id="6921325487901234567").buyer_id == known.pk
    assert Sku.objects.filter(code="TS-WHT-XL").count() == 1


def test_the_oldest_buyer_of_a_nick_or_a_phone_is_the_one_reused(shop):
    oldest_nick = Buyer.objects.create(shop=shop, platform="taobao", nick="lily_shop")
    Buyer.objects.create(shop=shop, platform="taobao", nick="lily_shop")
    oldest_phone = Buyer.objects.create(shop=shop, platform="douyin", phone="13812345678")
    Buyer.objects.create(shop=shop, platform="douyin", phone="13812345678")
    import_file(shop, "taobao", "orders", "ExportOrderList.csv", fx.taobao_orders_csv())
    assert Order.objects.get(platform_order_id="35153131473293580").buyer_id == oldest_nick.pk
    import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv())
    assert Order.objects.get(platform_order_id="6921325487901234567").buyer_id == oldest_phone.pk


def test_what_a_refused_batch_made_of_the_catalog_is_made_again_by_the_next(shop, monkeypatch):
    """A SKU and product created in a batch that is rolled back are gone: the next order of the same
    code creates them again rather than pointing at them."""
    from aftersales.platforms import order_writer

    real = order_writer.insert

    def refusing(model, columns, rows, **kw):
        if model is OrderLine and any("refused" in str(cell) for row in rows for cell in row):
            from django.db import IntegrityError

            raise IntegrityError("refused for the test")
        return real(model, columns, rows, **kw)

    monkeypatch.setattr(order_writer, "insert", refusing)
    first = {**fx.DOUYIN_ORDER_ROWS[2], "商家编码": "NEW-CODE", "选购商品": "新品 refused"}
    second = {**fx.DOUYIN_ORDER_ROWS[2], "主订单编号": "\t6921400000000000011", "子订单编号": "\t6921400000000000012",
              "商家编码": "NEW-CODE", "选购商品": "新品 refused"}
    third = {**second, "主订单编号": "\t6921400000000000021", "子订单编号": "\t6921400000000000022",
             "选购商品": "新品"}
    data = fx.douyin_orders_csv("A", [first, second, third])
    run = import_file(shop, "douyin", "orders", "订单.csv", data, batch_orders=1)
    assert outcome(run) == (1, 0, 0, 2)
    line = OrderLine.objects.get()
    assert (line.sku.code, line.product.title) == ("NEW-CODE", "新品")


def test_an_order_export_with_the_shops_free_shipping_columns_keeps_the_threshold_and_the_waived_freight(shop):
    # 满99包邮 with ¥8 of freight waived, in two columns the shop added to its 抖店 export.
    rows = copy.deepcopy(fx.DOUYIN_ORDER_ROWS)
    for row in rows:
        if row["主订单编号"].strip() == "6921325487901234567":
            row.update({"包邮门槛": "99.00", "减免运费": "8.00"})
    file = fx.csv_text([*fx.DOUYIN_ORDER_A, "包邮门槛", "减免运费"], rows).encode("utf-8-sig")
    run = import_file(shop, "douyin", "orders", "订单.csv", file)
    assert run.status == "done", run.error_en
    order = Order.objects.get(platform_order_id="6921325487901234567")
    assert (order.free_shipping_threshold_fen, order.waived_freight_fen) == (9900, 800)
    assert Order.objects.exclude(pk=order.pk).filter(waived_freight_fen=0).exists()
    again = import_file(shop, "douyin", "orders", "订单.csv", file)
    assert (again.created, again.updated) == (0, 0)  # nothing changed: nothing written
