from django.contrib import admin

from aftersales.refunds.models import RefundPayment


@admin.register(RefundPayment)
class RefundPaymentAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "shop", "case", "route", "amount_fen", "status", "created_at")
    list_filter = ("shop", "status", "route")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
