"""Who may open every page: one table for the whole site, checked for every role of the cast.

The table is keyed by URL name, and the first test walks Django's URL configuration: a page added
without a row here fails, so no endpoint can ship without a permission test. (The JSON API has its
own matrix over the OpenAPI operations in ``solidarity/api/tests/test_permissions.py``; the Django
admin's model pages are guarded by the admin site itself and checked here through its index.)

Privileged users are logged in with their second factor verified, so the table shows the access
rules themselves; the two-factor gate is tested in ``accounts/tests/test_two_factor.py``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import permission_rows
from tests.permission_rows import EVERYONE, LOGIN, ROLES, SIGNED_IN, only

# URL name -> (address to GET, expected outcome per role). 302 is a redirect elsewhere than login;
# 405 means the page refuses GET (it acts only on POST).
PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "web:home": ("/", EVERYONE),
    "web:objectives": ("/objectives/", EVERYONE),
    "web:objective": ("/objectives/1/", EVERYONE),
    "web:countries": ("/countries/", EVERYONE),
    "web:country": ("/countries/KEN/", EVERYONE),
    "set_language": ("/i18n/setlang/", dict.fromkeys(ROLES, 302)),
    "accounts:login": ("/accounts/login/", EVERYONE),
    "accounts:logout": ("/accounts/logout/", dict.fromkeys(ROLES, 405)),
    "accounts:password_reset": ("/accounts/password-reset/", EVERYONE),
    "accounts:password_reset_done": ("/accounts/password-reset/sent/", EVERYONE),
    # A made-up link: the page says the link is not valid, to anyone.
    "accounts:password_reset_confirm": ("/accounts/password-reset/MQ/abc-def/", EVERYONE),
    "accounts:password_reset_complete": ("/accounts/password-reset/complete/", EVERYONE),
    # Already set up and verified: setup moves on to the backup codes, verify to the home page.
    "accounts:two_factor_setup": (
        "/accounts/two-factor/setup/",
        dict.fromkeys(ROLES, 302) | {"anonymous": LOGIN},
    ),
    "accounts:two_factor_verify": (
        "/accounts/two-factor/verify/",
        dict.fromkeys(ROLES, 302) | {"anonymous": LOGIN},
    ),
    "accounts:backup_codes": ("/accounts/two-factor/backup-codes/", SIGNED_IN),
    # A State's profile: its own focal points and administrators, nobody else.
    "states:profile_edit": ("/states/KEN/edit/", only("focal_point_kenya", "administrator")),
    "indicators:list": ("/indicators/", EVERYONE),
    "indicators:catalogue_csv": ("/indicators/catalogue.csv", EVERYONE),
    "indicators:detail": ("/indicators/10.7.3/", EVERYONE),
    "indicators:dimension": ("/indicators/dimensions/SEX/", EVERYONE),
    # A provider's label mappings: its data providers and administrators, nobody else.
    "indicators:mappings": ("/indicators/mappings/", only("data_provider", "administrator")),
    # Submitting data: the data providers of an organisation, nobody else (not even administrators:
    # a submission speaks for the organisation).
    "indicators:submission_new": ("/indicators/submissions/new/", only("data_provider")),
    # Everyone signed in has a list, empty unless they provide, review or follow a State's data.
    "indicators:datasets": ("/indicators/datasets/", SIGNED_IN),
    # No dataset exists here; who may read a version is tested with real ones in
    # indicators/tests/test_submission_interfaces.py.
    "indicators:version": ("/indicators/datasets/1/versions/1/", dict.fromkeys(ROLES, 404)),
    "audit:list": ("/audit/", only("administrator")),
    "admin:index": (
        "/admin/",
        dict.fromkeys(ROLES, 302) | {"administrator": 200},
    ),
}


def _merge_rows() -> None:
    """Add the rows kept in ``tests/permission_rows/*.py``; a page listed twice is an error."""
    for module_info in pkgutil.iter_modules(permission_rows.__path__):
        module = importlib.import_module(f"{permission_rows.__name__}.{module_info.name}")
        rows: dict[str, tuple[str, dict[str, Any]]] = getattr(module, "PAGES", {})
        twice = set(rows) & set(PAGES)
        assert not twice, f"{module_info.name} repeats rows for {sorted(twice)}"
        PAGES.update(rows)


_merge_rows()


def url_names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_has_a_row_in_the_table() -> None:
    names = url_names(get_resolver().url_patterns)
    pages = {name for name in names if not name.startswith(("api:", "admin:"))} | {"admin:index"}
    assert pages - set(PAGES) == set(), "add these pages to PAGES with who may open them"
    assert set(PAGES) - pages == set(), "these rows name pages that no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_who_may_open_each_page(cast: Any, log_in: Any, role: str, name: str) -> None:
    address, expected_by_role = PAGES[name]
    expected = expected_by_role[role]
    client = log_in(None if role == "anonymous" else cast.all_users()[role])
    response = client.get(address)
    if expected == LOGIN:
        assert response.status_code == 302, (name, role)
        assert response["Location"].startswith("/accounts/login/?next="), (name, role)
    else:
        assert response.status_code == expected, (name, role)


@pytest.mark.parametrize(
    ("role", "status", "saved"),
    [
        ("focal_point_kenya", 302, True),
        ("administrator", 302, True),
        ("focal_point_mexico", 403, False),
        ("data_provider", 403, False),
        ("migrant_org_member", 403, False),
        ("moderator", 403, False),
        ("reviewer", 403, False),
        ("anonymous", 302, False),
    ],
)
def test_who_may_change_a_states_profile(
    cast: Any, log_in: Any, role: str, status: int, saved: bool
) -> None:
    from solidarity.audit.models import AuditEntry
    from solidarity.states.models import StateProfile

    client = log_in(None if role == "anonymous" else cast.all_users()[role])
    response = client.post(
        "/states/KEN/edit/",
        {"coordinating_institution": "Ministry of Interior", "summary": "Plan adopted."},
    )
    assert response.status_code == status
    written = StateProfile.objects.filter(
        country=cast.kenya, coordinating_institution="Ministry of Interior"
    ).exists()
    assert written is saved
    assert AuditEntry.objects.filter(object_type="states.stateprofile").exists() is saved
