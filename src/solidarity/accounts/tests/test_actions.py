from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_otp.plugins.otp_static.models import StaticToken

from conftest import PASSWORD
from solidarity.accounts import actions, permissions
from solidarity.accounts.models import Organisation, Role, RoleAssignment, User
from solidarity.audit.models import AuditEntry


def last_entry() -> Any:
    return AuditEntry.objects.latest("id")


def test_organisation_create_records_the_new_organisation(cast):
    organisation = actions.organisation_create(
        actor=cast.administrator,
        name="Red Cross Kenya",
        kind=Organisation.Kind.CSO,
        country=cast.kenya,
    )
    entry = last_entry()
    assert entry.action == "organisation.create"
    assert entry.actor == cast.administrator
    assert entry.object_type == "accounts.organisation"
    assert entry.object_id == str(organisation.pk)
    assert entry.before is None
    assert entry.after == {
        "name": "Red Cross Kenya",
        "acronym": "",
        "kind": "cso",
        "country": "KEN",
        "website": "",
    }


def test_organisation_update_records_before_and_after(cast):
    actions.organisation_update(
        actor=cast.administrator, organisation=cast.migrant_org, acronym="MWV"
    )
    entry = last_entry()
    assert entry.action == "organisation.update"
    assert entry.before["acronym"] == ""
    assert entry.after["acronym"] == "MWV"
    with pytest.raises(TypeError):
        actions.organisation_update(
            actor=cast.administrator, organisation=cast.migrant_org, created_at=None
        )


def test_only_administrators_manage_accounts(cast):
    count = AuditEntry.objects.count()
    for user in cast.all_users().values():
        if user == cast.administrator:
            continue
        with pytest.raises(PermissionDenied):
            actions.organisation_create(actor=user, name="X", kind=Organisation.Kind.CSO)
        with pytest.raises(PermissionDenied):
            actions.role_assign(actor=user, user=user, role=Role.ADMINISTRATOR)
    assert AuditEntry.objects.count() == count
    assert not Organisation.objects.filter(name="X").exists()


def test_user_create_records_the_account_without_its_password(cast):
    user = actions.user_create(
        actor="system:cli", username="fatou", email="Fatou@EXAMPLE.org", password=PASSWORD
    )
    assert user.check_password(PASSWORD)
    assert user.email == "Fatou@example.org"
    entry = last_entry()
    assert entry.action == "user.create"
    assert entry.actor is None
    assert entry.actor_label == "system:cli"
    assert entry.after == {
        "username": "fatou",
        "email": "Fatou@example.org",
        "first_name": "",
        "last_name": "",
        "is_active": True,
    }
    assert "password" not in entry.after


def test_user_create_refuses_a_weak_password(cast):
    with pytest.raises(ValidationError) as error:
        actions.user_create(
            actor="system:cli", username="weak", email="weak@example.org", password="short"
        )
    assert "This password is too short. It must contain at least 12 characters." in (
        error.value.messages
    )
    assert not User.objects.filter(username="weak").exists()


def test_user_create_without_password_makes_an_unusable_one(cast):
    user = actions.user_create(
        actor=cast.administrator, username="invitee", email="invitee@example.org", password=None
    )
    assert not user.has_usable_password()


def test_user_update_records_before_and_after(cast):
    actions.user_update(actor=cast.administrator, user=cast.reviewer, first_name="Rita")
    entry = last_entry()
    assert (entry.action, entry.before["first_name"], entry.after["first_name"]) == (
        "user.update",
        "",
        "Rita",
    )
    with pytest.raises(TypeError):
        actions.user_update(actor=cast.administrator, user=cast.reviewer, is_superuser=True)


def test_user_password_set_records_the_change_not_the_password(cast):
    actions.user_password_set(actor=None, user=cast.reviewer, password="a new long passphrase")
    cast.reviewer.refresh_from_db()
    assert cast.reviewer.check_password("a new long passphrase")
    entry = last_entry()
    assert entry.action == "user.password_set"
    assert entry.actor == cast.reviewer
    assert entry.after == {"password": "(changed)"}


def test_role_assign_records_the_roles_before_and_after(cast):
    actions.role_assign(actor=cast.administrator, user=cast.focal_point_kenya, role=Role.REVIEWER)
    entry = last_entry()
    assert entry.action == "role.assign"
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(cast.focal_point_kenya.pk)
    assert entry.before == {"roles": ["focal_point:KEN"], "is_staff": False, "is_superuser": False}
    assert entry.after == {
        "roles": ["focal_point:KEN", "reviewer"],
        "is_staff": False,
        "is_superuser": False,
    }
    assignment = RoleAssignment.objects.get(user=cast.focal_point_kenya, role=Role.REVIEWER)
    assert assignment.granted_by == cast.administrator


def test_administrator_role_makes_django_staff_and_revoking_it_clears_them(cast):
    user = cast.reviewer
    actions.role_assign(actor="system:cli", user=user, role=Role.ADMINISTRATOR)
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert permissions.is_administrator(user)
    assert last_entry().after == {
        "roles": ["administrator", "reviewer"],
        "is_staff": True,
        "is_superuser": True,
    }

    actions.role_revoke(actor="system:cli", user=user, role=Role.ADMINISTRATOR)
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert not permissions.is_administrator(user)
    entry = last_entry()
    assert entry.action == "role.revoke"
    assert entry.before["roles"] == ["administrator", "reviewer"]
    assert entry.after == {"roles": ["reviewer"], "is_staff": False, "is_superuser": False}


def test_role_revoke_of_a_scoped_role(cast):
    actions.role_revoke(
        actor=cast.administrator,
        user=cast.focal_point_kenya,
        role=Role.FOCAL_POINT,
        country=cast.kenya,
    )
    assert not permissions.can_edit_state_profile(cast.focal_point_kenya, cast.kenya)
    assert last_entry().after["roles"] == []
    with pytest.raises(RoleAssignment.DoesNotExist):
        actions.role_revoke(
            actor=cast.administrator,
            user=cast.focal_point_kenya,
            role=Role.FOCAL_POINT,
            country=cast.kenya,
        )


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.FOCAL_POINT, {}),  # a focal point without a State
        (Role.FOCAL_POINT, {"organisation": "statistics_office"}),
        (Role.MEMBER, {}),  # a member without an organisation
        (Role.DATA_PROVIDER, {"country": "kenya"}),
        (Role.MODERATOR, {"country": "kenya"}),  # platform roles have no scope
        (Role.ADMINISTRATOR, {"organisation": "migrant_org"}),
    ],
)
def test_role_scope_violations_are_refused_by_the_database(cast, role, scope):
    values = {key: getattr(cast, name) for key, name in scope.items()}
    count = AuditEntry.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=cast.reviewer, role=role, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        actions.role_assign(actor=cast.administrator, user=cast.reviewer, role=role, **values)
    assert AuditEntry.objects.count() == count
    cast.reviewer.refresh_from_db()
    assert not cast.reviewer.is_superuser


def test_a_role_is_held_once(cast):
    with pytest.raises(ValidationError) as error:
        actions.role_assign(actor=cast.administrator, user=cast.moderator, role=Role.MODERATOR)
    assert error.value.messages == ["moses already holds this role."]
    with pytest.raises(ValidationError):
        actions.role_assign(
            actor=cast.administrator,
            user=cast.focal_point_kenya,
            role=Role.FOCAL_POINT,
            country=cast.kenya,
        )


def test_totp_device_start_reuses_the_unconfirmed_device(cast):
    first = actions.totp_device_start(user=cast.moderator)
    again = actions.totp_device_start(user=cast.moderator)
    assert first.pk == again.pk
    assert not first.confirmed
    entries = AuditEntry.objects.filter(action="two_factor.start")
    assert entries.count() == 1
    assert first.key not in str(entries.get().after)

    actions.totp_device_confirm(user=cast.moderator, device=first)
    first.refresh_from_db()
    assert first.confirmed
    entry = last_entry()
    assert (entry.action, entry.before, entry.after) == (
        "two_factor.confirm",
        {"confirmed": False},
        {"confirmed": True},
    )


def test_backup_codes_generate_replaces_the_codes(cast):
    first = actions.backup_codes_generate(user=cast.reviewer)
    assert len(first) == 10
    assert len(set(first)) == 10
    second = actions.backup_codes_generate(user=cast.reviewer)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(second)
    entry = last_entry()
    assert entry.action == "two_factor.backup_codes"
    assert entry.before == {"unused_codes": 10}
    assert entry.after == {"unused_codes": 10}
    assert not any(code in str(entry.after) for code in second)
