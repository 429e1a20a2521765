from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "aftersales.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"
