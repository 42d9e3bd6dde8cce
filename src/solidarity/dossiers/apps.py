from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "solidarity.dossiers"
    label = "dossiers"
