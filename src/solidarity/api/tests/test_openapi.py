"""The OpenAPI description and the interactive documentation page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from solidarity.api.urls import api

pytestmark = pytest.mark.django_db

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def schema(anonymous: Client) -> dict[str, Any]:
    response = anonymous.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def all_operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_it_is_an_openapi_3_document(schema: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.\d+\.\d+", schema["openapi"])
    assert schema["info"]["title"] == "Solidarity API"
    assert schema["info"]["version"]
    assert schema["info"]["description"]
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_every_operation_is_named_summarised_described_and_tagged(
    schema: dict[str, Any],
) -> None:
    operations = all_operations(schema)
    assert operations
    for method, path, operation in operations:
        where = f"{method.upper()} {path}"
        assert re.fullmatch(r"[a-z][a-z_]*", operation["operationId"]), where
        assert operation["summary"], where
        assert operation["description"], where
        assert operation["tags"], where
        assert "200" in operation["responses"], where
        for name in re.findall(r"\{(\w+)\}", path):
            assert {"in": "path", "name": name} in [
                {"in": p["in"], "name": p["name"]} for p in operation.get("parameters", [])
            ], where
    operation_ids = [operation["operationId"] for _, _, operation in operations]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_reference_resolves(schema: dict[str, Any]) -> None:
    text = str(schema)
    components = schema["components"]["schemas"]
    references = set(re.findall(r"'#/components/schemas/([^']+)'", text))
    assert references
    assert references <= set(components)


def test_it_lists_every_endpoint(schema: dict[str, Any]) -> None:
    assert {(method, path) for method, path, _ in all_operations(schema)} == {
        ("get", "/api/v1/objectives"),
        ("get", "/api/v1/objectives/{number}"),
        ("get", "/api/v1/guiding-principles"),
        ("get", "/api/v1/cross-cutting-approaches"),
        ("get", "/api/v1/population-groups"),
        ("get", "/api/v1/solidarity-types"),
        ("get", "/api/v1/regions"),
        ("get", "/api/v1/countries"),
        ("get", "/api/v1/countries/{iso3}"),
        ("get", "/api/v1/sdg/goals"),
        ("get", "/api/v1/sdg/indicators"),
        ("get", "/api/v1/indicators"),
        ("get", "/api/v1/indicators/{code}"),
        ("get", "/api/v1/dimensions"),
        ("get", "/api/v1/dimensions/{dimension}/codes"),
        ("get", "/api/v1/treaties"),
        ("get", "/api/v1/me"),
        ("post", "/api/v1/submissions"),
        ("get", "/api/v1/fairshare/keys"),
        ("get", "/api/v1/fairshare/groups"),
        ("get", "/api/v1/fairshare/shares"),
        ("get", "/api/v1/fairshare/consultations"),
        ("get", "/api/v1/pledges"),
        ("post", "/api/v1/pledges"),
        ("get", "/api/v1/pledges/{pledge_id}"),
        ("get", "/api/v1/pledges/{pledge_id}/progress"),
        ("get", "/api/v1/pledges/{pledge_id}/assessments"),
        ("get", "/api/v1/pledges/{pledge_id}/transactions"),
        ("get", "/api/v1/pledges-summary"),
        ("get", "/api/v1/pledges-disbursed-by-state"),
        ("post", "/api/v1/iati/imports"),
        ("get", "/api/v1/pledges/{pledge_id}/activities"),
        ("get", "/api/v1/pledges/{pledge_id}/activities/linkable"),
        ("post", "/api/v1/pledges/{pledge_id}/activities"),
        ("delete", "/api/v1/pledges/{pledge_id}/activities/{activity_id}"),
        ("get", "/api/v1/rights/mechanisms"),
        ("get", "/api/v1/rights/recommendations"),
        ("get", "/api/v1/rights/recommendations/{recommendation_id}"),
        ("post", "/api/v1/rights/recommendations/{recommendation_id}/status"),
        ("post", "/api/v1/rights/recommendations/{recommendation_id}/assessments"),
        ("post", "/api/v1/rights/recommendations/{recommendation_id}/labels/{objective_number}"),
        ("get", "/api/v1/rights/ratifications"),
        ("get", "/api/v1/dossiers/{iso3}"),
        ("get", "/api/v1/dossiers/{iso3}/{cycle_code}"),
        ("get", "/api/v1/reviews/cycles"),
        ("post", "/api/v1/reviews/cycles"),
        ("get", "/api/v1/reviews/cycles/{cycle_code}"),
        ("post", "/api/v1/reviews/cycles/{cycle_code}/open"),
        ("put", "/api/v1/reviews/cycles/{cycle_code}/phases/{phase}"),
        ("put", "/api/v1/reviews/cycles/{cycle_code}/states"),
        ("get", "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}"),
        ("get", "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions"),
        ("post", "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions"),
        ("get", "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions/{version_number}"),
        (
            "get",
            "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions/{version_number}/comments",
        ),
        (
            "post",
            "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}/versions/{version_number}/comments",
        ),
        ("post", "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}/submit"),
        ("post", "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}/publish"),
        ("post", "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}/return"),
        ("get", "/api/v1/reviews/states/{iso3}/history"),
        ("get", "/api/v1/reviews/cycles/{cycle_code}/inputs"),
        ("post", "/api/v1/reviews/cycles/{cycle_code}/inputs"),
        ("get", "/api/v1/reviews/moderation"),
        ("post", "/api/v1/reviews/inputs/{input_id}/moderation"),
        ("post", "/api/v1/reviews/comments/{comment_id}/moderation"),
        ("get", "/api/v1/reviews/cycles/{cycle_code}/follow-up"),
        ("post", "/api/v1/reviews/cycles/{cycle_code}/states/{iso3}/follow-up"),
        ("post", "/api/v1/reviews/follow-up/{follow_up_id}/status"),
        ("get", "/api/v1/testimonies"),
        ("get", "/api/v1/testimonies/{public_id}"),
        ("get", "/api/v1/testimonies/shared/{use}"),
        ("get", "/api/v1/fund/calls"),
        ("get", "/api/v1/fund/calls/{code}"),
        ("get", "/api/v1/protection/runs"),
        ("get", "/api/v1/protection/runs/{run_id}"),
    }
    # Nothing routed is hidden from the description.
    routed = [
        operation
        for _, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    ]
    assert len(routed) == len(all_operations(schema))
    assert all(operation.include_in_schema for operation in routed)


def test_filters_are_documented_with_their_values(schema: dict[str, Any]) -> None:
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/countries"]["get"]["parameters"]}
    assert set(parameters) == {"region", "grouping", "un_member", "q"}
    assert all(p["in"] == "query" and not p["required"] for p in parameters.values())
    assert "ldc" in str(parameters["grouping"]["schema"])
    assert parameters["region"]["description"]


def test_me_is_documented_as_needing_the_session(schema: dict[str, Any]) -> None:
    assert schema["paths"]["/api/v1/me"]["get"]["security"]
    assert "401" in schema["paths"]["/api/v1/me"]["get"]["responses"]
    assert "security" not in schema["paths"]["/api/v1/countries"]["get"]


# --- The documentation page under the site's Content Security Policy ------------------------------


def test_the_docs_page_runs_under_the_strict_content_security_policy(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/docs")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    page = response.content.decode()

    # Every script and stylesheet comes from this site's static files, none from a CDN.
    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page)
    stylesheets = re.findall(r'<link[^>]*\shref="([^"]+)"', page)
    assert sources
    assert stylesheets
    for address in sources + stylesheets:
        assert address.startswith("/static/"), address
    assert "//" not in "".join(sources + stylesheets)

    # No inline script or style: the only script without src is a JSON data block, which the
    # browser does not run, and nothing carries a style attribute or a <style> element.
    inline_scripts = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", page)
    assert inline_scripts == [' type="application/json" id="swagger-settings"']
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers either

    # The data block points Swagger UI at our description and at no online validator.
    assert '"url": "/api/v1/openapi.json"' in page
    assert '"validatorUrl": null' in page


def test_the_docs_page_assets_are_served(anonymous: Client) -> None:
    page = anonymous.get("/api/v1/docs").content.decode()
    addresses = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page)
    addresses += re.findall(r'<link[^>]*\shref="([^"]+)"', page)
    for address in addresses:
        response = anonymous.get(address)
        assert response.status_code == 200, address
        if hasattr(response, "close"):
            response.close()
