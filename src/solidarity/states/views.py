from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from solidarity.accounts.models import User
from solidarity.accounts.permissions import can_edit_state_profile
from solidarity.reference.models import Country
from solidarity.states.actions import state_profile_update
from solidarity.states.forms import StateProfileForm
from solidarity.states.models import StateProfile
from solidarity.states.selectors import state_profile_get


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, iso3: str) -> HttpResponse:
    country = get_object_or_404(Country, iso3=iso3.upper())
    if not can_edit_state_profile(request.user, country):
        raise PermissionDenied
    profile = state_profile_get(country=country) or StateProfile(country=country)
    form = StateProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        data = form.cleaned_data
        state_profile_update(
            actor=request.user,
            country=country,
            coordinating_institution=data["coordinating_institution"],
            implementation_plan_url=data["implementation_plan_url"],
            gcm_champion=data["gcm_champion"],
            summary=data["summary"],
        )
        messages.success(
            request,
            _("The profile of %(country)s is saved.") % {"country": country.localized("name")},
        )
        return redirect("web:country", iso3=country.iso3)
    return render(
        request,
        "states/profile_edit.html",
        {"form": form, "country": country, "country_name": country.localized("name")},
    )
