"""Who may do what in fair sharing. The rules are only this app's, so they live here, built on
the shared role questions of :mod:`solidarity.accounts.permissions`.

Keys, figures, groups and the calculator are public. Consultations are run by the secretariat
(reviewers) and administrators; a vote speaks for a State, so only that State's focal points cast
it — not administrators, who would otherwise outvote nobody but still speak for no State.
"""

from __future__ import annotations

from solidarity.accounts.permissions import AnyUser, is_reviewer, states_user_speaks_for
from solidarity.fairshare.models import Consultation


def can_manage_consultations(user: AnyUser | None) -> bool:
    """Drafting, opening and closing consultations: reviewers (the secretariat) and
    administrators."""
    return is_reviewer(user)


def can_view_consultation(user: AnyUser | None, consultation: Consultation) -> bool:
    """Open and closed consultations are public; a draft only to those who manage them."""
    return consultation.status != Consultation.Status.DRAFT or can_manage_consultations(user)


def states_user_may_vote_for(user: AnyUser | None, consultation: Consultation) -> list[str]:
    """The eligible States ``user`` is a focal point of, while the consultation is open."""
    if consultation.status != Consultation.Status.OPEN:
        return []
    eligible = set(consultation.eligible)
    return sorted(state for state in states_user_speaks_for(user) if state in eligible)


def can_define_groups(user: AnyUser | None) -> bool:
    """Anyone signed in may define a group of States (a group is only a list)."""
    return bool(user is not None and user.is_authenticated and user.is_active)
