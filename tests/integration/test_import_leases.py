"""An import whose process died does not stay "running" for ever: its lease runs out, and the worker's
minute task or the imports page resumes it from the stored upload (importing is idempotent by the
platforms' own ids) or fails it with the reason, and the upload is deleted once the run has ended."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from aftersales.accounts.models import Shop
from aftersales.core import clock
from aftersales.orders.models import Order
from aftersales.platforms import import_leases as leases
from aftersales.platforms.models import ImportRun
from aftersales.platforms.services import import_file, start_run
from tests.integration.console_support import member
from tests.unit import platform_fixtures as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db) -> Shop:
    return Shop.objects.create(slug="demo", name="演示店")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def inline_worker(monkeypatch):
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "immediate", True)  # the worker runs a queued task inline


def died(shop, *, upload: bytes | None, attempts: int = 1, lease_left: timedelta = -timedelta(minutes=1),
         rows: int = 2) -> ImportRun:
    """A run left "running" by a process that stopped after `rows` rows (its lease as given)."""
    run = start_run(shop, "douyin", "orders", "订单.csv")
    if upload is not None:
        run.upload = default_storage.save(f"imports/{shop.pk}/{run.pk}.csv", ContentFile(upload))
    now = clock.now()
    run.status, run.started_at, run.attempts = ImportRun.RUNNING, now - timedelta(minutes=20), attempts
    run.lease_until, run.rows_read, run.created = now + lease_left, rows, rows
    run.save()
    return run


def test_a_run_whose_worker_died_is_resumed_from_its_upload_and_doubles_nothing(
        shop, media, inline_worker, django_capture_on_commit_callbacks):
    data = fx.douyin_orders_csv()
    # What the dead worker wrote before it stopped: here, every order of the file.
    assert import_file(shop, "douyin", "orders", "订单.csv", data).created == 3
    orders = Order.objects.count()
    run = died(shop, upload=data)
    stored = media / run.upload
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        reaped = leases.reap_stale_imports()
    assert (reaped.resumed, reaped.failed) == ([run.pk], [])
    run.refresh_from_db()
    assert (run.status, run.attempts, run.created, run.updated, run.unchanged) == ("done", 2, 0, 0, 3)
    assert run.interrupted_at is not None and run.lease_until is None and run.error_code == ""
    assert Order.objects.count() == orders  # imported again by the platforms' ids: nothing doubled
    assert run.upload == "" and not stored.exists()


def test_a_run_that_cannot_be_resumed_fails_with_the_reason_and_its_upload_is_deleted(shop, media):
    in_request = died(shop, upload=None)  # a small file imported in a web request: nothing to resume from
    tried_twice = died(shop, upload=fx.douyin_orders_csv(), attempts=leases.MAX_ATTEMPTS)
    stored = media / tried_twice.upload
    reaped = leases.reap_stale_imports()
    assert sorted(reaped.failed) == sorted([in_request.pk, tried_twice.pk]) and reaped.resumed == []
    for run in (in_request, tried_twice):
        run.refresh_from_db()
        assert (run.status, run.error_code, run.upload) == ("failed", "import.interrupted", "")
        assert run.error_zh.startswith("导入进程中断：超过 5 分钟没有进展")
        assert run.error_en.startswith("The import process stopped: no progress for over 5 minutes")
        assert run.finished_at is not None and run.interrupted_at is not None
        assert (run.rows_read, run.created) == (2, 2)  # what it wrote is kept and counted
    assert not stored.exists()
    assert Order.objects.count() == 0


def test_a_live_run_and_a_queued_one_are_left_alone(shop, media):
    live = died(shop, upload=fx.douyin_orders_csv(), lease_left=timedelta(minutes=3))
    queued = start_run(shop, "douyin", "orders", "待导入.csv")
    before = {r.pk: (r.status, r.lease_until, r.upload) for r in ImportRun.objects.all()}
    assert leases.reap_stale_imports() == leases.Reaped()
    after = {r.pk: (r.status, r.lease_until, r.upload) for r in ImportRun.objects.all()}
    assert after == before and after[live.pk][0] == "running" and after[queued.pk][0] == "queued"
    assert (media / live.upload).exists()


def test_the_imports_page_shows_the_interruption_and_reaps_only_its_shop(client, shop, media):
    other = Shop.objects.create(slug="other", name="别家店")
    theirs = died(other, upload=None)
    ours = died(shop, upload=None)
    client.force_login(member(shop, "owner_i", "owner"))
    page = client.get("/imports/").content.decode()
    assert "导入进程中断" in page
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, theirs.status) == ("failed", "running")  # another shop's run is not touched here
    detail = client.get(f"/imports/{ours.pk}/").content.decode()
    assert "导入进程中断：超过 5 分钟没有进展" in detail and "hx-trigger" not in detail


def test_the_heartbeat_pushes_the_lease_while_rows_are_written(shop, media):
    seen = []
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv(),
                      progress=lambda rows: seen.append(ImportRun.objects.get().lease_until))
    assert run.status == "done" and run.lease_until is None and run.attempts == 1
    # Every heartbeat pushed the lease five minutes on; the last report comes after the run ended.
    assert len(seen) >= 2 and seen[-1] is None
    assert all(moment > clock.now() + timedelta(minutes=4) for moment in seen[:-1])


def test_a_process_whose_run_was_taken_over_stops_writing(shop, media, monkeypatch):
    """Only slow, not dead: by its next heartbeat the run was failed; it writes nothing more."""
    from aftersales.platforms import services

    real_tick = services._Ticker.tick

    def taken_over(ticker):
        ImportRun.objects.filter(pk=ticker.run.pk).update(status=ImportRun.FAILED, error_code="import.interrupted")
        real_tick(ticker)

    monkeypatch.setattr(services._Ticker, "tick", taken_over)
    run = import_file(shop, "douyin", "orders", "订单.csv", fx.douyin_orders_csv())
    assert (run.status, run.error_code) == ("failed", "import.interrupted")
    assert ImportRun.objects.get(pk=run.pk).status == "failed"


def test_the_worker_task_reaps(shop, media):
    from aftersales.platforms.tasks import reap_imports

    run = died(shop, upload=None)
    assert reap_imports.call_local() == "0 interrupted imports resumed, 1 failed"
    run.refresh_from_db()
    assert run.status == "failed"
