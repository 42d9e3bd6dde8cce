"""The SDMX REST API, mounted at ``/sdmx/`` outside the language prefixes: SDMX clients know
nothing of /fr/ or /es/."""

from django.urls import re_path

from solidarity.indicators import sdmx_views

app_name = "sdmx"
_PART = r"[^/]+"
urlpatterns = [
    re_path(
        rf"^data/(?P<flow>{_PART})(?:/(?P<key>[^/]*)(?:/(?P<provider>{_PART}))?)?/?$",
        sdmx_views.data,
        name="data",
    ),
    re_path(
        rf"^structure/(?P<type>[a-z]+)(?:/(?P<agency>{_PART}))?(?:/(?P<id>{_PART}))?"
        rf"(?:/(?P<version>{_PART}))?/?$",
        sdmx_views.structure,
        name="structure",
    ),
    re_path(
        rf"^availability/(?P<flow>{_PART})(?:/(?P<key>[^/]*)(?:/(?P<provider>{_PART}))?)?/?$",
        sdmx_views.availability,
        name="availability",
    ),
]
