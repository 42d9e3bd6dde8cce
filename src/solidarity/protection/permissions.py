"""Who may run disclosure control: the data providers of an organisation for that organisation,
and administrators. Members of the organisation, focal points and reviewers may not: runs hold
the provider's unpublished microdata figures. Submitting a run's tables to the data hub follows
the hub's own rule (`~solidarity.accounts.permissions.can_submit_data`)."""

from __future__ import annotations

from solidarity.accounts.models import Organisation, Role
from solidarity.accounts.permissions import AnyUser, has_role, is_administrator


def can_run_protection(user: AnyUser | None, organisation: Organisation) -> bool:
    return is_administrator(user) or has_role(user, Role.DATA_PROVIDER, organisation=organisation)


def can_use_protection(user: AnyUser | None) -> bool:
    """Whether ``user`` may open the protection pages at all."""
    return is_administrator(user) or has_role(user, Role.DATA_PROVIDER)
