"""``{% pledges_country_summary country %}`` and ``{% pledges_objective_summary objective %}``:
the pledges part of the country and objective pages (how many published pledges, the money
disbursed, a link to the registry), so those pages' own views need no change."""

from __future__ import annotations

from typing import Any

from django import template

from solidarity.commitments import selectors
from solidarity.reference.models import Country, Objective

register = template.Library()


@register.inclusion_tag("commitments/_summary.html")
def pledges_country_summary(country: Country) -> dict[str, Any]:
    return {
        "summary": selectors.published_summary(state=country.iso3),
        "link": ("commitments:state", country.iso3),
    }


@register.inclusion_tag("commitments/_summary.html")
def pledges_objective_summary(objective: Objective) -> dict[str, Any]:
    return {
        "summary": selectors.published_summary(objective=objective.number),
        "link": ("commitments:objective", objective.number),
    }
