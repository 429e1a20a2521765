"""Exports of cases, refunds and inspections that open cleanly in Excel: CSV with BOM and CRLF, XLSX
with numbers as numbers; Chinese headings (or English), Beijing time, phones masked."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook

from aftersales.accounts.models import ApiToken
from aftersales.cases import services
from aftersales.cases.domain.states import Actor
from aftersales.exports import sheets as exports
from aftersales.refunds import services as refunds
from aftersales.warehouse import services as warehouse
from tests.integration.console_support import member
from tests.integration.test_timers_support import MERCHANT, T0, make_order, make_shop, open_case

pytestmark = pytest.mark.django_db
WAREHOUSE = services.By(Actor.WAREHOUSE)


@pytest.fixture
def shop():
    with time_machine.travel(T0, tick=False):
        shop = make_shop("exporter")
        # A return that is received, inspected and refunded, bought by a buyer whose nick looks like a formula.
        order = make_order(shop, platform="taobao", nick="=HYPERLINK(\"http://x\")", phone="13812345678",
                           paid_fen=12_345)
        case = open_case(shop, order, kind="return_refund", reason="size_fit")
        services.approve_case(shop, case.pk, MERCHANT, now=T0)
        services.record_return_shipment(shop, case.pk, MERCHANT, carrier="顺丰", tracking_no="SF1234567890",
                                        now=T0 + timedelta(hours=1))
        warehouse.receive_parcel(shop, WAREHOUSE, tracking_no="SF1234567890", now=T0 + timedelta(days=2))
        warehouse.inspect_return(shop, case.pk, WAREHOUSE, grade="A",
                                 checklist=dict.fromkeys(warehouse.CHECKLIST_ITEMS, True), restock=True,
                                 now=T0 + timedelta(days=2, hours=1))
        refunds.grant_refund(shop, case.pk, MERCHANT, reason_code="inspection_passed",
                             now=T0 + timedelta(days=2, hours=2))
        refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key="export-test-0001",
                               now=T0 + timedelta(days=2, hours=2))
        # And a second, still open case, opened a week later.
        open_case(shop, make_order(shop, platform="douyin", nick="小李", phone="13900001234"),
                  at=T0 + timedelta(days=7))
    return shop


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # CRLF only
    return list(csv.reader(io.StringIO(text, newline="")))


def as_bytes(shop, what, fmt, **kwargs) -> bytes:
    out = io.BytesIO()
    exports.export(shop, what, fmt, out, **kwargs)
    return out.getvalue()


def test_cases_csv_in_chinese_with_bom_crlf_masked_phones_and_beijing_time(shop):
    rows = read_csv(as_bytes(shop, "cases", "csv"))
    header, first = rows[0], rows[1]
    assert header[:4] == ["售后单号", "平台", "平台售后单号", "订单号"]
    assert len(rows) == 3
    record = dict(zip(header, first, strict=True))
    assert record["平台"] == "淘宝" and record["类型"] == "退货退款" and record["状态"] == "售后成功"
    assert record["买家手机"] == "138****5678"
    assert record["买家"] == "'=HYPERLINK(\"http://x\")"  # never a formula in Excel
    assert record["申请金额(元)"] == record["同意退款(元)"] == record["已退款(元)"] == "123.45"
    assert record["申请时间"] == "2025-06-02 09:00:00"  # T0 is 01:00 UTC
    assert record["退货单号"] == "SF1234567890" and record["质检结果"] == "通过"
    text = as_bytes(shop, "cases", "csv").decode("utf-8-sig")
    assert "13812345678" not in text and "13900001234" not in text


def test_english_headings(shop):
    rows = read_csv(as_bytes(shop, "cases", "csv", lang="en"))
    assert rows[0][:3] == ["Case no.", "Platform", "Platform case id"]
    assert dict(zip(rows[0], rows[1], strict=True))["Platform"] == "Taobao"


def test_english_cells_read_as_words_capitalised_and_lists_joined_with_commas(shop):
    """The English files read like the English pages: "Return and refund", not the catalogue's
    lower-case inline words, and no Chinese list comma (、) between English words."""
    case = shop.cases.order_by("pk").first()
    case.tags = ["VIP", "复购"]
    case.save(update_fields=["tags"])
    rows = read_csv(as_bytes(shop, "cases", "csv", lang="en"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["Kind"], record["Status"], record["Reason"]) == ("Return and refund", "Completed", "Size or fit")
    assert record["Inspection"] == "Passed" and record["Tags"] == "VIP, 复购"
    assert dict(zip(rows[0], rows[2], strict=True))["Kind"] == "Refund only"
    refund_rows = read_csv(as_bytes(shop, "refunds", "csv", lang="en"))
    record = dict(zip(refund_rows[0], refund_rows[1], strict=True))
    assert (record["Reason"], record["Decided by"], record["Movement"]) == ("Inspection passed", "Merchant", "Refund")
    assert record["Payment status"] == "Succeeded"
    chinese = read_csv(as_bytes(shop, "cases", "csv"))
    assert dict(zip(chinese[0], chinese[1], strict=True))["标签"] == "VIP、复购"


def test_since_counts_from_the_start_of_that_beijing_day(shop):
    since = date(2025, 6, 9)  # the second case was opened on 9 June, 09:00 Beijing time
    assert len(read_csv(as_bytes(shop, "cases", "csv", since=since))) == 2
    assert len(read_csv(as_bytes(shop, "cases", "csv", since=date(2025, 6, 10)))) == 1


def test_refunds_and_inspections(shop):
    refund_rows = read_csv(as_bytes(shop, "refunds", "csv"))
    record = dict(zip(refund_rows[0], refund_rows[1], strict=True))
    assert record["退款金额(元)"] == "123.45" and record["退款原因"] == "质检通过"
    assert record["已到账(元)"] == "123.45" and record["打款状态"]
    inspection_rows = read_csv(as_bytes(shop, "inspections", "csv"))
    record = dict(zip(inspection_rows[0], inspection_rows[1], strict=True))
    assert record["质检结论"] == "质检通过：商品完好" and record["未通过原因"] == ""
    assert record["再售等级"] == "A — 完好，可二次销售"
    assert record["重新入库"] == "是" and record["收到数量"] == "1"
    assert record["退货单号"] == "SF1234567890" and record["质检时间"] == "2025-06-04 10:00:00"


def test_xlsx_has_a_header_widths_numbers_and_times(shop):
    book = load_workbook(io.BytesIO(as_bytes(shop, "cases", "xlsx")))
    sheet = book.active
    assert sheet.title == "售后单"
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "售后单号" and sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 18
    record = {h: cell for h, cell in zip(header, sheet[2], strict=True)}
    amount = record["申请金额(元)"]
    assert isinstance(amount.value, int | float | Decimal) and float(amount.value) == 123.45
    assert amount.number_format == "#,##0.00"
    opened = record["申请时间"]
    assert opened.value == datetime(2025, 6, 2, 9, 0) and opened.is_date
    assert record["买家"].data_type == "s" and record["买家"].value.startswith("'=")
    assert record["买家手机"].value == "138****5678"
    assert sheet.max_row == 3


def test_export_command(shop, tmp_path):
    target = tmp_path / "退款.xlsx"
    out = io.StringIO()
    call_command("export", "refunds", "--shop", "exporter", "-o", str(target), stdout=out)
    assert "refunds: 1 rows" in out.getvalue()
    assert load_workbook(target).active["A1"].value == "售后单号"
    csv_target = tmp_path / "inspections.csv"
    call_command("export", "inspections", "--shop", "exporter", "--format", "csv", "--lang", "en",
                 "--since", "2025-06-01", "-o", str(csv_target), stdout=io.StringIO())
    assert read_csv(csv_target.read_bytes())[0][0] == "Case no."


def test_export_api(client, shop):
    token = ApiToken.issue(shop, name="export")[1]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/exports/cases.csv", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="exporter-cases-')
    assert len(read_csv(response.content)) == 3

    response = client.get("/api/v1/exports/inspections.xlsx?lang=en&since=2025-06-01", headers=headers)
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active["A1"].value == "Case no."

    assert client.get("/api/v1/exports/orders.csv", headers=headers).status_code == 404
    assert client.get("/api/v1/exports/cases.pdf", headers=headers).status_code == 404
    assert client.get("/api/v1/exports/cases.csv").status_code == 401

    warehouse_token = ApiToken.issue(shop, name="wh", role="warehouse")[1]
    wh = {"Authorization": f"Bearer {warehouse_token}"}
    assert client.get("/api/v1/exports/refunds.csv", headers=wh).status_code == 403
    assert client.get("/api/v1/exports/inspections.csv", headers=wh).status_code == 200


def test_another_shops_rows_never_appear(shop):
    other = make_shop("other")
    with time_machine.travel(T0, tick=False):
        open_case(other, make_order(other))
    assert len(read_csv(as_bytes(shop, "cases", "csv"))) == 3
    assert len(read_csv(as_bytes(other, "cases", "csv"))) == 2


def test_staff_download_from_the_console_in_the_page_language_and_by_role(client, shop):
    client.force_login(member(shop, "owner-x", "owner"))
    response = client.get("/console/export/cases.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="exporter-cases-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3 and sheet["A1"].value == "售后单号"
    rows = read_csv(client.get("/console/export/refunds.csv").content)
    assert len(rows) == 2
    assert len(read_csv(client.get("/console/export/cases.csv?since=2099-01-01").content)) == 1
    bad = client.get("/console/export/cases.csv?since=yesterday")
    assert bad.status_code == 400 and "日期" in bad.content.decode()
    assert client.get("/console/export/orders.csv").status_code == 404
    assert client.get("/console/export/cases.pdf").status_code == 404

    client.force_login(member(shop, "wh-x", "warehouse"))
    assert client.get("/console/export/inspections.xlsx").status_code == 200
    assert client.get("/console/export/cases.xlsx").status_code == 403
    assert client.get("/console/export/refunds.csv").status_code == 403


def test_console_downloads_never_show_another_shop(client, shop):
    other = make_shop("other")
    client.force_login(member(other, "owner-o", "owner"))
    rows = read_csv(client.get("/console/export/cases.csv").content)
    assert rows == rows[:1]  # the heading only: the exporter shop's cases are not there


@pytest.mark.parametrize(("lang", "header"), [("zh-hans", "再售等级"), ("en", "Resale grade")])
def test_the_inspection_export_and_the_case_page_show_the_same_grade_words(shop, client, lang, header):
    rows = read_csv(as_bytes(shop, "inspections", "csv", lang=lang))
    exported = dict(zip(rows[0], rows[1], strict=True))[header]
    client.force_login(member(shop, "owner-grade", "owner"))
    case = shop.cases.order_by("pk").first()
    client.cookies["django_language"] = lang  # the language switch's choice
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    words = {"zh-hans": "A — 完好，可二次销售", "en": "A — resell as new"}[lang]
    assert exported == words and words in page


@pytest.mark.parametrize("grade", ["A", "B", "C", "D"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_grade_has_one_word_for_exports_and_pages(grade, lang):
    from django.utils import translation

    from aftersales.core import labels as export_labels
    from aftersales.web import labels as page_labels
    with translation.override(lang):
        assert page_labels.label("grade", grade) == export_labels.label(export_labels.GRADE, grade, lang)


@pytest.mark.parametrize("item", ["tags_intact", "seal_intact", "not_washed", "not_used", "accessories_complete",
                                  "not_activated"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_checklist_item_has_one_word_for_exports_and_pages(item, lang):
    from django.utils import translation

    from aftersales.core import labels as export_labels
    from aftersales.web import labels as page_labels
    with translation.override(lang):
        page = str(page_labels.label("check", item))
    assert page == export_labels.label(export_labels.CHECK, item, lang)
    assert page == {"zh-hans": {"tags_intact": "吊牌完好", "not_activated": "未激活"},
                    "en": {"tags_intact": "Tags intact", "not_activated": "Not activated"}}[lang].get(item, page)


@pytest.mark.parametrize(("lang", "joined"), [("zh-hans", "尺码不合适 2、七天无理由 1"),
                                              ("en", "Size or fit 2, No reason 1")])
def test_the_pages_and_the_analytics_files_list_things_as_their_language_does(lang, joined):
    """One list separator for pages and files (the content figure's main reasons read 'Size or fit 2、…')."""
    from django.utils import translation

    from aftersales.analytics.labels import Labeler
    from aftersales.web import labels as page_labels
    with translation.override(lang):
        assert page_labels.join(f"{Labeler.reason(code)} {n}" for code, n in [("size_fit", 2), ("no_reason", 1)]) \
            == joined
