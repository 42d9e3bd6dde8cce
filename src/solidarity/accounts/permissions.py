"""Who may do what: the one place for object-level rules.

Every rule is a plain function over a user — a :class:`~solidarity.accounts.models.User` or Django's
``AnonymousUser`` — so views, the API, commands and templates ask the same question the same way.
Roles come from :class:`~solidarity.accounts.models.RoleAssignment` and are read at most once per
user object (that is, once per request): the first rule asked caches them on the user.

A Django superuser without an administrator role assignment (for example one made with
``solidarity manage createsuperuser``) is treated as an administrator: the Django admin gives such
an account every power anyway, so it must also be held to the administrator's rules (two-factor
authentication above all).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from solidarity.accounts.models import PRIVILEGED_ROLES, Organisation, Role, RoleAssignment
from solidarity.reference.models import Country

AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser

# Name of the attribute that caches a user's role assignments on the user object itself.
_ROLE_CACHE = "_solidarity_role_assignments"


def role_assignments(user: AnyUser | None) -> tuple[RoleAssignment, ...]:
    """The roles ``user`` holds (none for anonymous or inactive users), read with one query and
    cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    cached: tuple[RoleAssignment, ...] | None = getattr(user, _ROLE_CACHE, None)
    if cached is None:
        cached = tuple(RoleAssignment.objects.filter(user_id=user.pk).order_by("id"))
        setattr(user, _ROLE_CACHE, cached)
    return cached


def forget_roles(user: AnyUser) -> None:
    """Drop the cached roles of ``user`` (after a role is assigned or revoked)."""
    if hasattr(user, _ROLE_CACHE):
        delattr(user, _ROLE_CACHE)


def _country_code(country: Country | str) -> str:
    return country.iso3 if isinstance(country, Country) else country.upper()


def _is_superuser(user: AnyUser | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_superuser", False)
    )


def has_role(
    user: AnyUser | None,
    role: Role | str,
    *,
    country: Country | str | None = None,
    organisation: Organisation | None = None,
) -> bool:
    """Whether ``user`` holds ``role``; with ``country`` or ``organisation``, only in that scope."""
    for assignment in role_assignments(user):
        if assignment.role != role:
            continue
        if country is not None and assignment.country_id != _country_code(country):
            continue
        if organisation is not None and assignment.organisation_id != organisation.pk:
            continue
        return True
    return False


def is_administrator(user: AnyUser | None) -> bool:
    return _is_superuser(user) or has_role(user, Role.ADMINISTRATOR)


def is_privileged(user: AnyUser | None) -> bool:
    """Whether ``user`` holds a role that must use two-factor authentication."""
    return _is_superuser(user) or any(a.role in PRIVILEGED_ROLES for a in role_assignments(user))


def states_user_speaks_for(user: AnyUser | None) -> frozenset[str]:
    """ISO 3166-1 alpha-3 codes of the States ``user`` is a focal point of."""
    return frozenset(
        a.country_id
        for a in role_assignments(user)
        if a.role == Role.FOCAL_POINT and a.country_id is not None
    )


def organisations_user_belongs_to(user: AnyUser | None) -> frozenset[int]:
    """Primary keys of the organisations ``user`` is a member or data provider of."""
    return frozenset(
        a.organisation_id for a in role_assignments(user) if a.organisation_id is not None
    )


def can_edit_state_profile(user: AnyUser | None, country: Country | str) -> bool:
    """A State's profile is kept by that State's focal points — and by administrators."""
    return is_administrator(user) or _country_code(country) in states_user_speaks_for(user)


def can_read_audit(user: AnyUser | None) -> bool:
    """The audit trail names people and holds the earlier state of every record: administrators
    only."""
    return is_administrator(user)


def can_manage_accounts(user: AnyUser | None) -> bool:
    return is_administrator(user)


def can_view_draft(user: AnyUser | None, *, authors: Iterable[AnyUser]) -> bool:
    """A draft is visible to its authors and to reviewers (the secretariat) — nobody else, not
    even administrators through the site (DESIGN.md, "Security and privacy model")."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if has_role(user, Role.REVIEWER):
        return True
    return any(author.pk == user.pk for author in authors)


def can_moderate(user: AnyUser | None) -> bool:
    return has_role(user, Role.MODERATOR) or is_administrator(user)


def can_manage_mappings(user: AnyUser | None, organisation: Organisation) -> bool:
    """A provider's label-to-code mappings are kept by its data providers — and by
    administrators. Members of the organisation and focal points of its State may not: the
    mappings decide how every later submission of that provider is read."""
    return is_administrator(user) or has_role(user, Role.DATA_PROVIDER, organisation=organisation)


def organisations_user_provides_data_for(user: AnyUser | None) -> frozenset[int]:
    """Primary keys of the organisations ``user`` is a data provider of."""
    return frozenset(
        a.organisation_id
        for a in role_assignments(user)
        if a.role == Role.DATA_PROVIDER and a.organisation_id is not None
    )


def is_reviewer(user: AnyUser | None) -> bool:
    """Reviewers (the secretariat) and administrators run the data hub's review workflow."""
    return has_role(user, Role.REVIEWER) or is_administrator(user)


def can_submit_data(user: AnyUser | None, organisation: Organisation) -> bool:
    """An organisation's datasets are imported and sent for review by its own data providers
    only: a submission speaks for the organisation that publishes it."""
    return has_role(user, Role.DATA_PROVIDER, organisation=organisation)


def can_review_data(user: AnyUser | None) -> bool:
    """Approving, returning and publishing a dataset version: reviewers and administrators."""
    return is_reviewer(user)


def can_read_dataset_drafts(
    user: AnyUser | None, *, provider: Organisation, country: str | None
) -> bool:
    """Unpublished versions are read by the provider's data providers, by reviewers and
    administrators, and by the focal points of the State the data describe (``country``, an
    ISO3 code, or the provider's own State)."""
    if can_submit_data(user, provider) or is_reviewer(user):
        return True
    states = states_user_speaks_for(user)
    return (country is not None and country in states) or (
        provider.country_id is not None and provider.country_id in states
    )
