from django.urls import path

from aftersales.autoapprove import views

app_name = "autoapprove"
urlpatterns = [
    path("", views.rules_page, name="rules"),
    path("save/", views.save, name="save"),
    path("<int:rule_id>/delete/", views.delete, name="delete"),
]
