"""Testimonies: the form, the receipt page, the published testimonies and their CSV are open to
everyone; what is shared with States and the UN only to them; the moderators' pages only to
moderators (and administrators); recording on someone's behalf only to secretariat staff and
moderators. No testimony exists here: one testimony's pages answer 404; who sees a real one is
tested per consent choice in testimonies/tests/test_consent_gate.py."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import EVERYONE, ROLES, only

NO_SUCH = "/testimonies/{}/".format("6f1c1a52-1d5e-4f0e-9a39-3f0f3c6f7b11")

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "testimonies:list": ("/testimonies/", EVERYONE),
    "testimonies:new": ("/testimonies/new/", EVERYONE),
    "testimonies:receipt": ("/testimonies/receipt/", EVERYONE),
    # Published testimonies (the default use) are public.
    "testimonies:export_csv": ("/testimonies/export.csv", EVERYONE),
    "testimonies:detail": (NO_SUCH, dict.fromkeys(ROLES, 404)),
    "testimonies:record": ("/testimonies/record/", only("moderator", "reviewer")),
    # Focal points see what is shared with their State, the secretariat what is shared with UN
    # bodies and for research, administrators what is shared for research.
    "testimonies:shared": (
        "/testimonies/shared/",
        only("focal_point_kenya", "focal_point_mexico", "reviewer", "administrator"),
    ),
    "testimonies:moderation": ("/testimonies/moderation/", only("moderator", "administrator")),
    "testimonies:moderate": (
        "/testimonies/moderation/6f1c1a52-1d5e-4f0e-9a39-3f0f3c6f7b11/",
        only("moderator", "administrator") | {"moderator": 404, "administrator": 404},
    ),
}
