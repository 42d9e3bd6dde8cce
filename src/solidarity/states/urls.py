from django.urls import path

app_name = "states"
urlpatterns: list = []
