from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from solidarity.api.urls import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sdmx/", include("solidarity.indicators.sdmx_urls")),
]

# Pages carry their language in the address (/fr/…, /es/…), English at the root, so a link
# shared in French opens in French.
urlpatterns += i18n_patterns(
    path("", include("solidarity.web.urls")),
    path("accounts/", include("solidarity.accounts.urls")),
    path("states/", include("solidarity.states.urls")),
    path("indicators/", include("solidarity.indicators.urls")),
    path("pledges/", include("solidarity.commitments.urls")),
    path("testimonies/", include("solidarity.testimonies.urls")),
    path("fund/", include("solidarity.fund.urls")),
    path("fairshare/", include("solidarity.fairshare.urls")),
    path("rights/", include("solidarity.rights.urls")),
    path("reviews/", include("solidarity.reviews.urls")),
    path("dossiers/", include("solidarity.dossiers.urls")),
    path("protection/", include("solidarity.protection.urls")),
    path("audit/", include("solidarity.audit.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler404 = "solidarity.web.views.page_not_found"
