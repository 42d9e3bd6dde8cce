"""Review cycles: reading is public; managing cycles is the secretariat's, writing a State's review
its focal points', inputs the stakeholders', moderation the moderators'. No cycle exists here, so
the pages about one answer 404 once access is granted; who may act on a real cycle in every phase
is tested in ``reviews/tests/test_pages.py``."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import EVERYONE, LOGIN, ROLES, only

NOT_FOUND = dict.fromkeys(ROLES, 404)
NOT_FOUND_SIGNED_IN = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}
SECRETARIAT_THEN_404 = only("reviewer", "administrator") | {"reviewer": 404, "administrator": 404}
STAKEHOLDER_THEN_404 = only("migrant_org_member") | {"migrant_org_member": 404}

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "reviews:cycles": ("/reviews/", EVERYONE),
    "reviews:cycle_new": ("/reviews/new/", only("reviewer", "administrator")),
    "reviews:moderation": ("/reviews/moderation/", only("moderator", "administrator")),
    "reviews:moderate_input": ("/reviews/moderation/inputs/1/", POST_ONLY),
    "reviews:moderate_comment": ("/reviews/moderation/comments/1/", POST_ONLY),
    "reviews:input": ("/reviews/inputs/1/", NOT_FOUND),
    "reviews:follow_up_status": ("/reviews/follow-up/1/status/", NOT_FOUND_SIGNED_IN),
    "reviews:state_history": ("/reviews/states/KEN/", EVERYONE),
    "reviews:compare": ("/reviews/states/KEN/compare/", EVERYONE),
    "reviews:cycle": ("/reviews/IMRF-2026/", NOT_FOUND),
    "reviews:cycle_open": ("/reviews/IMRF-2026/open/", POST_ONLY),
    "reviews:phases_edit": ("/reviews/IMRF-2026/phases/", SECRETARIAT_THEN_404),
    "reviews:states_edit": ("/reviews/IMRF-2026/participants/", SECRETARIAT_THEN_404),
    "reviews:input_new": ("/reviews/IMRF-2026/inputs/new/", NOT_FOUND_SIGNED_IN),
    "reviews:review": ("/reviews/IMRF-2026/states/KEN/", NOT_FOUND),
    "reviews:review_edit": ("/reviews/IMRF-2026/states/KEN/edit/", NOT_FOUND_SIGNED_IN),
    "reviews:review_submit": ("/reviews/IMRF-2026/states/KEN/submit/", POST_ONLY),
    "reviews:review_publish": ("/reviews/IMRF-2026/states/KEN/publish/", POST_ONLY),
    "reviews:review_return": ("/reviews/IMRF-2026/states/KEN/return/", POST_ONLY),
    "reviews:review_diff": ("/reviews/IMRF-2026/states/KEN/changes/", NOT_FOUND_SIGNED_IN),
    "reviews:comment_new": (
        "/reviews/IMRF-2026/states/KEN/versions/1/comments/",
        POST_ONLY,
    ),
    "reviews:follow_up_new": ("/reviews/IMRF-2026/states/KEN/follow-up/new/", SECRETARIAT_THEN_404),
}
