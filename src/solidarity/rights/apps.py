from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "solidarity.rights"
    label = "rights"
    verbose_name = "Human-rights mechanisms"
