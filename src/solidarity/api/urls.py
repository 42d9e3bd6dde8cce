"""The JSON API under /api/v1/, described by OpenAPI at /api/v1/openapi.json.

Each bounded context keeps its operations in its own ``api.py`` router; this module only assembles
them, names their operations and turns the catalogue's filter errors into 400s.

The interactive documentation at /api/v1/docs is ninja's Swagger UI, kept because it works under
the site's strict Content Security Policy (``script-src 'self'``, ``style-src 'self'``, no
internet): with ``ninja`` in ``INSTALLED_APPS`` ninja renders ``ninja/swagger.html``, which loads
the Swagger UI files ninja ships (``/static/ninja/…``, served like every other static file) instead
of a CDN, and carries its settings in a ``<script type="application/json">`` data block read by a
static ``swagger-ui-init.js`` — no inline script or style. Swagger UI's own styling is applied
through the DOM, which the policy allows. ``api/tests/test_openapi.py`` checks the page's markup and
``tests/browser/test_api_docs.py`` runs it in Chromium, failing on any refused script or style, so
a ninja upgrade that brings back a CDN or an inline script fails them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.operation import Operation

from solidarity import __version__
from solidarity.accounts.api import router as accounts_router
from solidarity.commitments.api import router as commitments_router
from solidarity.dossiers.api import router as dossiers_router
from solidarity.fairshare.api import router as fairshare_router
from solidarity.fund.api import router as fund_router
from solidarity.indicators.api import router as indicators_router
from solidarity.protection.api import router as protection_router
from solidarity.reference.api import router as reference_router
from solidarity.reference.selectors import UnknownFilter
from solidarity.reviews.api import router as reviews_router
from solidarity.rights.api import router as rights_router
from solidarity.testimonies.api import router as testimonies_router


class SolidarityAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view function's own name (``country_list``), which the project's naming already
        # makes unique and readable, rather than ninja's module-prefixed default.
        return operation.view_func.__name__


api = SolidarityAPI(
    title="Solidarity API",
    version=__version__,
    description=(
        "Reference catalogue and data of the Solidarity platform for the follow-up and review of "
        "the Global Compact for Safe, Orderly and Regular Migration. Every list is a plain JSON "
        "list; texts come in English, French and Spanish side by side. Errors are JSON objects "
        'with a `detail` field, e.g. `{"detail": "Unknown M49 region code: \'999\'."}`.'
    ),
    urls_namespace="api",
    # validatorUrl null: Swagger UI must not send the schema to swagger.io for validation.
    docs=Swagger(settings={"validatorUrl": None}),
)


def unknown_filter(request: HttpRequest, exc: UnknownFilter | type[UnknownFilter]) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


api.add_exception_handler(UnknownFilter, unknown_filter)
api.add_router("", reference_router)
api.add_router("", accounts_router)
api.add_router("", indicators_router)
api.add_router("", commitments_router)
api.add_router("", fairshare_router)
api.add_router("", testimonies_router)
api.add_router("", fund_router)
api.add_router("", rights_router)
api.add_router("", reviews_router)
api.add_router("", dossiers_router)
api.add_router("", protection_router)
