"""店铺设置 → 平台授权: connected stores, their sync status, and the push-message receiver.

Owners only (the console's `staff_view`); a store of another shop is a 404. Secrets are entered once
and never shown: the page shows the app key, the token's expiry and the sync figures. The receiver
URL is called by the platform: no session, its signature is the authentication.
"""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.platforms.connectors import connector_for
from aftersales.platforms.sync.connections import connect_store, set_paused
from aftersales.platforms.sync.forms import ConnectForm
from aftersales.platforms.sync.health import health_of
from aftersales.platforms.sync.models import PushedCase, StoreConnection
from aftersales.platforms.sync.secrets import unseal
from aftersales.web.access import OWNER, staff_view
from aftersales.web.errors import error_text


@staff_view(OWNER)
def stores_home(request: HttpRequest) -> HttpResponse:
    form = ConnectForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            connect_store(request.staff.shop, **form.cleaned_data)
        except DomainError as exc:
            errors.append(error_text(exc))
        else:
            return redirect("stores:home")
    now = clock.now()
    stores = [health_of(c, now) for c in StoreConnection.objects.filter(shop=request.staff.shop).order_by("pk")]
    status = 400 if request.method == "POST" else 200
    return render(request, "platforms/stores.html", {"nav": "settings", "form": form, "errors": errors,
                                                     "stores": stores}, status=status)


@require_POST
@staff_view(OWNER)
def store_action(request: HttpRequest, store_id: int, action: str) -> HttpResponse:
    if not StoreConnection.objects.filter(shop=request.staff.shop, pk=store_id).exists():
        raise Http404
    if action in ("pause", "resume"):
        set_paused(request.staff.shop, store_id, action == "pause")
    elif action == "sync":
        StoreConnection.objects.filter(pk=store_id).update(next_run_at=clock.now())
    else:
        raise Http404
    return redirect("stores:home")


@csrf_exempt
@require_POST
def push_receiver(request: HttpRequest, store_id: int) -> HttpResponse:
    """A platform's push message (抖店 tags 200–207, 京东 JOS 消息推送, 拼多多消息服务): its signature
    checked, the cases it names noted, fetched by the worker at once."""
    connection = StoreConnection.objects.filter(pk=store_id).first()
    if connection is None:
        raise Http404
    connector = connector_for(connection.platform)
    if not connector.pushes:
        raise Http404
    ids = connector.pushed_case_ids(connection.app_key, unseal(connection.app_secret_enc),
                                    dict(request.headers), request.body)
    if ids is None:
        return JsonResponse({"code": 40004, "msg": "sign error"}, status=403)
    now = clock.now()
    with transaction.atomic():
        for case_id in ids[:100]:
            try:
                with transaction.atomic():
                    PushedCase.objects.update_or_create(connection=connection, platform_case_id=case_id[:64],
                                                        defaults={"received_at": now})
            except IntegrityError:
                continue
        transaction.on_commit(_fetch_soon)
    return HttpResponse(json.dumps({"code": 0, "msg": "success"}), content_type="application/json")


def _fetch_soon() -> None:
    from aftersales.platforms.sync.tasks import fetch_pushed_now

    try:
        fetch_pushed_now()
    except Exception:  # noqa: BLE001 - the worker's minute cycle fetches it anyway
        pass
