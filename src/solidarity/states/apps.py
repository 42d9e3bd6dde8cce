from django.apps import AppConfig


class StatesConfig(AppConfig):
    name = "solidarity.states"
    label = "states"
