from django.urls import path

from aftersales.console import (
    approval_views,
    case_views,
    export_views,
    return_address_views,
    settings_views,
    views,
)

app_name = "console"
urlpatterns = [
    path("", views.inbox_entry, name="inbox"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("export/<slug:what>.<slug:fmt>", export_views.download, name="export"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case"),
    path("cases/<int:case_id>/act/<slug:action>/", case_views.case_action, name="case_action"),
    path("cases/<int:case_id>/evidence/<int:evidence_id>/", case_views.evidence_file, name="evidence"),
    path("settings/", settings_views.settings_home, name="settings"),
    path("settings/rules/", settings_views.save_rule, name="save_rule"),
    path("settings/templates/", settings_views.save_template, name="save_template"),
    path("settings/templates/<int:template_id>/delete/", settings_views.delete_template, name="delete_template"),
    path("settings/budget/", settings_views.save_budget, name="save_budget"),
    path("settings/freight-cap/", settings_views.save_freight_cap, name="save_freight_cap"),
    path("settings/limits/", settings_views.save_limits, name="save_limits"),
    path("approvals/", approval_views.approvals, name="approvals"),
    path("approvals/<int:approval_id>/<slug:decision>/", approval_views.decide, name="decide_approval"),
    path("settings/notifications/", settings_views.save_notifications, name="save_notifications"),
    path("settings/notifications/rotate-secret/", settings_views.rotate_secret, name="rotate_secret"),
    path("settings/staff/", settings_views.add_member, name="add_member"),
    path("settings/addresses/", return_address_views.return_addresses, name="return_addresses"),
    path("settings/addresses/save/", return_address_views.save_return_address, name="save_return_address"),
    path("settings/addresses/<int:address_id>/delete/", return_address_views.delete_return_address,
         name="delete_return_address"),
    path("settings/staff/<int:membership_id>/", settings_views.change_role, name="change_role"),
]
