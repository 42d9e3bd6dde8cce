"""State dossiers: a State's list of dossiers is public. No review cycle is loaded here, so a
dossier answers 404 to everyone; who may read a real one — by role and by state of the State's
review (none, draft, published), a focal point of State A against State B's draft — is tested in
``dossiers/tests/test_dossier.py``."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import EVERYONE, ROLES

NOT_FOUND = dict.fromkeys(ROLES, 404)

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "dossiers:state": ("/dossiers/KEN/", EVERYONE),
    "dossiers:detail": ("/dossiers/KEN/NO-SUCH-CYCLE/", NOT_FOUND),
    "dossiers:pdf": ("/dossiers/KEN/NO-SUCH-CYCLE.pdf", NOT_FOUND),
}
