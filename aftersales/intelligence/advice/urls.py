from django.urls import path

from aftersales.intelligence.advice import views

app_name = "advice"
urlpatterns = [
    path("cases/<int:case_id>/apply/", views.apply, name="apply"),
    path("bulk/", views.bulk_apply, name="bulk"),
    path("inbox-column/", views.inbox_column, name="column"),
    path("settings/", views.settings_page, name="settings"),
]
