from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "aftersales.exports"
    label = "exports"
