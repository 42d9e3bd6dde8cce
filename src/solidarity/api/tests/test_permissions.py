"""Who may call what: every operation of the API against every member of the cast.

The operations come from the OpenAPI document itself, so a new endpoint fails
``test_every_operation_has_an_access_rule`` until its rule is written down in ``ACCESS``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from solidarity.api.tests.conftest import signed_in_client
from solidarity.api.urls import api

pytestmark = pytest.mark.django_db

CAST = (
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "migrant_org_member",
    "moderator",
    "reviewer",
    "administrator",
)
VISITORS = ("anonymous", *CAST)

# The status each visitor gets.
PUBLIC = dict.fromkeys(VISITORS, 200)
SIGNED_IN = {"anonymous": 401, **dict.fromkeys(CAST, 200)}
NOT_FOUND = dict.fromkeys(VISITORS, 404)
SIGNED_IN_NOT_FOUND = {"anonymous": 401, **dict.fromkeys(CAST, 404)}
INCOMPLETE = {"anonymous": 401, **dict.fromkeys(CAST, 422)}

ACCESS: dict[str, dict[str, int]] = {
    "GET /api/v1/objectives": PUBLIC,
    "GET /api/v1/objectives/{number}": PUBLIC,
    "GET /api/v1/guiding-principles": PUBLIC,
    "GET /api/v1/cross-cutting-approaches": PUBLIC,
    "GET /api/v1/population-groups": PUBLIC,
    "GET /api/v1/solidarity-types": PUBLIC,
    "GET /api/v1/regions": PUBLIC,
    "GET /api/v1/countries": PUBLIC,
    "GET /api/v1/countries/{iso3}": PUBLIC,
    "GET /api/v1/sdg/goals": PUBLIC,
    "GET /api/v1/sdg/indicators": PUBLIC,
    "GET /api/v1/indicators": PUBLIC,
    "GET /api/v1/indicators/{code}": PUBLIC,
    "GET /api/v1/dimensions": PUBLIC,
    "GET /api/v1/dimensions/{dimension}/codes": PUBLIC,
    "GET /api/v1/treaties": PUBLIC,
    "GET /api/v1/me": SIGNED_IN,
    # Signed in, an empty form is refused as incomplete (422) before anything else; who may submit
    # a real file (the provider's data providers, 403 for everyone else) is tested in
    # indicators/tests/test_submission_interfaces.py.
    "POST /api/v1/submissions": {"anonymous": 401, **dict.fromkeys(CAST, 422)},
    # Commitments: the registry and its sums are public; no pledge exists here, so one is 404 to
    # all (drafts and who may create or edit: commitments/tests/test_permissions.py). The
    # disbursed-by-State sums need their year (422 without it); an empty pledge is refused as
    # incomplete (422) once signed in.
    "GET /api/v1/pledges": PUBLIC,
    "POST /api/v1/pledges": {"anonymous": 401, **dict.fromkeys(CAST, 422)},
    "GET /api/v1/pledges/{pledge_id}": dict.fromkeys(VISITORS, 404),
    "GET /api/v1/pledges/{pledge_id}/progress": dict.fromkeys(VISITORS, 404),
    "GET /api/v1/pledges/{pledge_id}/assessments": dict.fromkeys(VISITORS, 404),
    "GET /api/v1/pledges/{pledge_id}/transactions": dict.fromkeys(VISITORS, 404),
    "GET /api/v1/pledges-summary": PUBLIC,
    "GET /api/v1/pledges-disbursed-by-state": dict.fromkeys(VISITORS, 422),
    # IATI files and activities: importing, finding and linking need a sign-in (an empty form is
    # incomplete); no pledge exists here, so its activities are 404. Who may import and link, on
    # real files and pledges: commitments/tests/test_iati_api.py.
    "POST /api/v1/iati/imports": INCOMPLETE,
    "GET /api/v1/pledges/{pledge_id}/activities": dict.fromkeys(VISITORS, 404),
    "GET /api/v1/pledges/{pledge_id}/activities/linkable": INCOMPLETE,
    "POST /api/v1/pledges/{pledge_id}/activities": INCOMPLETE,
    "DELETE /api/v1/pledges/{pledge_id}/activities/{activity_id}": SIGNED_IN_NOT_FOUND,
    # Fair sharing: keys, groups, calculations and consultations are public and read-only (a
    # draft consultation is left out for those who may not see it: fairshare/tests).
    "GET /api/v1/fairshare/keys": PUBLIC,
    "GET /api/v1/fairshare/groups": PUBLIC,
    "GET /api/v1/fairshare/shares": PUBLIC,
    "GET /api/v1/fairshare/consultations": PUBLIC,
    # Protection runs: signed-in only; each sees the runs of the organisations they provide
    # data for (none here), so a run is 404 to all (protection/tests/test_api.py).
    "GET /api/v1/protection/runs": SIGNED_IN,
    "GET /api/v1/protection/runs/{run_id}": {"anonymous": 401, **dict.fromkeys(CAST, 404)},
    # Testimonies: published ones are public; no testimony exists here, so one is 404 to all.
    # What each use shares with whom is tested with real testimonies in
    # testimonies/tests/test_consent_gate.py.
    "GET /api/v1/testimonies": PUBLIC,
    "GET /api/v1/testimonies/{public_id}": dict.fromkeys(VISITORS, 404),
    "GET /api/v1/testimonies/shared/{use}": {
        "anonymous": 401,
        **dict.fromkeys(CAST, 403),
        "reviewer": 200,
    },
    # The participation fund's calls are public; no call has the example code.
    "GET /api/v1/fund/calls": PUBLIC,
    "GET /api/v1/fund/calls/{code}": dict.fromkeys(VISITORS, 404),
    # Human rights: reading is public; no recommendation exists here, so one is 404 to all and
    # an empty write is refused as incomplete (422) once signed in. Who may record a status,
    # assess or decide on a label: rights/tests/test_api.py.
    "GET /api/v1/rights/mechanisms": PUBLIC,
    "GET /api/v1/rights/recommendations": PUBLIC,
    "GET /api/v1/rights/recommendations/{recommendation_id}": dict.fromkeys(VISITORS, 404),
    "POST /api/v1/rights/recommendations/{recommendation_id}/status": {
        "anonymous": 401,
        **dict.fromkeys(CAST, 422),
    },
    "POST /api/v1/rights/recommendations/{recommendation_id}/assessments": {
        "anonymous": 401,
        **dict.fromkeys(CAST, 422),
    },
    "POST /api/v1/rights/recommendations/{recommendation_id}/labels/{objective_number}": {
        "anonymous": 401,
        **dict.fromkeys(CAST, 422),
    },
    "GET /api/v1/rights/ratifications": PUBLIC,
    # State dossiers: a State's list is public; no cycle is loaded here, so a dossier is 404 to
    # all (who may read a draft or a published one: dossiers/tests/test_dossier.py).
    "GET /api/v1/dossiers/{iso3}": PUBLIC,
    "GET /api/v1/dossiers/{iso3}/{cycle_code}": dict.fromkeys(VISITORS, 404),
    # Reviews: reading is public; no cycle exists here, so one is 404 to all, and writes with an
    # empty body are refused as incomplete (422) once signed in. Who may act in each phase, on
    # real cycles: reviews/tests/test_api.py.
    "GET /api/v1/reviews/cycles": PUBLIC,
    "POST /api/v1/reviews/cycles": INCOMPLETE,
    "GET /api/v1/reviews/cycles/{cycle_code}": NOT_FOUND,
    "POST /api/v1/reviews/cycles/{cycle_code}/open": SIGNED_IN_NOT_FOUND,
    "PUT /api/v1/reviews/cycles/{cycle_code}/phases/{phase}": INCOMPLETE,
    "PUT /api/v1/reviews/cycles/{cycle_code}/states": INCOMPLETE,
    "GET /api/v1/reviews/cycles/{cycle_code}/states/{iso3}": NOT_FOUND,
    "GET /api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions": NOT_FOUND,
    "POST /api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions": INCOMPLETE,
    "GET /api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions/{version_number}": NOT_FOUND,
    "GET /api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions/{version_number}/comments": (
        NOT_FOUND
    ),
    "POST /api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions/{version_number}/comments": (
        INCOMPLETE
    ),
    "POST /api/v1/reviews/cycles/{cycle_code}/states/{iso3}/submit": SIGNED_IN_NOT_FOUND,
    "POST /api/v1/reviews/cycles/{cycle_code}/states/{iso3}/publish": SIGNED_IN_NOT_FOUND,
    "POST /api/v1/reviews/cycles/{cycle_code}/states/{iso3}/return": INCOMPLETE,
    "GET /api/v1/reviews/states/{iso3}/history": PUBLIC,
    "GET /api/v1/reviews/cycles/{cycle_code}/inputs": NOT_FOUND,
    "POST /api/v1/reviews/cycles/{cycle_code}/inputs": INCOMPLETE,
    "GET /api/v1/reviews/moderation": {
        "anonymous": 401,
        **dict.fromkeys(CAST, 403),
        "moderator": 200,
        "administrator": 200,
    },
    "POST /api/v1/reviews/inputs/{input_id}/moderation": INCOMPLETE,
    "POST /api/v1/reviews/comments/{comment_id}/moderation": INCOMPLETE,
    "GET /api/v1/reviews/cycles/{cycle_code}/follow-up": NOT_FOUND,
    "POST /api/v1/reviews/cycles/{cycle_code}/states/{iso3}/follow-up": INCOMPLETE,
    "POST /api/v1/reviews/follow-up/{follow_up_id}/status": INCOMPLETE,
}

# A value for each path parameter that names something in the reference data.
PATH_EXAMPLES = {
    "pledge_id": "1",
    "activity_id": "1",
    "number": "7",
    "iso3": "KEN",
    "code": "10.7.3",
    "dimension": "SEX",
    "public_id": "6f1c1a52-1d5e-4f0e-9a39-3f0f3c6f7b11",
    "use": "share_un",
    "recommendation_id": "1",
    "objective_number": "10",
    "cycle_code": "NO-SUCH-CYCLE",
    "run_id": "1",
    "phase": "forum",
    "version_number": "1",
    "input_id": "1",
    "comment_id": "1",
    "follow_up_id": "1",
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operations() -> list[str]:
    paths: dict[str, dict[str, Any]] = api.get_openapi_schema()["paths"]
    return sorted(
        f"{method.upper()} {path}"
        for path, item in paths.items()
        for method in item
        if method in HTTP_METHODS
    )


def concrete(path: str) -> str:
    def example(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in PATH_EXAMPLES, f"Add an example value for the path parameter {name!r}."
        return PATH_EXAMPLES[name]

    return re.sub(r"\{(\w+)\}", example, path)


def test_every_operation_has_an_access_rule() -> None:
    assert operations() == sorted(ACCESS)


@pytest.mark.parametrize("visitor", VISITORS)
def test_each_visitor_gets_what_the_rules_say(visitor: str, request: pytest.FixtureRequest) -> None:
    if visitor == "anonymous":
        client = Client()
    else:
        cast = request.getfixturevalue("cast")
        client = signed_in_client(cast.all_users()[visitor])
    got = {}
    for operation in operations():
        method, path = operation.split(" ", 1)
        response = client.generic(method, concrete(path))
        assert response["Content-Type"].startswith("application/json"), operation
        got[operation] = response.status_code
    assert got == {operation: rule[visitor] for operation, rule in ACCESS.items()}


@pytest.mark.parametrize("visitor", sorted(set(CAST) - {"migrant_org_member"}))
def test_privileged_accounts_without_two_factor_are_refused_everywhere(
    visitor: str, cast: Any
) -> None:
    # Signed in with a password only: the API answers 403 in JSON rather than redirecting to the
    # two-factor page, even for public data, so that a half-signed-in session can do nothing.
    client = Client()
    client.force_login(cast.all_users()[visitor])
    for operation in operations():
        method, path = operation.split(" ", 1)
        response = client.generic(method, concrete(path))
        assert response.status_code == 403, operation
        # The wording belongs to the accounts app and is asserted there.
        assert set(response.json()) == {"detail"}, operation


def test_a_plain_member_needs_no_two_factor(cast: Any) -> None:
    client = Client()
    client.force_login(cast.migrant_org_member)
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
@pytest.mark.parametrize("visitor", ["anonymous", "administrator"])
def test_the_description_and_docs_are_public(
    path: str, visitor: str, request: pytest.FixtureRequest
) -> None:
    if visitor == "anonymous":
        client = Client()
    else:
        client = signed_in_client(request.getfixturevalue("cast").administrator)
    assert client.get(path).status_code == 200
