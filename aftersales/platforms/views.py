"""The imports page (/imports/): upload a platform export, watch it run, read and download its report.

Owners and agents of the current shop (the console's `staff_view`). A small file is imported during
the request; a big one is stored and imported by the worker, and the page polls its progress.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation

from aftersales.core import spreadsheets
from aftersales.platforms.forms import ImportForm
from aftersales.platforms.import_leases import reap_stale_imports
from aftersales.platforms.models import ImportRun
from aftersales.platforms.report import report_sheet
from aftersales.platforms.services import import_file, queue_import
from aftersales.serving.downloads import download
from aftersales.web.access import CONSOLE_ROLES, staff_view

#: Files up to this size are imported while the merchant waits; bigger ones go to the worker.
SYNC_MAX_BYTES = 2 * 1024 * 1024
#: Report rows shown on the page; the download has them all.
SHOWN_PROBLEMS = 500


@staff_view(*CONSOLE_ROLES)
def imports_home(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    reap_stale_imports(shop_id=staff.shop.pk)  # a run whose process died is not shown as running
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        if upload.size <= SYNC_MAX_BYTES:
            run = import_file(staff.shop, data["platform"], data["kind"], upload.name, upload, user=staff.user)
        else:
            run = queue_import(staff.shop, data["platform"], data["kind"], upload.name, upload, user=staff.user)
        return redirect("imports:run", run_id=run.pk)
    runs = ImportRun.objects.filter(shop=staff.shop).select_related("created_by").defer("report")[:30]
    status = 400 if request.method == "POST" else 200
    return render(request, "platforms/imports.html", {"nav": "imports", "form": form, "runs": runs}, status=status)


def _run_of(request: HttpRequest, run_id: int) -> ImportRun:
    reap_stale_imports(shop_id=request.staff.shop.pk)
    run = ImportRun.objects.filter(shop=request.staff.shop, pk=run_id).first()
    if run is None:
        raise Http404
    return run


def _context(request: HttpRequest, run: ImportRun) -> dict:
    english = not (translation.get_language() or "zh-hans").startswith("zh")
    problems = [
        {**entry, "message": entry.get("message_en" if english else "message_zh", "")}
        for entry in run.report[:SHOWN_PROBLEMS]
    ]
    return {"nav": "imports", "run": run, "problems": problems, "more": max(len(run.report) - SHOWN_PROBLEMS, 0)
            + run.report_dropped, "error": run.error_en if english else run.error_zh}


@staff_view(*CONSOLE_ROLES)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_of(request, run_id)
    return render(request, "platforms/run.html", _context(request, run))


@staff_view(*CONSOLE_ROLES)
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The part of the run page that HTMX polls every second until the run is finished."""
    run = _run_of(request, run_id)
    return render(request, "platforms/_run_status.html", _context(request, run))


@staff_view(*CONSOLE_ROLES)
def run_report(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    run = _run_of(request, run_id)
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    lang = translation.get_language() or "zh-hans"
    return download(report_sheet(run.report, lang), fmt, f"import-{run.pk}-report.{fmt}")
