"""``{% rights_country_summary country %}``: the human-rights part of a country page (its
ratifications and how many recommendations it has), so the page's own view needs no change."""

from __future__ import annotations

from typing import Any

from django import template

from solidarity.reference.models import Country
from solidarity.rights import selectors
from solidarity.rights.permissions import can_enter_ratifications

register = template.Library()


@register.inclusion_tag("rights/_country_summary.html", takes_context=True)
def rights_country_summary(context: dict[str, Any], country: Country) -> dict[str, Any]:
    request = context.get("request")
    return {
        "country": country,
        "ratifications": selectors.country_ratifications(country=country),
        "recommendation_count": selectors.country_recommendation_count(country=country),
        "can_enter": can_enter_ratifications(getattr(request, "user", None)),
    }
