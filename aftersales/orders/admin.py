from django.contrib import admin

from aftersales.orders.models import Buyer, Order, OrderLine


@admin.register(Buyer)
class BuyerAdmin(admin.ModelAdmin):
    # Phone numbers are shown masked everywhere, the admin included.
    list_display = ("nick", "shop", "platform", "masked_phone", "province")
    exclude = ("phone", "phone_last4")
    readonly_fields = ("masked_phone",)
    search_fields = ("nick",)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    exclude = ("shop",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("platform_order_id", "shop", "platform", "paid_at", "goods_fen", "refund_granted_fen")
    list_filter = ("shop", "platform", "channel")
    search_fields = ("platform_order_id",)
    raw_id_fields = ("buyer",)
    inlines = [OrderLineInline]
