"""`aftersales import …` end to end, and the /imports/ page: upload, progress, report downloads, roles."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from aftersales.accounts.models import Shop
from aftersales.cases.models import Case
from aftersales.orders.models import Order, OrderLine
from aftersales.platforms import views
from aftersales.platforms.models import ImportRun
from aftersales.platforms.services import start_run
from tests.integration.console_support import member
from tests.unit import platform_fixtures as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db) -> Shop:
    return Shop.objects.create(slug="demo", name="演示店")


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def run_cli(*args) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


# ---- the command --------------------------------------------------------------------------------


def test_the_command_imports_orders_then_cases_and_writes_the_report(shop, var_dir, tmp_path):
    orders, cases = tmp_path / "订单.csv", tmp_path / "售后单.xlsx"
    orders.write_bytes(fx.douyin_orders_csv())
    cases.write_bytes(fx.douyin_cases_xlsx())
    out = run_cli("douyin", str(orders))
    assert "created 3 · updated 0 · unchanged 0 · skipped 0" in out
    assert "no problems found" in out
    assert Order.objects.count() == 2

    out = run_cli("douyin", str(cases), "--kind", "cases", "--shop", "demo")
    assert "created 3 · updated 0 · unchanged 0 · skipped 3" in out
    run = ImportRun.objects.get(kind="cases")
    report = var_dir / "imports" / f"{run.pk}-report.csv"
    assert f"report: {report}" in out
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    assert "第 7 行：订单「6921400000000000003」不存在，请先导入订单。" in out  # first problems, in Chinese
    assert "第 5 行「退商品金额（元）」的值「abc」无效" in out
    assert Case.objects.count() == 3

    again = run_cli("douyin", str(orders))
    assert "created 0 · updated 0 · unchanged 3 · skipped 0" in again


def test_the_command_prints_the_problems_brackets_and_all(shop, var_dir, tmp_path):
    exports = Path(__file__).resolve().parent.parent / "fixtures" / "exports"
    orders, cases = tmp_path / "[1] 订单.csv", tmp_path / "服务单.xlsx"
    orders.write_bytes((exports / "jd_orders_35.csv").read_bytes())
    cases.write_bytes((exports / "jd_service_orders.xlsx").read_bytes())
    assert "[1] 订单.csv (csv, gb18030): 5 rows read" in run_cli("jd", str(orders))
    out = run_cli("jd", str(cases), "--kind", "cases")
    # the message names the mapping table to add the text to; it is not taken for a style tag
    assert "可以在映射文件 jd_cases.toml 的 [case_kind] 里加上它。" in out


def test_the_command_fails_with_a_nonzero_exit_on_a_bad_file(shop, var_dir, tmp_path):
    empty = tmp_path / "订单.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="是空的"):
        run_cli("douyin", str(empty))
    assert ImportRun.objects.get().status == "failed"
    with pytest.raises(CommandError, match="no shop"):
        run_cli("douyin", str(empty), "--shop", "nope")
    with pytest.raises(CommandError, match="no such file"):
        run_cli("douyin", str(tmp_path / "missing.csv"))
    wrong = tmp_path / "pdd.csv"
    wrong.write_bytes(fx.pdd_orders_csv())
    with pytest.raises(CommandError, match="拼多多订单导出"):
        run_cli("douyin", str(wrong))
    assert Order.objects.count() == 0


# ---- the page -----------------------------------------------------------------------------------


def upload(client, data: bytes, name: str, platform: str = "douyin", kind: str = "orders"):
    return client.post("/imports/", {"platform": platform, "kind": kind, "file": SimpleUploadedFile(name, data)})


def test_an_owner_uploads_and_reads_the_summary_and_the_problems(client, shop, var_dir):
    client.force_login(member(shop, "owner1", "owner"))
    home = client.get("/imports/").content.decode()
    assert "导入平台导出文件" in home and "上传导出文件" in home  # the page speaks Chinese first
    response = upload(client, fx.douyin_orders_csv(), "订单.csv")
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/"
    assert (run.status, run.created, run.created_by.username) == ("done", 3, "owner1")

    response = upload(client, fx.douyin_cases_xlsx(), "售后单.xlsx", kind="cases")
    run = ImportRun.objects.get(kind="cases")
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "订单「6921400000000000003」不存在，请先导入订单。" in page
    assert f"/imports/{run.pk}/report.csv" in page and "hx-trigger" not in page  # finished: no polling
    listing = client.get("/imports/").content.decode()
    assert "售后单.xlsx" in listing and "订单.csv" in listing and "已完成" in listing

    csv_report = client.get(f"/imports/{run.pk}/report.csv")
    assert csv_report["Content-Disposition"].endswith('report.csv"')
    body = csv_report.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("行号,列,值")
    assert "请先导入订单" in body
    assert body.splitlines()[0] == "行号,列,值,类型,代码,说明" and "Please import" not in body
    xlsx = client.get(f"/imports/{run.pk}/report.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == len(run.report) + 1 and sheet["A2"].value == 5
    assert (sheet.title, sheet["D2"].value) == ("导入报告", "错误（未导入）")

    # The English page downloads the report in English: headings, the level and each row's message.
    client.cookies["django_language"] = "en"
    body = client.get(f"/imports/{run.pk}/report.csv").content.decode("utf-8-sig")
    assert body.splitlines()[0] == "Row,Column,Value,Type,Code,Message"
    assert "Error (not imported)" in body and "请先导入订单" not in body
    sheet = load_workbook(io.BytesIO(client.get(f"/imports/{run.pk}/report.xlsx").content)).active
    assert (sheet.title, sheet["A1"].value, sheet["D2"].value) == ("Import report", "Row", "Error (not imported)")


def test_a_bad_upload_shows_the_file_error(client, shop, var_dir):
    client.force_login(member(shop, "agent1", "agent"))
    upload(client, fx.pdd_orders_csv(), "拼多多.csv")
    run = ImportRun.objects.get()
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "拼多多订单导出" in page and "role=\"alert\"" in page
    assert OrderLine.objects.count() == 0
    response = client.post("/imports/", {"platform": "douyin", "kind": "orders"})  # no file
    assert response.status_code == 400 and ImportRun.objects.count() == 1


def test_warehouse_staff_and_other_shops_are_refused(client, shop, var_dir):
    client.force_login(member(shop, "wh1", "warehouse"))
    assert client.get("/imports/").status_code == 403
    assert upload(client, fx.douyin_orders_csv(), "订单.csv").status_code == 403
    assert ImportRun.objects.count() == 0 and Order.objects.count() == 0

    other = Shop.objects.create(slug="other", name="别家店")
    theirs = start_run(other, "douyin", "orders", "别家.csv")
    client.force_login(member(shop, "owner2", "owner"))
    for path in (f"/imports/{theirs.pk}/", f"/imports/{theirs.pk}/progress/", f"/imports/{theirs.pk}/report.csv"):
        assert client.get(path).status_code == 404
    client.logout()
    assert client.get("/imports/").status_code == 302  # to the sign-in page


def test_a_big_file_goes_to_the_worker_and_the_page_polls_its_progress(client, shop, var_dir, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(views, "SYNC_MAX_BYTES", 10)
    client.force_login(member(shop, "owner3", "owner"))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        upload(client, fx.douyin_orders_csv(), "订单.csv")
    run = ImportRun.objects.get()
    assert run.status == "queued" and run.upload and Order.objects.count() == 0
    progress = client.get(f"/imports/{run.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in progress and f"/imports/{run.pk}/progress/" in progress

    monkeypatch.setattr(HUEY, "immediate", True)  # the worker runs the task inline
    for callback in queued:
        callback()
    run.refresh_from_db()
    assert (run.status, run.created, run.upload) == ("done", 3, "")
    assert not any((var_dir / "media" / "imports").rglob("*.*"))  # the stored upload is gone
    progress = client.get(f"/imports/{run.pk}/progress/").content.decode()
    assert "hx-trigger" not in progress and "3" in progress
