from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "solidarity.fund"
    label = "fund"
