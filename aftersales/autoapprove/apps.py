from django.apps import AppConfig


class AutoApproveConfig(AppConfig):
    name = "aftersales.autoapprove"
    label = "autoapprove"
    verbose_name = "Auto-approve rules"
    default_auto_field = "django.db.models.BigAutoField"
