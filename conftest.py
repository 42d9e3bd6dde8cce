"""Shared test set-up: the reference catalogue loaded once per test database, and the cast of
named example users every app's tests use (STYLE.md, "Tests")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from solidarity.accounts.models import Organisation, Role, RoleAssignment, User
from solidarity.reference.models import Country


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the reference catalogue into the test database once; every test starts from it."""
    from solidarity.indicators.loaders import load_indicator_catalogue
    from solidarity.reference.loaders import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data(actor="system:tests")
        load_indicator_catalogue(actor="system:tests")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data in ``shared/data`` beside the checkout (``SOLIDARITY_SHARED_DATA``
    overrides). It is always there for developers and CI, so its absence fails, never skips."""
    default = Path(__file__).resolve().parent.parent / "shared" / "data"
    path = Path(os.environ.get("SOLIDARITY_SHARED_DATA", default))
    assert path.is_dir(), (
        f"{path} is missing: put the project's shared/ folder beside the checkout "
        "or set SOLIDARITY_SHARED_DATA"
    )
    return path


@pytest.fixture(autouse=True)
def _fresh_serving_caches() -> None:
    """Each test starts with empty serving caches (solidarity.web.caching, the worker's memo of
    what is public). Keys follow what is published, but a test's rollback can give the next test
    rows with the same ids and other content, which production never does."""
    from django.core.cache import cache

    from solidarity.indicators.sdmx_cache import public_state_forget

    cache.clear()
    public_state_forget()


PASSWORD = "correct horse battery staple 42"  # noqa: S105  # the cast's test password


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is slow on purpose (about half a second a hash), which makes the cast take seconds
    to build for every test; tests hash with a fast hasher instead. That the project itself uses
    Argon2 is checked in accounts/tests/test_settings.py."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Cast:
    """The named example users. Scoped roles point at real reference rows."""

    focal_point_kenya: User
    focal_point_mexico: User
    data_provider: User
    migrant_org_member: User
    moderator: User
    reviewer: User
    administrator: User
    kenya: Country
    mexico: Country
    statistics_office: Organisation
    migrant_org: Organisation

    def all_users(self) -> dict[str, User]:
        return {
            "focal_point_kenya": self.focal_point_kenya,
            "focal_point_mexico": self.focal_point_mexico,
            "data_provider": self.data_provider,
            "migrant_org_member": self.migrant_org_member,
            "moderator": self.moderator,
            "reviewer": self.reviewer,
            "administrator": self.administrator,
        }


def make_user(
    username: str,
    *,
    role: str,
    country: Country | None = None,
    organisation: Organisation | None = None,
) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD
    )
    RoleAssignment.objects.create(user=user, role=role, country=country, organisation=organisation)
    if role == Role.ADMINISTRATOR:
        # As solidarity.accounts.actions.role_assign does, so the Django admin lets them in.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def cast(db: Any) -> Cast:
    kenya = Country.objects.get(iso3="KEN")
    mexico = Country.objects.get(iso3="MEX")
    statistics_office = Organisation.objects.create(
        name="Kenya National Bureau of Statistics",
        acronym="KNBS",
        kind=Organisation.Kind.NSO,
        country=kenya,
    )
    migrant_org = Organisation.objects.create(
        name="Migrant Workers' Voice",
        kind=Organisation.Kind.MIGRANT_LED,
        country=mexico,
    )
    return Cast(
        focal_point_kenya=make_user("amina", role=Role.FOCAL_POINT, country=kenya),
        focal_point_mexico=make_user("diego", role=Role.FOCAL_POINT, country=mexico),
        data_provider=make_user("wanjiru", role=Role.DATA_PROVIDER, organisation=statistics_office),
        migrant_org_member=make_user("lucia", role=Role.MEMBER, organisation=migrant_org),
        moderator=make_user("moses", role=Role.MODERATOR),
        reviewer=make_user("rita", role=Role.REVIEWER),
        administrator=make_user("ada", role=Role.ADMINISTRATOR),
        kenya=kenya,
        mexico=mexico,
        statistics_office=statistics_office,
        migrant_org=migrant_org,
    )


def verify_two_factor(client: Any, user: User) -> None:
    """Give ``user`` a confirmed authenticator app and mark the client's session as having
    passed the second factor with it, as the verify page does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def log_in(client: Any) -> Any:
    """``log_in(user)`` logs ``user`` into the test client with the second factor verified
    (``two_factor=False`` for a password-only session); ``log_in(None)`` stays anonymous."""

    def _log_in(user: User | None, *, two_factor: bool = True) -> Any:
        if user is not None:
            client.force_login(user)
            if two_factor:
                verify_two_factor(client, user)
        return client

    return _log_in
