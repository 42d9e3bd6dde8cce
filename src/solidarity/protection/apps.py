from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "solidarity.protection"
    label = "protection"
