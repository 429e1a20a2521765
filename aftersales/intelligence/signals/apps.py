from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "aftersales.intelligence.signals"
    label = "buyer_signals"
    verbose_name = "Abuse signals"
    default_auto_field = "django.db.models.BigAutoField"
