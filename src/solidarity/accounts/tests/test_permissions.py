from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from solidarity.accounts import permissions
from solidarity.accounts.actions import role_assign
from solidarity.accounts.models import Role, User

ROLES = [
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "migrant_org_member",
    "moderator",
    "reviewer",
    "administrator",
]


def person(cast, name):
    return AnonymousUser() if name == "anonymous" else cast.all_users()[name]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("anonymous", False),
        ("migrant_org_member", False),
        ("focal_point_kenya", True),
        ("focal_point_mexico", True),
        ("data_provider", True),
        ("moderator", True),
        ("reviewer", True),
        ("administrator", True),
    ],
)
def test_is_privileged(cast, name, expected):
    assert permissions.is_privileged(person(cast, name)) is expected


@pytest.mark.parametrize(
    ("name", "kenya", "mexico"),
    [
        ("anonymous", False, False),
        ("migrant_org_member", False, False),
        ("focal_point_kenya", True, False),
        ("focal_point_mexico", False, True),
        ("data_provider", False, False),
        ("moderator", False, False),
        ("reviewer", False, False),
        ("administrator", True, True),
    ],
)
def test_can_edit_state_profile(cast, name, kenya, mexico):
    user = person(cast, name)
    assert permissions.can_edit_state_profile(user, cast.kenya) is kenya
    assert permissions.can_edit_state_profile(user, cast.mexico) is mexico
    # An ISO3 code, in any case, means the same as the country row.
    assert permissions.can_edit_state_profile(user, "ken") is kenya


@pytest.mark.parametrize(
    ("name", "expected"),
    [("anonymous", False), *((name, name == "administrator") for name in ROLES)],
)
def test_audit_and_account_management_are_for_administrators_only(cast, name, expected):
    user = person(cast, name)
    assert permissions.can_read_audit(user) is expected
    assert permissions.can_manage_accounts(user) is expected
    assert permissions.is_administrator(user) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("anonymous", False), *((name, name in {"moderator", "administrator"}) for name in ROLES)],
)
def test_can_moderate(cast, name, expected):
    assert permissions.can_moderate(person(cast, name)) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("anonymous", False),
        ("focal_point_kenya", True),  # the author
        ("focal_point_mexico", False),
        ("data_provider", False),
        ("migrant_org_member", False),
        ("moderator", False),
        ("reviewer", True),
        ("administrator", False),
    ],
)
def test_can_view_draft_only_authors_and_reviewers(cast, name, expected):
    authors = [cast.focal_point_kenya]
    assert permissions.can_view_draft(person(cast, name), authors=authors) is expected


def test_states_user_speaks_for(cast):
    assert permissions.states_user_speaks_for(cast.focal_point_kenya) == {"KEN"}
    assert permissions.states_user_speaks_for(cast.focal_point_mexico) == {"MEX"}
    assert permissions.states_user_speaks_for(cast.administrator) == frozenset()
    assert permissions.states_user_speaks_for(AnonymousUser()) == frozenset()
    role_assign(
        actor="system:tests",
        user=cast.focal_point_kenya,
        role=Role.FOCAL_POINT,
        country=cast.mexico,
    )
    assert permissions.states_user_speaks_for(cast.focal_point_kenya) == {"KEN", "MEX"}


def test_has_role_with_scope(cast):
    assert permissions.has_role(cast.data_provider, Role.DATA_PROVIDER)
    assert permissions.has_role(
        cast.data_provider, Role.DATA_PROVIDER, organisation=cast.statistics_office
    )
    assert not permissions.has_role(
        cast.data_provider, Role.DATA_PROVIDER, organisation=cast.migrant_org
    )
    assert permissions.has_role(cast.focal_point_kenya, Role.FOCAL_POINT, country="KEN")
    assert not permissions.has_role(cast.focal_point_kenya, Role.FOCAL_POINT, country=cast.mexico)
    assert not permissions.has_role(AnonymousUser(), Role.MEMBER)
    assert permissions.organisations_user_belongs_to(cast.migrant_org_member) == {
        cast.migrant_org.pk
    }


def test_roles_are_read_with_one_query_per_user_object(cast, django_assert_num_queries):
    user = User.objects.get(pk=cast.focal_point_kenya.pk)
    with django_assert_num_queries(1):
        permissions.is_privileged(user)
        permissions.can_edit_state_profile(user, cast.kenya)
        permissions.can_read_audit(user)
        permissions.states_user_speaks_for(user)
        permissions.can_view_draft(user, authors=[])


def test_inactive_users_hold_no_role(cast):
    cast.administrator.is_active = False
    assert not permissions.is_administrator(cast.administrator)
    assert not permissions.is_privileged(cast.administrator)


def test_a_superuser_without_role_counts_as_administrator(db):
    root = User.objects.create_superuser(username="root", email="root@example.org", password="x")
    assert permissions.is_administrator(root)
    assert permissions.is_privileged(root)
    assert permissions.can_read_audit(root)
