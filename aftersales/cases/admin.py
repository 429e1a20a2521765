from django.contrib import admin

from aftersales.cases.models import Case, CaseEvent


class CaseEventInline(admin.TabularInline):
    """Events are the record of what happened: read-only, never added or removed by hand."""

    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "actor", "from_status", "to_status", "reason_code", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    # Changes go through the services (one event per change), so the admin only reads cases.
    list_display = ("number", "shop", "platform", "kind", "status", "deadline_at", "refund_granted_fen")
    list_filter = ("shop", "platform", "kind", "status")
    search_fields = ("number", "platform_case_id", "return_tracking_no")
    inlines = [CaseEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
