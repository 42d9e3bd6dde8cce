from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "solidarity.audit"
    label = "audit"
