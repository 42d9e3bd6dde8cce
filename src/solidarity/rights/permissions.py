"""Who may do what with human-rights recommendations and ratifications.

Everything here is public to read: recommendations are UN documents, and what a State and civil
society say about their implementation is published so that the review can hear both voices.
Writing is scoped:

- a State's focal points (and administrators) record that State's implementation status;
- members of an organisation add its assessment (civil society, NHRIs, trade unions…); reviewers
  record treaty bodies' follow-up grades and UN assessments; focal points may not assess their
  own State's implementation beside their own status — that would be one voice twice;
- reviewers (the secretariat) and administrators confirm or reject GCM objective labels;
- administrators enter ratifications (the ILO conventions, which no shipped table covers).
"""

from __future__ import annotations

from solidarity.accounts.models import Role
from solidarity.accounts.permissions import (
    AnyUser,
    has_role,
    is_administrator,
    is_reviewer,
    states_user_speaks_for,
)
from solidarity.reference.models import Country


def can_update_implementation(user: AnyUser | None, country: Country | str) -> bool:
    iso3 = country.iso3 if isinstance(country, Country) else country.upper()
    return is_administrator(user) or iso3 in states_user_speaks_for(user)


def can_assess_as_organisation(user: AnyUser | None) -> bool:
    """Members of an organisation speak for it."""
    return has_role(user, Role.MEMBER)


def can_assess(user: AnyUser | None) -> bool:
    return can_assess_as_organisation(user) or is_reviewer(user)


def can_decide_labels(user: AnyUser | None) -> bool:
    return is_reviewer(user)


def can_read_label_decisions(user: AnyUser | None) -> bool:
    """The decisions, for retraining the classifier: those who make them."""
    return is_reviewer(user)


def can_enter_ratifications(user: AnyUser | None) -> bool:
    return is_administrator(user)
