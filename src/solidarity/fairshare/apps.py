from django.apps import AppConfig


class FairshareConfig(AppConfig):
    name = "solidarity.fairshare"
    label = "fairshare"
