"""Testimonies over the JSON API, through the same consent gate as the pages.

``GET /testimonies`` lists the published ones (consent to publication, released by a moderator),
filtered by objective and country; ``GET /testimonies/{public_id}`` gives one. ``GET
/testimonies/shared/{use}`` gives what a use shares with the signed-in caller: ``share_state``
(with ``state``) to that State's focal points, ``share_un`` to the secretariat, ``research`` to
the secretariat and administrators. Only redacted texts ever leave through the API.
"""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from solidarity.api.schemas import Problem
from solidarity.testimonies import selectors
from solidarity.testimonies.forms import country_from_text
from solidarity.testimonies.models import Testimony, Use
from solidarity.testimonies.permissions import can_receive

router = Router()


class TestimonyOut(Schema):
    id: uuid.UUID = Field(description="Stable public identifier.")
    released: datetime.date | None = Field(description="When a moderator released it.")
    language: str
    objectives: list[int] = Field(description="GCM objectives it speaks to.")
    country_of_origin: str | None = Field(description="ISO 3166-1 alpha-3 code.")
    country_of_transit: str | None
    country_of_destination: str | None
    groups: list[str] = Field(description="Self-described groups: woman, child, older, disability.")
    attribution: str = Field(description="Name or pseudonym the author chose; empty if anonymous.")
    text: str = Field(description="The text as the moderator redacted it.")


def _out(shared: selectors.SharedTestimony) -> TestimonyOut:
    t = shared.testimony
    return TestimonyOut(
        id=t.public_id,
        released=t.published_at.date() if t.published_at else None,
        language=t.language,
        objectives=[o.number for o in t.objectives.all()],
        country_of_origin=t.country_of_origin_id,
        country_of_transit=t.country_of_transit_id,
        country_of_destination=t.country_of_destination_id,
        groups=list(t.groups),
        attribution=shared.attribution,
        text=shared.text,
    )


class TestimonyFilters(Schema):
    objective: int | None = Field(None, description="Only testimonies about this objective.")
    country: str | None = Field(
        None, description="Only those whose country of origin, transit or destination it is (ISO3)."
    )


def _country(code: str | None) -> str | None:
    if not code:
        return None
    country = country_from_text(code)
    if country is None:
        raise HttpError(400, f"Unknown country: {code!r}.")
    return country.iso3


@router.get(
    "/testimonies",
    response=list[TestimonyOut],
    tags=["Testimonies"],
    summary="List published testimonies",
    description="Testimonies whose authors agreed to publication, released by a moderator, "
    "with identifying details removed.",
)
def testimony_list(request: HttpRequest, filters: Query[TestimonyFilters]) -> list[TestimonyOut]:
    return [
        _out(shared)
        for shared in selectors.shared_testimonies(
            Use.PUBLISH, state=_country(filters.country), objective=filters.objective
        )
    ]


class SharedFilters(TestimonyFilters):
    state: str | None = Field(None, description="For share_state: the State (ISO3).")


@router.get(
    "/testimonies/shared/{use}",
    response={200: list[TestimonyOut], 400: Problem, 403: Problem},
    auth=django_auth,
    tags=["Testimonies"],
    summary="List testimonies shared with you for one use",
    description="`share_state` (with `state`) for that State's focal points, `share_un` for the "
    "secretariat, `research` for the secretariat and administrators.",
)
def testimony_shared(
    request: HttpRequest, use: str, filters: Query[SharedFilters]
) -> list[TestimonyOut]:
    if use not in {Use.SHARE_STATE, Use.SHARE_UN, Use.RESEARCH}:
        raise HttpError(400, f"Unknown use: {use!r}; use share_state, share_un or research.")
    state = _country(filters.state)
    if use == Use.SHARE_STATE and state is None:
        raise HttpError(400, "Sharing with a State needs the State: add ?state=ISO3.")
    if not can_receive(request.user, use, state=state):
        raise HttpError(403, "These testimonies are not shared with you.")
    return [
        _out(shared)
        for shared in selectors.shared_testimonies(use, state=state, objective=filters.objective)
    ]


@router.get(
    "/testimonies/{public_id}",
    response={200: TestimonyOut, 404: Problem},
    tags=["Testimonies"],
    summary="Get one published testimony",
    description="One testimony by its identifier, if its author agreed to publication and a "
    "moderator released it; otherwise 404, whether it exists or not.",
)
def testimony_get(request: HttpRequest, public_id: str) -> TestimonyOut:
    try:
        return _out(selectors.shared_testimony(Use.PUBLISH, public_id=public_id))
    except Testimony.DoesNotExist:
        raise HttpError(404, "No published testimony has this identifier.") from None
