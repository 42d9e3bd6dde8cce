"""Who may do what with testimonies. The rules are only this app's, so they live here rather than
in :mod:`solidarity.accounts.permissions`, built from its role questions."""

from __future__ import annotations

from solidarity.accounts.models import Role
from solidarity.accounts.permissions import (
    AnyUser,
    can_moderate,
    has_role,
    is_administrator,
    states_user_speaks_for,
)
from solidarity.testimonies.models import Use


def can_moderate_testimonies(user: AnyUser | None) -> bool:
    """Moderators (and administrators) read the queue, reveal a text through the audited action,
    confirm redactions and decide."""
    return can_moderate(user)


def can_record_on_behalf(user: AnyUser | None) -> bool:
    """Secretariat staff (the reviewer role) and moderators may record a testimony for someone
    without a phone or e-mail; the record names them. A moderator may not then moderate a
    testimony they recorded (actions.testimony_moderate)."""
    return has_role(user, Role.REVIEWER) or has_role(user, Role.MODERATOR)


def can_receive(user: AnyUser | None, use: str, *, state: str | None = None) -> bool:
    """Whether ``user`` is among those a use shares testimonies with: anyone for publication; the
    focal points of ``state`` for sharing with that State; the secretariat (reviewers) for UN
    bodies; reviewers and administrators for research. Storing is the moderators' business."""
    if use == Use.PUBLISH:
        return True
    if use == Use.SHARE_STATE:
        return state is not None and state.upper() in states_user_speaks_for(user)
    if use == Use.SHARE_UN:
        return has_role(user, Role.REVIEWER)
    if use == Use.RESEARCH:
        return has_role(user, Role.REVIEWER) or is_administrator(user)
    if use == Use.STORE:
        return can_moderate_testimonies(user)
    return False
