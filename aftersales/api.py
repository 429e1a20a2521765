"""API v1 (django-ninja): `/api/v1`, OpenAPI at `/api/v1/openapi.json`, docs at `/api/v1/docs`.

Errors are JSON `{"code", "message", "params"}`; the message is in the caller's language
(Accept-Language; Simplified Chinese by default).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from aftersales.api_auth import ShopToken
from aftersales.core.errors import DomainError
from aftersales.core.messages import translate


def _nul_fields(value, path: tuple = ()) -> list[tuple]:
    """Where a NUL character hides in parsed input (PostgreSQL text cannot hold one)."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        return [loc for key, item in value.items() for loc in _nul_fields(item, (*path, str(key)))]
    if isinstance(value, list):
        return [loc for i, item in enumerate(value) for loc in _nul_fields(item, (*path, i))]
    return []


class InputParser(Parser):
    """JSON bodies and query strings as django-ninja parses them, refusing a body that is not a JSON object
    and text with a NUL character: no field of ours means one, and PostgreSQL would answer it with an
    error, not a refusal. A query
    string with one is a 422 naming the field; a body, a 400 (`input.malformed`), as django-ninja
    reports every body it cannot take."""

    @staticmethod
    def _checked(data, where: str):
        bad = _nul_fields(data)
        if bad:
            raise ValidationError([{"loc": (where, *loc), "msg": "NUL character", "type": "nul"} for loc in bad])
        return data

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            # Every body of this API is a JSON object: a bare number, string or list is refused, never read
            # as "no body" (a bare 5 once approved a case with no note).
            raise ValidationError([{"loc": ("body",), "msg": "a JSON object is required", "type": "object"}])
        return self._checked(data, "body")

    def parse_querydict(self, data, list_fields, request):
        return self._checked(super().parse_querydict(data, list_fields, request), "query")


api = NinjaAPI(
    title="aftersales API",
    version="1",
    description="After-sale cases, refunds, policy and orders of one shop. 售后单、退款、政策与订单。",
    auth=ShopToken(),
    parser=InputParser(),
    urls_namespace="api-v1",
)


def request_language(request: HttpRequest) -> str:
    return translation.get_language_from_request(request) or "zh-hans"


def error_response(request: HttpRequest, error_code: str, http_status: int, /, **params):
    lang = request_language(request)
    body = {
        "code": error_code,
        "message": translate(error_code, lang, **params),
        "params": {k: str(v) for k, v in params.items()},
    }
    return api.create_response(request, body, status=http_status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error_response(request, exc.code, exc.status, **exc.params)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        fields.append(".".join(loc) or "body")
    response = error_response(request, "input.invalid", 422, fields=", ".join(fields) or "body")
    return response


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, "auth.invalid_token", 401)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, "api.not_found", 404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    code = {400: "input.malformed", 403: "auth.forbidden", 405: "api.method_not_allowed"}.get(
        exc.status_code, "api.error"
    )
    return error_response(request, code, exc.status_code)


def register_routers() -> None:
    from aftersales.cases.api import router as cases_router
    from aftersales.cases.api_policy import router as policy_router
    from aftersales.orders.api import router as orders_router
    from aftersales.refunds.api import router as refunds_router

    api.add_router("/orders", orders_router)
    api.add_router("/cases", cases_router)
    api.add_router("/refunds", refunds_router)
    api.add_router("/policy", policy_router)
    api.add_router("/exports", "aftersales.cases.api_exports.router")
    api.add_router("/analytics", "aftersales.analytics.api.router")
    api.add_router("/reasons", "aftersales.intelligence.api.router")


register_routers()
