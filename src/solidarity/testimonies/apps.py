from django.apps import AppConfig


class TestimoniesConfig(AppConfig):
    name = "solidarity.testimonies"
    label = "testimonies"
