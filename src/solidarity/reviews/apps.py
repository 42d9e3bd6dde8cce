from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "solidarity.reviews"
    label = "reviews"
