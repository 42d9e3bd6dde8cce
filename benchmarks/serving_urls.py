"""The project's URLs and the serving benchmark's trivial endpoint (see serving_settings)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from solidarity.config.urls import urlpatterns as project_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"Solidarity\n", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial), *project_urlpatterns]
