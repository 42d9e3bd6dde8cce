"""The public pages: what Solidarity is, the GCM objectives and the countries and areas.

Everything here is public. Each view parses the request, asks one selector, and renders.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.utils.translation import gettext as _

from solidarity.accounts.permissions import can_edit_state_profile
from solidarity.audit.selectors import last_change_number
from solidarity.indicators.publication import published_indicators_for_country
from solidarity.indicators.sdmx_cache import kept_in_worker
from solidarity.indicators.selectors import indicators_for_objective
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country, Objective
from solidarity.states.models import StateProfile
from solidarity.states.selectors import state_profile_get
from solidarity.web.caching import public_page
from solidarity.web.forms import CountryFilterForm


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "objectives": reference.objective_list(),
            "solidarity_types": reference.solidarity_type_list(),
        },
    )


def objective_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/objective_list.html", {"objectives": reference.objective_list()})


def objective_detail(request: HttpRequest, number: int) -> HttpResponse:
    try:
        objective = reference.objective_get(number=number)
    except Objective.DoesNotExist:
        raise Http404(_("The Global Compact has no objective with this number.")) from None
    return render(
        request,
        "web/objective_detail.html",
        {
            "objective": objective,
            "guiding_principles": reference.guiding_principle_list(),
            "indicators": indicators_for_objective(objective=objective),
        },
    )


def country_list(request: HttpRequest) -> HttpResponse:
    form = CountryFilterForm(request.GET, regions=reference.region_list())
    if not form.is_valid():
        # A hand-edited or stale address: say what is wrong and keep the form to fix it.
        return render(request, "web/country_list.html", {"form": form}, status=400)
    return render(
        request,
        "web/country_list.html",
        {"form": form, "countries": reference.country_list(**form.filters())},
    )


def _profiles_changed() -> dict[str, str]:
    return {
        country: changed.isoformat()
        for country, changed in StateProfile.objects.values_list("country_id", "updated_at")
    }


def _profile_changed(request: HttpRequest, iso3: str) -> str:
    """When the country's profile last changed (part of the kept page's key). Every profile's
    moment is read in one query and kept in the worker like the public state: a profile's save
    makes every worker read them again (solidarity.web.apps)."""
    changed = kept_in_worker("web:state-profiles", _profiles_changed)
    return changed.get(iso3.upper(), "no profile")


def _country_page_changed(request: HttpRequest, iso3: str) -> str:
    """What the kept country page shows beside published data: the State's profile (seen at once
    by every worker) and the pledges and human-rights summaries, which change with any audited
    change — read again at most every ``SOLIDARITY_PUBLIC_STATE_SECONDS``, so a pledge
    published or a recommendation imported shows within that bound."""
    last = kept_in_worker("web:last-audited-change", last_change_number)
    return f"{_profile_changed(request, iso3)}|{last}"


@public_page(depends_on=_country_page_changed)
def country_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    try:
        country = reference.country_get(iso3=iso3)
    except Country.DoesNotExist:
        raise Http404(_("There is no country or area with this code.")) from None
    return render(
        request,
        "web/country_detail.html",
        {
            "country": country,
            "profile": state_profile_get(country=country),
            "can_edit_profile": can_edit_state_profile(request.user, country),
            "published_indicators": published_indicators_for_country(country=country),
        },
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 page, in the visitor's language. It repeats the reason a view gave (an unknown
    objective, an unknown country code) but not the router's internals for unknown addresses."""
    reason = ""
    if (
        not isinstance(exception, Resolver404)
        and exception.args
        and isinstance(exception.args[0], str)
    ):
        reason = exception.args[0]
    body = loader.render_to_string("404.html", {"reason": reason}, request)
    return HttpResponseNotFound(body)
