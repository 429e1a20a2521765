from django.urls import path

from aftersales.platforms import views

app_name = "imports"
urlpatterns = [
    path("", views.imports_home, name="home"),
    path("<int:run_id>/", views.run_detail, name="run"),
    path("<int:run_id>/progress/", views.run_progress, name="progress"),
    path("<int:run_id>/report.<slug:fmt>", views.run_report, name="report"),
]
