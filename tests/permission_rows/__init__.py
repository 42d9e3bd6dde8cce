"""Shared vocabulary of the permission matrix (``tests/test_permission_matrix.py``).

Each module in this package may define ``PAGES`` — rows of the same shape as the matrix's own — so
that work on different parts of the site adds its rows in files of its own; the matrix merges them
all and refuses a URL name given twice.
"""

from __future__ import annotations

ROLES = [
    "anonymous",
    "migrant_org_member",
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "moderator",
    "reviewer",
    "administrator",
]
EVERYONE = dict.fromkeys(ROLES, 200)
LOGIN = "login"  # a redirect to the login page
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": LOGIN}


def only(*roles: str, others: int = 403) -> dict[str, int | str]:
    """Signed-in roles named here get 200, other signed-in roles ``others``, anonymous the login."""
    return {role: (200 if role in roles else others) for role in ROLES} | {"anonymous": LOGIN}
