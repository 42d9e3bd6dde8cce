"""The Django admin changes accounts through the same audited actions as everything else."""

from __future__ import annotations

from typing import Any

import pytest

from solidarity.accounts.models import Organisation, Role, RoleAssignment
from solidarity.audit.models import AuditEntry


def test_assigning_a_role_in_the_admin_is_audited(client, cast, log_in):
    log_in(cast.administrator)
    response = client.post(
        "/admin/accounts/roleassignment/add/",
        {"user": cast.migrant_org_member.pk, "role": "reviewer", "country": "", "organisation": ""},
    )
    assert response.status_code == 302, response.content.decode()
    entry: Any = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor) == ("role.assign", cast.administrator)
    assert entry.after["roles"] == [f"member:{cast.migrant_org.pk}", "reviewer"]


def test_deleting_a_role_in_the_admin_is_audited(client, cast, log_in):
    log_in(cast.administrator)
    assignment = RoleAssignment.objects.get(user=cast.moderator)
    response = client.post(
        f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=cast.moderator).exists()
    assert AuditEntry.objects.latest("id").action == "role.revoke"


def test_creating_an_organisation_in_the_admin_is_audited(client, cast, log_in):
    log_in(cast.administrator)
    response = client.post(
        "/admin/accounts/organisation/add/",
        {
            "name": "Trade Union X",
            "acronym": "",
            "kind": "trade_union",
            "country": "KEN",
            "website": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    organisation = Organisation.objects.get(name="Trade Union X")
    entry: Any = AuditEntry.objects.latest("id")
    assert (entry.action, entry.object_id) == ("organisation.create", str(organisation.pk))


def test_editing_a_user_in_the_admin_is_audited(client, cast, log_in):
    log_in(cast.administrator)
    user = cast.reviewer
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": "rita",
            "first_name": "Rita",
            "last_name": "",
            "email": user.email,
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()
    entry: Any = AuditEntry.objects.latest("id")
    assert entry.action == "user.update"
    assert (entry.before["first_name"], entry.after["first_name"]) == ("", "Rita")


@pytest.mark.parametrize(
    "name",
    ["migrant_org_member", "focal_point_kenya", "data_provider", "moderator", "reviewer"],
)
def test_only_administrators_enter_the_admin(client, cast, log_in, name):
    log_in(cast.all_users()[name])
    response = client.get("/admin/accounts/roleassignment/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_administrators_see_the_account_lists(client, cast, log_in):
    log_in(cast.administrator)
    for path in [
        "/admin/accounts/user/",
        "/admin/accounts/organisation/",
        "/admin/accounts/roleassignment/",
        f"/admin/accounts/user/{cast.reviewer.pk}/change/",
    ]:
        assert client.get(path).status_code == 200, path
    assert Role.ADMINISTRATOR in {
        a.role for a in RoleAssignment.objects.filter(user=cast.administrator)
    }
