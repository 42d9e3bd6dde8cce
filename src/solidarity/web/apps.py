from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "solidarity.web"
    label = "web"
