"""Request bodies are limited per route and refused before they are read: an unauthenticated 300 MB
POST to the portal is a 413 at once, a photo upload may carry its photos, an import its file."""

from __future__ import annotations

import io

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.test import Client

from aftersales.serving import body_limits

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


class Endless(io.RawIOBase):
    """A body that claims a size and would take a long time to read: reading it at all is the failure."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.read_bytes += len(buffer)
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


def _post(client: Client, path: str, length: int, **extra):
    stream = Endless()
    response = client.generic("POST", path, b"", content_type="multipart/form-data; boundary=xyz",
                              CONTENT_LENGTH=str(length), **extra, **{"wsgi.input": stream})
    return response, stream


@pytest.mark.parametrize("path", ["/portal/", "/portal/order/request/", "/accounts/login/", "/imports/",
                                  "/console/", "/stores/push/1"])
def test_a_300_mb_body_is_refused_before_it_is_read(client, path):
    response, stream = _post(client, path, 300 * MIB)
    assert response.status_code == 413
    assert stream.read_bytes == 0  # not one byte of it was read
    assert "MB" in response.content.decode()


def test_the_api_answers_a_coded_413_in_the_callers_language(client):
    response, stream = _post(client, "/api/v1/orders", 300 * MIB, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413 and stream.read_bytes == 0
    assert response.json() == {"code": "request.too_large", "message": "What was sent is too large: at most 20 MB here.",
                                "params": {"limit_mb": "20"}}


def test_each_route_has_the_limit_its_files_need(rf, django_user_model):
    def limit(path, user=None):
        request = rf.post(path)
        from django.contrib.auth.models import AnonymousUser

        request.user = user or AnonymousUser()
        return body_limits.limit_for(request)

    staff = django_user_model.objects.create_user("limits", password="pw-limits-1")
    assert limit("/portal/") == 2 * MIB
    assert limit("/portal/order/request/") == 10 * 10 * MIB + MIB  # ten photos of 10 MB and the form
    assert limit("/portal/cases/5/photos/") == 101 * MIB
    assert limit("/api/v1/cases/5/evidence") == 11 * MIB
    assert limit("/api/v1/orders") == 20 * MIB
    # Only a signed-in person may send an import's or an inspection's worth.
    assert limit("/imports/") == 2 * MIB and limit("/imports/", staff) == 1024 * MIB + MIB
    assert limit("/warehouse/cases/3/inspect/") == 2 * MIB
    assert limit("/warehouse/cases/3/inspect/", staff) == 101 * MIB
    assert isinstance(rf.post("/"), WSGIRequest)


def test_a_body_within_its_limit_reaches_the_view(client):
    response = client.post("/portal/", {"order_no": "NOPE", "phone": "13800000000"})
    assert response.status_code != 413
