"""The participation fund: calls and their results are public; applying and one's own
applications need an account; the panel is the secretariat's (and administrators'). No call
exists here, so a call's pages answer 404 to whoever may reach them; who may do what on a real
call is tested in fund/tests/test_pages.py."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import EVERYONE, LOGIN, ROLES, SIGNED_IN, only

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "fund:calls": ("/fund/", EVERYONE),
    "fund:mine": ("/fund/mine/", SIGNED_IN),
    "fund:call": ("/fund/no-such-call/", dict.fromkeys(ROLES, 404)),
    "fund:results_csv": ("/fund/no-such-call/results.csv", dict.fromkeys(ROLES, 404)),
    "fund:apply": ("/fund/no-such-call/apply/", {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN}),
    "fund:panel": (
        "/fund/no-such-call/panel/",
        only("reviewer", "administrator") | {"reviewer": 404, "administrator": 404},
    ),
}
