"""Request bodies are limited per route, and refused before they are read.

A route that takes files may receive what its files need (an import: the import limit; a request with
photos: the photo count times the photo limit); every other route a small form or JSON body. The limit
is checked against Content-Length as the request arrives, so an oversized body — authenticated or not —
costs a worker nothing: the answer is a 413 in the caller's language. (A body sent without a length is
not read at all by Django.) The reverse proxy should refuse larger bodies still sooner: see the README's
`client_max_body_size`.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation

from aftersales.core.messages import translate

MIB = 1024 * 1024
#: Room for the form fields and multipart framing around the files themselves.
FORM_ROOM = 1 * MIB


def route_limits() -> list[tuple[re.Pattern[str], int, bool]]:
    """(path pattern, most bytes a body may have, whether only a signed-in person may send that much):
    the first match wins; the default comes last."""
    photo = settings.EVIDENCE_MAX_BYTES
    photos = settings.UPLOAD_MAX_FILES * photo
    return [
        (re.compile(r"^/imports/$"), settings.AFTERSALES_IMPORT_MAX_BYTES + FORM_ROOM, True),
        (re.compile(r"^/portal/order/request/$"), photos + FORM_ROOM, False),
        (re.compile(r"^/portal/cases/\d+/photos/$"), photos + FORM_ROOM, False),
        (re.compile(r"^/warehouse/cases/\d+/inspect/$"), photos + FORM_ROOM, True),
        (re.compile(r"^/console/cases/\d+/act/[\w-]+/$"), photo + FORM_ROOM, True),
        (re.compile(r"^/api/v1/cases/\d+/evidence$"), photo + FORM_ROOM, False),
        (re.compile(r"^/api/"), settings.DATA_UPLOAD_MAX_MEMORY_SIZE, False),
        (re.compile(r""), settings.FORM_BODY_MAX_BYTES, False),
    ]


def limit_for(request: HttpRequest) -> int:
    for pattern, limit, staff_only in route_limits():
        if pattern.match(request.path_info):
            if staff_only and not request.user.is_authenticated:
                return settings.FORM_BODY_MAX_BYTES  # the sign-in page is all such a request will get
            return limit
    raise AssertionError("the last pattern matches every path")


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = limit_for(request)
        if length > limit:
            return self.refuse(request, limit)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, limit: int) -> HttpResponse:
        lang = translation.get_language_from_request(request) or "zh-hans"
        params = {"limit_mb": max(1, limit // MIB)}
        if request.path_info.startswith("/api/"):
            body = {"code": "request.too_large", "message": translate("request.too_large", lang, **params),
                    "params": {k: str(v) for k, v in params.items()}}
            response = JsonResponse(body, status=413)
        else:
            with translation.override(lang):
                response = render(request, "413.html", {"message": translate("request.too_large", lang, **params)},
                                  status=413)
        # The client may still be sending: tell it the connection ends here, rather than read the rest.
        response["Connection"] = "close"
        return response
