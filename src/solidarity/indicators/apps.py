from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "solidarity.indicators"
    label = "indicators"
