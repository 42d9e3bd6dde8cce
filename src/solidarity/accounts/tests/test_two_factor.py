"""Two-factor authentication: set-up, verification, backup codes, and the middleware that
requires it of privileged roles."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from solidarity.accounts import actions
from solidarity.audit.models import AuditEntry

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"
BACKUP = "/accounts/two-factor/backup-codes/"
HOME = "/"

PRIVILEGED = [
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "moderator",
    "reviewer",
    "administrator",
]
EVERYONE = ["anonymous", "migrant_org_member", *PRIVILEGED]


def current_token(device: TOTPDevice) -> str:
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(token).zfill(device.digits)


def visitor(cast, name):
    return None if name == "anonymous" else cast.all_users()[name]


def test_setup_with_a_real_token(client, cast, log_in):
    log_in(cast.focal_point_kenya, two_factor=False)
    response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=cast.focal_point_kenya)
    assert not device.confirmed
    assert "<svg" in html
    assert "<script" not in html
    secret = response.context["secret"].replace(" ", "")
    assert len(secret) == 32
    assert 'autocomplete="one-time-code"' in html

    response = client.post(SETUP, {"token": current_token(device), "next": "/countries/"})
    assert response.status_code == 302
    assert response["Location"] == BACKUP + "?next=%2Fcountries%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditEntry.objects.filter(action="two_factor.confirm").count() == 1
    # Verified now: pages open.
    assert client.get(HOME).status_code == 200


def test_setup_with_a_wrong_token_says_so(client, cast, log_in):
    log_in(cast.moderator, two_factor=False)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=cast.moderator)
    wrong = str((int(current_token(device)) + 1) % 1_000_000).zfill(6)
    response = client.post(SETUP, {"token": wrong})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That code is not right. Check the time on your phone and try again." in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_token_helptext id_token_error"' in html
    device.refresh_from_db()
    assert not device.confirmed


def test_setup_shows_the_same_secret_when_reloaded(client, cast, log_in):
    log_in(cast.reviewer, two_factor=False)
    first = client.get(SETUP).context["secret"]
    assert client.get(SETUP).context["secret"] == first
    assert TOTPDevice.objects.filter(user=cast.reviewer).count() == 1


def test_setup_sends_someone_with_a_device_to_verify(client, cast, log_in):
    TOTPDevice.objects.create(user=cast.reviewer, name="app", confirmed=True)
    log_in(cast.reviewer, two_factor=False)
    response = client.get(SETUP)
    assert response["Location"] == VERIFY + "?next=%2F"


def test_verify_after_login(client, cast, log_in):
    device = TOTPDevice.objects.create(user=cast.reviewer, name="app", confirmed=True)
    log_in(cast.reviewer, two_factor=False)
    response = client.get("/countries/")
    assert response["Location"] == VERIFY + "?next=%2Fcountries%2F"

    response = client.get(response["Location"])
    assert response.status_code == 200
    response = client.post(VERIFY, {"token": current_token(device), "next": "/countries/"})
    assert response.status_code == 302
    assert response["Location"] == "/countries/"
    assert client.get("/countries/").status_code == 200


def test_verify_refuses_a_wrong_code(client, cast, log_in):
    TOTPDevice.objects.create(user=cast.reviewer, name="app", confirmed=True)
    log_in(cast.reviewer, two_factor=False)
    response = client.post(VERIFY, {"token": "000000"})
    assert response.status_code == 200
    assert "That code is not right. Try again, or use a backup code." in (response.content.decode())
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_verify_does_not_follow_next_off_the_site(client, cast, log_in):
    device = TOTPDevice.objects.create(user=cast.reviewer, name="app", confirmed=True)
    log_in(cast.reviewer, two_factor=False)
    response = client.post(
        VERIFY, {"token": current_token(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == HOME


def test_a_backup_code_works_once(client, cast, log_in):
    TOTPDevice.objects.create(user=cast.administrator, name="app", confirmed=True)
    codes = actions.backup_codes_generate(user=cast.administrator)
    log_in(cast.administrator, two_factor=False)
    response = client.post(VERIFY, {"token": codes[0]})
    assert response["Location"] == HOME
    assert StaticToken.objects.count() == 9

    client.logout()
    log_in(cast.administrator, two_factor=False)
    response = client.post(VERIFY, {"token": codes[0]})
    assert response.status_code == 200


def test_backup_codes_are_shown_once(client, cast, log_in):
    log_in(cast.moderator)
    response = client.get(BACKUP)
    assert response.status_code == 200
    assert response.context["codes"] == []
    response = client.post(BACKUP)
    codes = response.context["codes"]
    assert len(codes) == 10
    html = response.content.decode()
    assert all(code in html for code in codes)
    # Afterwards only their use is checked; the page never shows them again.
    response = client.get(BACKUP)
    assert not any(code in response.content.decode() for code in codes)


@pytest.mark.parametrize("name", PRIVILEGED)
def test_privileged_roles_without_a_device_are_sent_to_setup(client, cast, log_in, name):
    log_in(cast.all_users()[name], two_factor=False)
    for path in [HOME, "/countries/", "/fr/countries/", "/audit/", "/states/KEN/edit/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].endswith(
            "/accounts/two-factor/setup/?next=" + path.replace("/", "%2F")
        ), path


@pytest.mark.parametrize("name", PRIVILEGED)
def test_privileged_roles_with_a_device_are_sent_to_verify(client, cast, log_in, name):
    user = cast.all_users()[name]
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    log_in(user, two_factor=False)
    response = client.get(HOME)
    assert response["Location"] == VERIFY + "?next=%2F"


@pytest.mark.parametrize("name", PRIVILEGED)
def test_privileged_roles_get_json_403_from_the_api(client, cast, log_in, name):
    log_in(cast.all_users()[name], two_factor=False)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json() == {"detail": "This account must verify a two-factor code first."}


@pytest.mark.parametrize("name", PRIVILEGED)
def test_pages_needed_to_get_through_stay_open(client, cast, log_in, name):
    log_in(cast.all_users()[name], two_factor=False)
    assert client.get("/accounts/login/").status_code == 200
    assert client.get(SETUP).status_code == 200
    assert client.get("/fr/accounts/two-factor/setup/").status_code == 200
    static = client.get("/static/solidarity/site.css")
    assert static.status_code == 200
    # Read the stream rather than close() it: closing a response closes the test's database
    # connection, which PostgreSQL (unlike SQLite) then refuses to reuse.
    assert b"".join(static.streaming_content)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_a_plain_member_is_never_forced(client, cast, log_in):
    log_in(cast.migrant_org_member, two_factor=False)
    assert client.get(HOME).status_code == 200
    assert client.get("/countries/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_a_member_may_turn_on_two_factor_voluntarily(client, cast, log_in):
    log_in(cast.migrant_org_member, two_factor=False)
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=cast.migrant_org_member)
    response = client.post(SETUP, {"token": current_token(device)})
    assert response["Location"] == BACKUP + "?next=%2F"


def test_verified_privileged_users_use_the_site(client, cast, log_in):
    log_in(cast.administrator)
    assert client.get(HOME).status_code == 200
    assert client.get("/audit/").status_code == 200


@pytest.mark.parametrize("name", EVERYONE)
def test_who_may_open_the_two_factor_pages(client, cast, log_in, name):
    user = visitor(cast, name)
    log_in(user)
    if user is None:
        for path in [SETUP, VERIFY, BACKUP]:
            response = client.get(path)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login") + "?next=")
        return
    # Anyone logged in who has passed the second factor: setup and verify send them on,
    # backup codes open.
    assert client.get(SETUP)["Location"] == BACKUP
    assert client.get(VERIFY)["Location"] == HOME
    assert client.get(BACKUP).status_code == 200


def test_a_member_without_two_factor_has_no_backup_codes_page(client, cast, log_in):
    log_in(cast.migrant_org_member, two_factor=False)
    response = client.get(BACKUP)
    assert response["Location"] == SETUP + "?next=" + BACKUP.replace("/", "%2F")
    response = client.get(VERIFY)
    assert response["Location"] == SETUP + "?next=%2F"
