from django.urls import URLPattern, URLResolver

app_name = "protection"
urlpatterns: list[URLPattern | URLResolver] = []
