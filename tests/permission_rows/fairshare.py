"""Fair sharing: the calculator, its downloads, groups and consultations are public; drafting a
consultation is for the secretariat (reviewers) and administrators. No consultation exists here,
so one is 404 to all; voting and opening or closing act only on POST (who may is tested with real
consultations in fairshare/tests/test_consultations.py)."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import EVERYONE, ROLES, only

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "fairshare:calculator": ("/fairshare/", EVERYONE),
    "fairshare:calculator_csv": ("/fairshare/fair-shares.csv", EVERYONE),
    "fairshare:calculator_xlsx": ("/fairshare/fair-shares.xlsx", EVERYONE),
    "fairshare:groups": ("/fairshare/groups/", EVERYONE),
    "fairshare:consultations": ("/fairshare/consultations/", EVERYONE),
    "fairshare:consultation_new": (
        "/fairshare/consultations/new/",
        only("reviewer", "administrator"),
    ),
    "fairshare:consultation": ("/fairshare/consultations/1/", dict.fromkeys(ROLES, 404)),
    "fairshare:consultation_vote": ("/fairshare/consultations/1/vote/", dict.fromkeys(ROLES, 405)),
    "fairshare:consultation_status": (
        "/fairshare/consultations/1/status/",
        dict.fromkeys(ROLES, 405),
    ),
}
