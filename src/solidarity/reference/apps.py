from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "solidarity.reference"
    label = "reference"
