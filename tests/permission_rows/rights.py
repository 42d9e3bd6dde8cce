"""Human-rights recommendations: reading is public; recording a status, assessing and deciding on
labels need a sign-in and the right role. No recommendation exists here, so the pages about one
answer 404 to everyone signed in; who may act on a real one is tested in
``rights/tests/test_pages.py``."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import EVERYONE, LOGIN, ROLES, only

NOT_FOUND_SIGNED_IN = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "rights:index": ("/rights/", EVERYONE),
    "rights:state": ("/rights/states/KEN/", EVERYONE),
    "rights:state_csv": ("/rights/states/KEN/recommendations.csv", EVERYONE),
    "rights:state_xlsx": ("/rights/states/KEN/recommendations.xlsx", EVERYONE),
    "rights:objective": ("/rights/objectives/10/", EVERYONE),
    "rights:recommendation": ("/rights/recommendations/1/", dict.fromkeys(ROLES, 404)),
    "rights:status_new": ("/rights/recommendations/1/status/", NOT_FOUND_SIGNED_IN),
    "rights:assessment_new": ("/rights/recommendations/1/assessments/", NOT_FOUND_SIGNED_IN),
    "rights:label_new": ("/rights/recommendations/1/labels/", POST_ONLY),
    "rights:label_decision": ("/rights/recommendations/1/labels/10/", POST_ONLY),
    # The decisions people made, for retraining: those who make them.
    "rights:label_decisions_csv": (
        "/rights/labels/decisions.csv",
        only("reviewer", "administrator"),
    ),
    "rights:ratifications": ("/rights/ratifications/", EVERYONE),
    # Ratifications (the ILO conventions above all) are entered by administrators only.
    "rights:ratification_edit": ("/rights/ratifications/KEN/C189/", only("administrator")),
}
