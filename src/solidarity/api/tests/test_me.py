"""/api/v1/me: who the session belongs to, with roles and their scopes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from solidarity.accounts.models import Role, RoleAssignment
from solidarity.api.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


def test_anonymous_gets_a_json_401(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_member_sees_their_organisation_and_role(cast: Any) -> None:
    response = signed_in_client(cast.migrant_org_member).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "lucia",
        "roles": [
            {
                "role": "member",
                "label": "Member of an organisation",
                "country": None,
                "organisation": {"id": cast.migrant_org.pk, "name": "Migrant Workers' Voice"},
            }
        ],
        "organisations": [
            {
                "id": cast.migrant_org.pk,
                "name": "Migrant Workers' Voice",
                "acronym": "",
                "kind": "migrant_led",
                "country": "MEX",
            }
        ],
    }


def test_a_focal_point_sees_the_state_they_speak_for(cast: Any) -> None:
    body = signed_in_client(cast.focal_point_kenya).get("/api/v1/me").json()
    assert body["username"] == "amina"
    assert body["roles"] == [
        {
            "role": "focal_point",
            "label": "State focal point",
            "country": {"iso3": "KEN", "name": "Kenya"},
            "organisation": None,
        }
    ]
    assert body["organisations"] == []


def test_every_role_held_is_listed_and_organisations_once(cast: Any) -> None:
    RoleAssignment.objects.create(
        user=cast.data_provider, role=Role.MEMBER, organisation=cast.statistics_office
    )
    RoleAssignment.objects.create(
        user=cast.data_provider, role=Role.MEMBER, organisation=cast.migrant_org
    )
    body = signed_in_client(cast.data_provider).get("/api/v1/me").json()
    assert sorted((r["role"], r["organisation"]["name"]) for r in body["roles"]) == [
        ("data_provider", "Kenya National Bureau of Statistics"),
        ("member", "Kenya National Bureau of Statistics"),
        ("member", "Migrant Workers' Voice"),
    ]
    assert sorted(o["acronym"] for o in body["organisations"]) == ["", "KNBS"]


def test_a_platform_role_has_no_scope(cast: Any) -> None:
    body = signed_in_client(cast.reviewer).get("/api/v1/me").json()
    assert body["roles"] == [
        {
            "role": "reviewer",
            "label": "Reviewer / secretariat",
            "country": None,
            "organisation": None,
        }
    ]


def test_me_costs_a_fixed_number_of_queries(
    cast: Any, django_assert_max_num_queries: object
) -> None:
    client = signed_in_client(cast.data_provider)
    for organisation in (cast.statistics_office, cast.migrant_org):
        RoleAssignment.objects.create(
            user=cast.data_provider, role=Role.MEMBER, organisation=organisation
        )
    # The session, the user, the verified 2FA device, the role gate, and the roles themselves.
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = client.get("/api/v1/me")
    assert response.status_code == 200
