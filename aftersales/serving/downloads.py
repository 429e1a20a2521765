"""A spreadsheet of the product's one writer (`core.spreadsheets`) handed to the browser as a file."""

from __future__ import annotations

from django.http import HttpResponse

from aftersales.core.spreadsheets import CONTENT_TYPES, Sheet, to_bytes


def download(sheet: Sheet, fmt: str, filename: str) -> HttpResponse:
    """The file as an attachment. Built whole before the response starts (XLSX is a zip file), so that
    every database read happens inside the request."""
    response = HttpResponse(to_bytes(sheet, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
