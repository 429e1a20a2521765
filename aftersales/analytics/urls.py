from django.urls import path

from aftersales.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.cases, name="cases"),
    path("words/", views.words, name="words"),
    path("export/<slug:figure>.<slug:fmt>", views.export, name="export"),
    path("alerts/evaluate/", views.evaluate, name="evaluate"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("thresholds/", views.save_thresholds, name="thresholds"),
]
