from django.contrib import admin

from aftersales.catalog.models import Category, Product, ReturnRule, Sku


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "shop", "law_category")
    list_filter = ("shop", "law_category")


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "shop", "category")
    search_fields = ("title",)
    inlines = [SkuInline]


@admin.register(ReturnRule)
class ReturnRuleAdmin(admin.ModelAdmin):
    list_display = ("shop", "platform", "category", "no_reason_days", "free_return_shipping", "version")
