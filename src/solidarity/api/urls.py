"""The JSON API under /api/v1/, described by OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

from solidarity import __version__

api = NinjaAPI(
    title="Solidarity API",
    version=__version__,
    description="Reference catalogue and data of the Solidarity platform for GCM follow-up and review.",
    urls_namespace="api",
)
