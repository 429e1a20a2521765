from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "aftersales.intelligence.advice"
    label = "advice"
    verbose_name = "Remedy advice"
    default_auto_field = "django.db.models.BigAutoField"
