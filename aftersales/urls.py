from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from aftersales.accounts.models import Shop
from aftersales.api import api, unknown_path


def healthz(request):
    """Liveness with one real row read, so it also proves the database answers."""
    Shop.objects.only("pk").first()
    return JsonResponse({"ok": True})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>[\s\S]*)$", unknown_path),  # what no API operation matches: a JSON 404
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("aftersales.accounts.urls")),
    path("console/advice/", include("aftersales.intelligence.advice.urls")),
    path("console/signals/", include("aftersales.intelligence.signals.urls")),
    path("console/auto-approve/", include("aftersales.autoapprove.urls")),
    path("console/", include("aftersales.console.urls")),
    path("warehouse/", include("aftersales.warehouse.urls")),
    path("analytics/", include("aftersales.analytics.urls")),
    path("portal/", include("aftersales.portal.urls")),
    path("imports/", include("aftersales.platforms.urls")),
    path("stores/", include("aftersales.platforms.sync.urls")),
    path("training/", include("aftersales.training.urls")),
    path("healthz", healthz),
    path("", RedirectView.as_view(url="/console/", permanent=False)),
]
