"""Pledges (``/pledges/``): the registry, its downloads, the dashboard and the per-State and
per-objective views are public. Recording a pledge is for those who speak for a pledger (a
State's focal points, an organisation's members) and administrators.

No pledge exists here, so every page of one pledge is a 404 to those it lets in (after the login
for the forms); who may see a draft, edit a pledge, review progress and write or change an
assessment is tested with real pledges in ``commitments/tests/test_permissions.py``."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import EVERYONE, LOGIN, ROLES, only

SIGNED_IN_404 = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN}

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "commitments:registry": ("/pledges/", EVERYONE),
    "commitments:registry_csv": ("/pledges/pledges.csv", EVERYONE),
    "commitments:registry_xlsx": ("/pledges/pledges.xlsx", EVERYONE),
    "commitments:dashboard": ("/pledges/dashboard/", EVERYONE),
    "commitments:state": ("/pledges/states/KEN/", EVERYONE),
    "commitments:objective": ("/pledges/objectives/7/", EVERYONE),
    "commitments:pledge_new": (
        "/pledges/new/",
        only("focal_point_kenya", "focal_point_mexico", "migrant_org_member", "administrator"),
    ),
    "commitments:pledge": ("/pledges/1/", dict.fromkeys(ROLES, 404)),
    "commitments:pledge_edit": ("/pledges/1/edit/", SIGNED_IN_404),
    # It acts only on POST.
    "commitments:pledge_publish": (
        "/pledges/1/publish/",
        {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN},
    ),
    "commitments:progress_new": ("/pledges/1/progress/new/", SIGNED_IN_404),
    "commitments:progress": ("/pledges/1/progress/1/", dict.fromkeys(ROLES, 404)),
    "commitments:assessment_new": ("/pledges/1/assessments/new/", SIGNED_IN_404),
    "commitments:assessment_edit": ("/pledges/1/assessments/1/edit/", SIGNED_IN_404),
    "commitments:money_new": ("/pledges/1/money/new/", SIGNED_IN_404),
    "commitments:pledge_activities": ("/pledges/1/activities/", SIGNED_IN_404),
    # IATI files: uploaded by administrators and, for their State's pledges, focal points.
    "commitments:iati_upload": (
        "/pledges/iati/upload/",
        only("focal_point_kenya", "focal_point_mexico", "administrator"),
    ),
    # It acts only on POST.
    "commitments:iati_upload_confirm": (
        "/pledges/iati/upload/confirm/",
        {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN},
    ),
}
