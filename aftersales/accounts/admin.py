from django.contrib import admin

from aftersales.accounts.models import ApiToken, Membership, PlatformAccount, Shop


class PlatformAccountInline(admin.TabularInline):
    model = PlatformAccount
    extra = 0


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "created_at")
    inlines = [PlatformAccountInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "shop", "role")
    list_filter = ("role", "shop")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    # The hash is useless to a person and the raw token is never stored: show only the hint.
    list_display = ("name", "shop", "role", "hint", "created_at", "last_used_at", "revoked_at")
    exclude = ("token_hash",)
    readonly_fields = ("hint", "created_at", "last_used_at")
