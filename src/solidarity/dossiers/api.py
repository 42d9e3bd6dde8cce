"""The State dossier over the JSON API: a State's dossiers by cycle, and one dossier with every
section, its sources and dates, and what is missing. Public once the State's review for the
cycle is published; before that only for those entitled to the draft (404 for everyone else, as
on the page)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from solidarity.api.schemas import Problem
from solidarity.dossiers import selectors
from solidarity.dossiers.serialize import dossier_as_json
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country

router = Router(tags=["State dossiers"])


class SourceOut(Schema):
    label: str = Field(description="Where the section's figures come from.")
    as_of: str = Field(
        description="As of when: a date, or a year as the source gives it; empty if unknown."
    )


class SectionOut(Schema):
    key: str = Field(
        description="review, stakeholders, testimonies, recommendations, ratifications, "
        "indicators, pledges, fair_share or follow_up."
    )
    title: str
    missing: str = Field(description="What is not there yet, in a sentence; empty if present.")
    summary: str = Field(description="The section in one line.")
    sources: list[SourceOut]
    data: dict[str, Any] = Field(
        description="The section's content; its fields depend on the key (see docs/dossier.md)."
    )


class DossierOut(Schema):
    state: str = Field(description="ISO 3166-1 alpha-3 code.")
    state_name: str
    cycle: str = Field(description="The review cycle's code, e.g. IMRF-2026.")
    cycle_title: str
    published: bool = Field(
        description="Whether the State's review for the cycle is published; false: a draft."
    )
    generated_at: datetime.datetime
    sections: list[SectionOut]


class DossierEntryOut(Schema):
    cycle: str
    cycle_title: str
    published: bool
    readable: bool = Field(description="Whether the caller may open this dossier now.")


@router.get(
    "/dossiers/{iso3}",
    response={200: list[DossierEntryOut], 404: Problem},
    summary="A State's dossiers",
    description="The review cycles the State takes part in, newest first, with whether its "
    "dossier is published and whether the caller may open it (a draft only for the State's "
    "focal points, reviewers and administrators).",
)
def dossier_list(request: HttpRequest, iso3: str) -> list[dict[str, Any]]:
    try:
        country = reference.country_get(iso3=iso3)
    except Country.DoesNotExist:
        raise HttpError(404, f"No country or area has the code {iso3!r}.") from None
    return [
        {
            "cycle": entry.cycle.code,
            "cycle_title": entry.cycle.title,
            "published": entry.published,
            "readable": entry.readable,
        }
        for entry in selectors.dossier_index(user=request.user, state=country)
    ]


@router.get(
    "/dossiers/{iso3}/{cycle_code}",
    response={200: DossierOut, 404: Problem},
    summary="A State's dossier for a review cycle",
    description="Every section side by side — the State's review, stakeholders' views, "
    "testimonies published with consent, human-rights recommendations by objective with their "
    "status and assessments, ratifications, indicators and their disaggregation, pledges and "
    "money in US dollars, the fair-share position, follow-up — each with its sources and dates "
    "and a sentence saying what is missing. 404 for an unknown State or cycle, and for a draft "
    "the caller may not read.",
)
def dossier_detail(request: HttpRequest, iso3: str, cycle_code: str) -> dict[str, Any]:
    try:
        dossier = selectors.dossier_get(user=request.user, iso3=iso3, cycle_code=cycle_code)
    except selectors.DossierNotFound:
        raise HttpError(
            404, f"There is no dossier of {iso3!r} for the review cycle {cycle_code!r}."
        ) from None
    return dossier_as_json(dossier)
