"""Clients for the page tests: signed in as one of the cast the way a browser would be.

Privileged roles pass two-factor authentication before any page answers them
(``TwoFactorRequiredMiddleware``), so they are signed in with a confirmed TOTP device already
verified in the session, as after a real second step: these tests are about the pages, not the 2FA
gate (tested with the accounts app).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from solidarity.accounts.models import User
from solidarity.accounts.permissions import is_privileged


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    if is_privileged(user):
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is slow by design; these tests sign the cast in with ``force_login`` and never check a
    password, so a fast hasher only saves the time the cast takes to create (seconds per test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    return signed_in_client
