"""Who may do what in the participation fund. The secretariat (reviewers) runs the calls and sits
on the panel; administrators may run calls too; anyone signed in may apply."""

from __future__ import annotations

from solidarity.accounts.models import Role
from solidarity.accounts.permissions import AnyUser, has_role, is_administrator


def can_manage_fund(user: AnyUser | None) -> bool:
    """Open calls, screen eligibility, run and publish the allocation, record disbursements."""
    return has_role(user, Role.REVIEWER) or is_administrator(user)


def can_score(user: AnyUser | None, *, applicant_id: int) -> bool:
    """The panel is the secretariat; nobody scores their own application."""
    return has_role(user, Role.REVIEWER) and getattr(user, "pk", None) != applicant_id


def can_apply(user: AnyUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)
