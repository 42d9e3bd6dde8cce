from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "solidarity.commitments"
    label = "commitments"
