from django.apps import AppConfig


class WarehouseConfig(AppConfig):
    name = "aftersales.warehouse"
    label = "warehouse"
    default_auto_field = "django.db.models.BigAutoField"
