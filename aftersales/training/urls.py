from django.urls import path

from aftersales.training import views

app_name = "training"
urlpatterns = [
    path("", views.home, name="home"),
    path("start/<slug:key>/", views.start, name="start"),
    path("next/", views.start_next, name="next"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/resume/", views.resume, name="resume"),
    path("attempts/<int:attempt_id>/finish/", views.finish, name="finish"),
    path("progress/", views.progress, name="progress"),
    path("progress/assign/", views.assign, name="assign"),
    path("progress/pass-level/", views.save_pass_level, name="pass_level"),
    path("from-case/<int:case_id>/", views.from_case, name="from_case"),
]
