"""Logging in and out, throttling, and password reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from conftest import PASSWORD
from solidarity.audit.models import AuditEntry

LOGIN = "/accounts/login/"
HOME = "/"


def test_login_page_is_accessible_to_everyone(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Username or e-mail address:</label>' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert reverse("accounts:password_reset") in html


@pytest.mark.parametrize("identifier", ["lucia", "lucia@example.org", "LUCIA@example.org"])
def test_login_with_username_or_email(client, cast, identifier):
    response = client.post(LOGIN, {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.get(HOME).wsgi_request.user == cast.migrant_org_member


def test_login_follows_next_on_this_site_only(client, cast):
    response = client.post(LOGIN + "?next=/countries/", {"username": "lucia", "password": PASSWORD})
    assert response["Location"] == "/countries/"
    client.logout()
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "lucia", "password": PASSWORD}
    )
    assert response["Location"] == HOME


def test_wrong_password_shows_an_error_tied_to_the_form(client, cast):
    response = client.post(LOGIN, {"username": "lucia", "password": "not it"})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "That username or e-mail address and password do not match an account. "
        "Passwords are case-sensitive." in html
    )
    assert 'role="alert"' in html
    assert not response.wsgi_request.user.is_authenticated


def test_the_sixth_bad_attempt_is_refused_with_the_lockout_page(client, cast):
    statuses = [
        client.post(LOGIN, {"username": "lucia", "password": "not it"}).status_code
        for _ in range(6)
    ]
    # Five attempts are checked; the fifth failure already answers with the lockout page, and
    # from the sixth on nothing is checked at all: even the right password is refused.
    assert statuses == [200, 200, 200, 200, 429, 429]
    response = client.post(LOGIN, {"username": "lucia", "password": PASSWORD})
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert "This account is locked for now after too many failed attempts to log in." in (
        response.content.decode()
    )
    assert not response.wsgi_request.user.is_authenticated


def test_five_bad_attempts_do_not_lock_out_yet(client, cast):
    for _ in range(4):
        client.post(LOGIN, {"username": "lucia", "password": "not it"})
    response = client.post(LOGIN, {"username": "lucia", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_post_only(client, cast, log_in):
    log_in(cast.migrant_org_member)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert not client.get(HOME).wsgi_request.user.is_authenticated


def test_privileged_user_can_log_out_before_the_second_factor(client, cast, log_in):
    log_in(cast.moderator, two_factor=False)
    response = client.post("/accounts/logout/")
    assert response["Location"] == HOME


def test_password_reset_sends_a_working_link(client, cast):
    response = client.get("/accounts/password-reset/")
    assert response.status_code == 200
    assert 'autocomplete="email"' in response.content.decode()

    response = client.post("/accounts/password-reset/", {"email": "LUCIA@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your Solidarity password"
    assert message.to == ["lucia@example.org"]
    assert "Someone asked to reset the password of the Solidarity account lucia" in message.body
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/\S+/)", str(message.body))
    assert link is not None

    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'autocomplete="new-password"' in html
    new_password = "a brand new passphrase 7"
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    cast.migrant_org_member.refresh_from_db()
    assert cast.migrant_org_member.check_password(new_password)
    entry = AuditEntry.objects.get(action="user.password_set")
    assert entry.actor == cast.migrant_org_member

    # The link works once.
    response = client.get(link.group(1), follow=True)
    assert "This link does not work: it has already been used or has expired." in (
        response.content.decode()
    )


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, cast):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_refuses_a_weak_password(client, cast):
    client.post("/accounts/password-reset/", {"email": "lucia@example.org"})
    found = re.search(r"http://testserver(\S+)", str(mail.outbox[0].body))
    assert found is not None
    link = found.group(1)
    response = client.get(link, follow=True)
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too short. It must contain at least 12 characters." in html
    assert 'aria-describedby="id_new_password2_error' in html or ('aria-invalid="true"' in html)


@pytest.mark.parametrize(
    "page",
    [
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_complete",
        "accounts:login",
    ],
)
@pytest.mark.parametrize(
    "visitor",
    [
        "anonymous",
        "migrant_org_member",
        "focal_point_kenya",
        "focal_point_mexico",
        "data_provider",
        "moderator",
        "reviewer",
        "administrator",
    ],
)
def test_public_account_pages_open_for_everyone(client, cast, log_in, page, visitor):
    log_in(None if visitor == "anonymous" else cast.all_users()[visitor])
    assert client.get(reverse(page)).status_code == 200
