"""Exports API: `GET /api/v1/exports/{cases|refunds|inspections}.{csv|xlsx}?since=YYYY-MM-DD&lang=en`.

The file of the token's shop, as an attachment.
"""

from __future__ import annotations

from datetime import date

from ninja import Router

from aftersales.api_auth import require_role
from aftersales.core.errors import NotFoundError
from aftersales.exports import sheets

router = Router(tags=["exports"])

@router.get("/{filename}", response={200: None}, summary="Cases, refunds or inspections as CSV or XLSX")
def download(request, filename: str, since: date | None = None, lang: str = "zh-hans"):
    what, _, fmt = filename.partition(".")
    if what not in sheets.KINDS or fmt not in sheets.FORMATS:
        raise NotFoundError("export.not_found", filename=filename)
    require_role(request, *sheets.ROLES[what])
    return sheets.attachment(request.shop, what, fmt, lang=lang, since=since)
