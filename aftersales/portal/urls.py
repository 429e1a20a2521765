from django.urls import path

from aftersales.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.find, name="find"),
    path("leave/", views.leave, name="leave"),
    path("order/", views.order_page, name="order"),
    path("order/request/", views.new_request, name="request"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/ship/", views.ship, name="ship"),
    path("cases/<int:case_id>/rate/", views.rate, name="rate"),
    path("cases/<int:case_id>/photos/", views.add_photos, name="photos"),
    path("cases/<int:case_id>/do/<slug:action>/", views.buyer_action, name="action"),
    path("cases/<int:case_id>/evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
]
