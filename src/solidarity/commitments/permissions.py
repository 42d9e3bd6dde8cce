"""Who may do what with pledges — rules only this app asks, built on
:mod:`solidarity.accounts.permissions`.

- A State's pledge speaks for the State: its **focal points** edit it. An organisation's pledge
  is kept by the organisation's **members** (the role that speaks for a stakeholder
  organisation; data providers hold the role for statistics, not for pledges). Partners of a
  joint pledge are named on it but do not edit it: one pledger answers for it.
- Administrators may edit every pledge (to correct or withdraw), as the audit trail records.
- Published pledges are read by anyone; a draft only by those who may edit it (its authors) and
  administrators.
- Progress updates are written by the pledge's editors and reviewed (approved or returned) by
  reviewers; a pledger never reviews its own update. Until approved, an update is seen by the
  pledge's editors, reviewers and administrators.
- Independent assessments are written by signed-in people who may **not** edit the pledge, and
  changed only by their own author — never by the pledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from solidarity.accounts.models import Role
from solidarity.accounts.permissions import (
    AnyUser,
    has_role,
    is_administrator,
    is_reviewer,
    role_assignments,
    states_user_speaks_for,
)

if TYPE_CHECKING:
    from solidarity.commitments.models import Assessment, Pledge, ProgressUpdate


def organisations_user_pledges_for(user: AnyUser | None) -> frozenset[int]:
    """Primary keys of the organisations whose pledges ``user`` keeps (as a member)."""
    return frozenset(
        a.organisation_id
        for a in role_assignments(user)
        if a.role == Role.MEMBER and a.organisation_id is not None
    )


def can_create_pledge(user: AnyUser | None) -> bool:
    """Focal points (for their State), organisation members (for their organisation), and
    administrators (for any pledger)."""
    return (
        is_administrator(user)
        or bool(states_user_speaks_for(user))
        or bool(organisations_user_pledges_for(user))
    )


def can_edit_pledge(user: AnyUser | None, pledge: Pledge) -> bool:
    if is_administrator(user):
        return True
    if pledge.state_id is not None:
        return pledge.state_id in states_user_speaks_for(user)
    if pledge.organisation_id is not None:
        return pledge.organisation_id in organisations_user_pledges_for(user)
    return False


def can_view_pledge(user: AnyUser | None, pledge: Pledge) -> bool:
    if pledge.status == pledge.Status.PUBLISHED:
        return True
    return can_edit_pledge(user, pledge)


def can_review_progress(user: AnyUser | None, pledge: Pledge) -> bool:
    """Reviewers approve or return progress updates — not on a pledge they keep themselves."""
    return has_role(user, Role.REVIEWER) and not can_edit_pledge(user, pledge)


def can_view_progress(user: AnyUser | None, update: ProgressUpdate) -> bool:
    pledge = update.pledge
    if not can_view_pledge(user, pledge):
        return False
    if update.status == update.Status.APPROVED:
        return True
    return can_edit_pledge(user, pledge) or is_reviewer(user)


def can_assess_pledge(user: AnyUser | None, pledge: Pledge) -> bool:
    """Anyone signed in who does not keep the pledge, once it is published."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return pledge.status == pledge.Status.PUBLISHED and not can_edit_pledge(user, pledge)


def can_edit_assessment(user: AnyUser | None, assessment: Assessment) -> bool:
    """Only its author, and only while the author does not keep the pledge (a stakeholder who
    later became the pledger's focal point loses the pen)."""
    if user is None or not user.is_authenticated or assessment.author_id != user.pk:
        return False
    return not can_edit_pledge(user, assessment.pledge)


def can_import_iati(user: AnyUser | None) -> bool:
    """IATI files are published data of many reporters: administrators import them, and a
    State's focal points for their State's pledges (an activity links only to a pledge they
    keep; see :func:`solidarity.commitments.actions.iati_import`)."""
    return is_administrator(user) or bool(states_user_speaks_for(user))


def can_link_activities(user: AnyUser | None, pledge: Pledge) -> bool:
    """Linking imported IATI activities to a pledge (so their money counts towards it) is
    editing the pledge: its focal points or organisation members, and administrators."""
    return can_edit_pledge(user, pledge)
