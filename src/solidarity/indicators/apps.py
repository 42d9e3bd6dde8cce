from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "solidarity.indicators"
    label = "indicators"

    def ready(self) -> None:
        from solidarity.indicators import signals

        signals.connect()
