"""Who may read a State's dossier before the State's review for the cycle is published.

Once published, the dossier is public. Before, it is a working draft for those who may read the
review's drafts — the State's own focal points, reviewers (the secretariat) and administrators —
by the reviews' own rule, so the two never disagree. Everyone else is told there is no such
dossier (404), so that an unpublished review's existence is not revealed.
"""

from __future__ import annotations

from solidarity.accounts.permissions import AnyUser
from solidarity.reference.models import Country
from solidarity.reviews.permissions import can_read_review_drafts


def can_read_draft_dossier(user: AnyUser | None, state: Country) -> bool:
    return can_read_review_drafts(user, state)
