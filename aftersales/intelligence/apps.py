from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "aftersales.intelligence"
    label = "intelligence"
    verbose_name = "Case intelligence"
