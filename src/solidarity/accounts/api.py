"""The signed-in person over the JSON API.

Authentication is Django's session (ninja's ``django_auth``): the API is used from the site's own
pages and from a browser session, so it needs no token of its own, and ninja checks the CSRF token
on unsafe methods. Privileged roles must have passed two-factor authentication before the API
answers them at all (``TwoFactorRequiredMiddleware``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import django_auth

from solidarity.accounts.models import Organisation, RoleAssignment, User

router = Router()


class Unauthenticated(Schema):
    detail: str


class CountryRef(Schema):
    iso3: str
    name: str


class OrganisationOut(Schema):
    id: int
    name: str
    acronym: str
    kind: str
    country: str | None = Field(description="ISO 3166-1 alpha-3 code of where it is based.")

    @staticmethod
    def resolve_country(obj: Organisation) -> str | None:
        return obj.country_id


class OrganisationRef(Schema):
    id: int
    name: str


class RoleOut(Schema):
    role: str = Field(
        description="member, focal_point, data_provider, moderator, reviewer or administrator."
    )
    label: str = Field(description="The role's name in the language of the request.")
    country: CountryRef | None = Field(description="The State a focal point speaks for.")
    organisation: OrganisationRef | None = Field(
        description="The organisation a member or data provider acts for."
    )

    @staticmethod
    def resolve_label(obj: RoleAssignment) -> str:
        return str(obj.get_role_display())


class MeOut(Schema):
    username: str
    roles: list[RoleOut] = Field(description="Each role held, with its scope.")
    organisations: list[OrganisationOut] = Field(
        description="The organisations the person belongs to, through any role."
    )


@router.get(
    "/me",
    auth=django_auth,
    response={200: MeOut, 401: Unauthenticated},
    tags=["Account"],
    summary="Who am I",
    description="The signed-in person: username, roles with their scopes, and organisations. "
    "Uses the session cookie of the site; anonymous requests get a 401.",
)
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    assert isinstance(user, User)  # django_auth lets only signed-in users through.
    assignments = list(
        RoleAssignment.objects.filter(user=user)
        .select_related("country", "organisation")
        .order_by("role", "country_id", "organisation__name")
    )
    organisations = {a.organisation.pk: a.organisation for a in assignments if a.organisation}
    return {
        "username": user.get_username(),
        "roles": assignments,
        "organisations": list(organisations.values()),
    }
