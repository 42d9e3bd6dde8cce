"""Who may do what in a review cycle.

- The secretariat (reviewers) and administrators open cycles, set their participants and phase
  dates, publish or return submitted State reviews, and record follow-up recommendations.
- A State's review is written only by that State's focal points: no stakeholder, reviewer or
  administrator ever edits a State's text. Reviewers comment on it.
- Drafts and submitted reviews are read by the State's focal points, reviewers and
  administrators; a published version by everybody.
- Members of an organisation (civil society, migrant-led organisations, NHRIs, trade unions,
  local authorities, academia…) submit inputs and comment on published reviews in its name.
- Moderators (and administrators) approve or refuse those inputs and comments.
- A State's focal points (and administrators) record the status of its follow-up.
"""

from __future__ import annotations

from solidarity.accounts.models import Organisation, Role
from solidarity.accounts.permissions import (
    AnyUser,
    can_moderate,
    has_role,
    is_administrator,
    is_reviewer,
    role_assignments,
    states_user_speaks_for,
)
from solidarity.reference.models import Country

# Organisations that speak for a government or the UN take part through other channels: a
# State through its focal points, UN entities as the secretariat.
STAKEHOLDER_KINDS = frozenset(
    {
        Organisation.Kind.CSO,
        Organisation.Kind.MIGRANT_LED,
        Organisation.Kind.NHRI,
        Organisation.Kind.TRADE_UNION,
        Organisation.Kind.LOCAL_AUTHORITY,
        Organisation.Kind.ACADEMIA,
        Organisation.Kind.PRIVATE_SECTOR,
    }
)


def _iso3(country: Country | str) -> str:
    return country.iso3 if isinstance(country, Country) else country.upper()


def can_manage_cycles(user: AnyUser | None) -> bool:
    return is_reviewer(user)


def can_write_review(user: AnyUser | None, country: Country | str) -> bool:
    """Only the State's own focal points write its review."""
    return _iso3(country) in states_user_speaks_for(user)


def can_read_review_drafts(user: AnyUser | None, country: Country | str) -> bool:
    return can_write_review(user, country) or is_reviewer(user)


def can_comment_on_draft(user: AnyUser | None, country: Country | str) -> bool:
    """Co-authors (the State's focal points) and reviewers discuss a draft."""
    return can_write_review(user, country) or has_role(user, Role.REVIEWER)


def can_publish_review(user: AnyUser | None) -> bool:
    return is_reviewer(user)


def stakeholder_organisations(user: AnyUser | None) -> list[Organisation]:
    """The stakeholder organisations ``user`` may speak for (as a member)."""
    ids = {
        a.organisation_id
        for a in role_assignments(user)
        if a.role == Role.MEMBER and a.organisation_id is not None
    }
    if not ids:
        return []
    return list(Organisation.objects.filter(pk__in=ids, kind__in=STAKEHOLDER_KINDS))


def can_speak_for(user: AnyUser | None, organisation: Organisation) -> bool:
    return organisation.kind in STAKEHOLDER_KINDS and has_role(
        user, Role.MEMBER, organisation=organisation
    )


def can_moderate_reviews(user: AnyUser | None) -> bool:
    return can_moderate(user)


def can_record_follow_up(user: AnyUser | None) -> bool:
    return is_reviewer(user)


def can_update_follow_up(user: AnyUser | None, country: Country | str) -> bool:
    return is_administrator(user) or _iso3(country) in states_user_speaks_for(user)
