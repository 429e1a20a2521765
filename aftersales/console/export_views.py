"""Downloads for staff in the browser: `/console/export/{cases|refunds|inspections}.{csv|xlsx}?since=`.

The same files as the API's `/api/v1/exports/…` (see `aftersales.exports.sheets`), for the signed-in
member of the current shop, in the page's language, with the same role rule per kind.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.exports import sheets
from aftersales.web.access import staff_view


class ExportForm(forms.Form):
    since = forms.DateField(required=False, label=_("Created since"))


@staff_view()
def download(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    if what not in sheets.KINDS or fmt not in sheets.FORMATS:
        raise Http404
    staff = request.staff
    if staff.role not in sheets.ROLES[what]:
        raise PermissionDenied
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors["since"][0], status=400, content_type="text/plain; charset=utf-8")
    lang = "en" if translation.get_language() == "en" else "zh-hans"
    return sheets.attachment(staff.shop, what, fmt, lang=lang, since=form.cleaned_data["since"])
