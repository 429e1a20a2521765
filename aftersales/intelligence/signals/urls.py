from django.urls import path

from aftersales.intelligence.signals import views

app_name = "signals"
urlpatterns = [
    path("buyers/<int:buyer_id>/standing/", views.standing, name="standing"),
]
