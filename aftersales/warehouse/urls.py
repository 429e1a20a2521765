from django.urls import path

from aftersales.warehouse import views

app_name = "warehouse"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("receive/", views.receive, name="receive"),
    path("parcels/<int:parcel_id>/match/", views.match, name="match"),
    path("cases/<int:case_id>/inspect/", views.inspect, name="inspect"),
]
