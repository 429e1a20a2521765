from django.urls import path

from aftersales.platforms.sync import views

app_name = "stores"
urlpatterns = [
    path("", views.stores_home, name="home"),
    path("<int:store_id>/<slug:action>/", views.store_action, name="action"),
    path("push/<int:store_id>", views.push_receiver, name="push"),
]
