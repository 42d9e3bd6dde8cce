"""Protection runs (``/protection/``): the data providers of an organisation and administrators
only; everyone else signed in is refused (403), anonymous visitors are sent to the login. No run
exists here, so a run's pages are 404 to those let in; who may see a real run (not another
provider) is tested in protection/tests/test_pages.py."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import LOGIN, ROLES, only

SIGNED_IN_404 = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN}

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "protection:runs": ("/protection/", only("data_provider", "administrator")),
    "protection:run_new": ("/protection/new/", only("data_provider", "administrator")),
    "protection:run": ("/protection/runs/1/", SIGNED_IN_404),
    "protection:run_status": ("/protection/runs/1/status.json", SIGNED_IN_404),
    "protection:run_download": ("/protection/runs/1/tables.zip", SIGNED_IN_404),
    # It acts only on POST.
    "protection:run_submit": (
        "/protection/runs/1/submit/",
        {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN},
    ),
}
