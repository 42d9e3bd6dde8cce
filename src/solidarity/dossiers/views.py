"""The dossier pages: a State's list of dossiers, one dossier, and its PDF."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from solidarity.dossiers import selectors
from solidarity.dossiers.pdf import dossier_pdf
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country


def _dossier(request: HttpRequest, iso3: str, cycle: str) -> selectors.Dossier:
    try:
        return selectors.dossier_get(user=request.user, iso3=iso3, cycle_code=cycle)
    except selectors.DossierNotFound:
        raise Http404(_("There is no dossier of this State for this review cycle.")) from None


def state_dossiers(request: HttpRequest, iso3: str) -> HttpResponse:
    try:
        country = reference.country_get(iso3=iso3)
    except Country.DoesNotExist:
        raise Http404(_("There is no country or area with this code.")) from None
    entries = selectors.dossier_index(user=request.user, state=country)
    return render(request, "dossiers/state.html", {"country": country, "entries": entries})


def dossier_detail(request: HttpRequest, iso3: str, cycle: str) -> HttpResponse:
    dossier = _dossier(request, iso3, cycle)
    return render(request, "dossiers/dossier.html", {"dossier": dossier})


def dossier_pdf_download(request: HttpRequest, iso3: str, cycle: str) -> HttpResponse:
    dossier = _dossier(request, iso3, cycle)
    response = HttpResponse(dossier_pdf(dossier), content_type="application/pdf")
    name = f"dossier-{dossier.state.iso3}-{dossier.cycle.code}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    if dossier.is_draft:
        # A draft is for those entitled only: never kept by a shared cache.
        response["Cache-Control"] = "private, no-store"
    return response
