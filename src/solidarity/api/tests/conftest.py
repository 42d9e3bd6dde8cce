"""Clients for the API tests: anonymous, or signed in as one of the cast the way a browser would be.

Privileged roles must pass two-factor authentication before the API answers them
(``TwoFactorRequiredMiddleware``), so a privileged user is signed in with a confirmed TOTP device
already verified in the session — as after a real second step — and the tests exercise the API's own
rules, not the 2FA gate (tested with the accounts app).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from solidarity.accounts.models import PRIVILEGED_ROLES, User


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    roles = set(user.role_assignments.values_list("role", flat=True))
    if roles & PRIVILEGED_ROLES:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def anonymous(db: Any) -> Client:
    return Client()
