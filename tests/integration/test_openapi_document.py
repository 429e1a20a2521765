"""The OpenAPI document declares what the API really answers: every refusal as the coded Error object,
and the CSV/XLSX bodies of the downloads."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_declares_its_refusals_as_the_error_object(document):
    assert document["components"]["schemas"]["Error"]["required"] == ["code", "message", "params"]
    operations = [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]
    assert len(operations) > 40
    for path, method, op in operations:
        for status in ("400", "401", "403", "404", "409", "413", "422"):
            declared = op["responses"].get(status)
            assert declared, (method, path, status)
            assert declared["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_downloads_declare_csv_and_xlsx(document):
    export = document["paths"]["/api/v1/exports/{filename}"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"text/csv", XLSX}
    figure = document["paths"]["/api/v1/analytics/rates"]["get"]["responses"]["200"]["content"]
    assert set(figure) == {"application/json", "text/csv", XLSX}


def test_a_declared_refusal_is_what_the_api_sends(client, document):
    response = client.get("/api/v1/cases")
    assert response.status_code == 401 and set(response.json()) == {"code", "message", "params"}


@pytest.mark.parametrize("path", ["/api/v1/orders/null,null", "/api/v1/nothing", "/api/v2/cases",
                                  "/api/v1/cases/1%0A/inspect"])
def test_a_path_no_operation_matches_is_the_apis_coded_404(client, path):
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "api.not_found"
    strict = Client(enforce_csrf_checks=True)  # as a real client meets it: no CSRF page either
    posted = strict.post(path, data="{}", content_type="application/json")
    assert posted.status_code == 404 and posted.json()["code"] == "api.not_found"
