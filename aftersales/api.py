"""API v1 (django-ninja): `/api/v1`, OpenAPI at `/api/v1/openapi.json`, docs at `/api/v1/docs`.

Errors are JSON `{"code", "message", "params"}`; the message is in the caller's language
(Accept-Language; Simplified Chinese by default).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from aftersales.api_auth import ShopToken, request_language
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


#: The refusals any operation can answer, each a JSON `{"code", "message", "params"}`.
ERROR_RESPONSES = {
    "400": "The body is not JSON, or not a JSON object (`input.malformed`, `input.invalid`).",
    "401": "No token, or a token that is not valid (`auth.invalid_token`).",
    "403": "The token's role may not do this (`auth.forbidden`).",
    "404": "No such thing in the token's shop (an id of another shop is a 404 too).",
    "409": "The request conflicts with the current state: wrong status, already exists, already done.",
    "413": "The body is larger than this route takes (`request.too_large`).",
    "422": "The input is understood but refused: a field is missing, of the wrong type or out of range.",
}
SPREADSHEETS = {
    "text/csv": {"schema": {"type": "string", "description": "UTF-8 with a BOM, CRLF line ends"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}},
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "params"],
    "properties": {
        "code": {"type": "string", "examples": ["case.illegal_transition"]},
        "message": {"type": "string", "description": "In the caller's language (Accept-Language)"},
        "params": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


class DocumentedAPI(NinjaAPI):
    """The OpenAPI document declares every refusal an operation can answer (as the shared `Error`
    object) and the CSV/XLSX bodies of the downloads, so that clients and the schema fuzzing can hold
    the API to it."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                responses = {str(status): r for status, r in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
                names = {p.get("name") for p in operation.get("parameters", [])}
                ok = responses.get("200")
                if ok is None:
                    continue
                if "/exports/" in path:
                    ok["content"] = dict(SPREADSHEETS)
                elif "format" in names:  # an analytics figure: JSON, or ?format=csv|xlsx
                    ok.setdefault("content", {}).update(SPREADSHEETS)
        return schema


api = DocumentedAPI(
    title="aftersales API",
    version="1",
    description="After-sale cases, refunds, policy and orders of one shop. 售后单、退款、政策与订单。",
    auth=ShopToken(),
    parser=InputParser(),
    urls_namespace="api-v1",
)


def error_response(request: HttpRequest, error_code: str, http_status: int, /, **params):
    lang = request_language(request)
    body = {
        "code": error_code,
        "message": translate(error_code, lang, **params),
        "params": {k: str(v) for k, v in params.items()},
    }
    return api.create_response(request, body, status=http_status)


@csrf_exempt  # token-authenticated like the API itself, and it changes nothing: every method gets the 404
def unknown_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any /api/ path no operation matches (`/api/v1/orders/abc`): the API's coded 404, not a page."""
    lang = request_language(request)
    return JsonResponse({"code": "api.not_found", "message": translate("api.not_found", lang), "params": {}},
                        status=404)


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
    from aftersales.care.api import case_router as care_actions_router
    from aftersales.care.api import router as approvals_router
    from aftersales.cases.api import router as cases_router
    from aftersales.cases.api_policy import router as policy_router
    from aftersales.orders.api import router as orders_router
    from aftersales.refunds.api import case_router as refund_actions_router
    from aftersales.refunds.api import router as refunds_router
    from aftersales.warehouse.api import case_router as warehouse_actions_router

    api.add_router("/orders", orders_router)
    api.add_router("/cases", cases_router)
    api.add_router("/cases", warehouse_actions_router)  # receive, inspect
    api.add_router("/cases", refund_actions_router)  # grant-refund, execute-refund
    api.add_router("/cases", care_actions_router)  # compensation
    api.add_router("/refunds", refunds_router)
    api.add_router("/compensation-approvals", approvals_router)
    api.add_router("/policy", policy_router)
    api.add_router("/exports", "aftersales.exports.api.router")
    api.add_router("/analytics", "aftersales.analytics.api.router")
    api.add_router("/reasons", "aftersales.intelligence.api.router")


register_routers()
