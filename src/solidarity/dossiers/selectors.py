"""The State dossier: one accountable picture of a State in a review cycle.

:func:`dossier_for` assembles it, side by side, from every part of the platform — each through
its own app's selectors and visibility rules — and decides who may read it: everyone once the
State's review for the cycle is published; before that only those entitled to the draft
(:mod:`solidarity.dossiers.permissions`). The page, the PDF, the API and the command line all
read it here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from solidarity.accounts.permissions import AnyUser
from solidarity.dossiers.permissions import can_read_draft_dossier
from solidarity.dossiers.sections import (
    Section,
    Source,
    fair_share_section,
    indicators_section,
    pledges_section,
    ratifications_section,
    recommendations_section,
    testimonies_section,
)
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country
from solidarity.reviews.models import ReviewComment, ReviewCycle
from solidarity.reviews.selectors import (
    comments_for_version,
    cycle_get,
    follow_up_for_dossier,
    review_for_dossier,
    review_is_published,
    reviews_of_state,
    stakeholder_views_for_dossier,
)

__all__ = [
    "Dossier",
    "DossierNotFound",
    "Section",
    "Source",
    "dossier_for",
    "dossier_get",
    "dossier_index",
]


class DossierNotFound(Exception):  # noqa: N818 (reads as what it is: no such dossier for you)
    """No such State or cycle, or a dossier the reader may not see yet (the same answer, so that
    an unpublished review's existence is not revealed)."""


@dataclass
class Dossier:
    state: Country
    cycle: ReviewCycle
    published: bool
    generated_at: datetime.datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return not self.published

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)


def _date(value: datetime.datetime | datetime.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat()


def _review_section(
    *, user: AnyUser | None, state: Country, cycle: ReviewCycle, published: bool
) -> Section:
    # Once published, the dossier is the public record: it shows the published version to
    # everyone, even to those who may read a newer draft (they do so in the reviews' editor).
    review = review_for_dossier(user=None if published else user, state=state, cycle=cycle)
    section = Section(key="review", title=_("The State's voluntary review"))
    version = review.shown_version if review is not None else None
    if review is None or version is None:
        section.missing = _("%(state)s has not written a review for %(cycle)s yet.") % {
            "state": state.localized("name"),
            "cycle": cycle.code,
        }
        section.summary = section.missing
        return section
    parts = [part for part in version.sections.all() if not part.is_empty]
    section.data = {"review": review, "version": version, "parts": parts}
    if review.is_published:
        label = _("Voluntary national review of %(state)s, published version %(number)s") % {
            "state": state.localized("name"),
            "number": version.number,
        }
        as_of = _date(review.published_at)
    else:
        label = _(
            "Voluntary national review of %(state)s, draft version %(number)s (%(status)s)"
        ) % {
            "state": state.localized("name"),
            "number": version.number,
            "status": review.get_status_display(),
        }
        as_of = _date(version.created_at)
    section.sources = [Source(label, as_of)]
    if not parts:
        section.missing = _("The review has no text yet.")
    section.summary = _("%(status)s, version %(number)s: %(parts)s parts written.") % {
        "status": review.get_status_display(),
        "number": version.number,
        "parts": len(parts),
    }
    return section


def _stakeholders_section(*, state: Country, cycle: ReviewCycle, review: Section) -> Section:
    inputs = stakeholder_views_for_dossier(state=state, cycle=cycle)
    # Organisations' comments on the paragraphs of the published review, once a moderator
    # approved them: the public's view of the version (never the authors' draft comments).
    version = review.data.get("version")
    comments: list[ReviewComment] = []
    if version is not None and version.pk == review.data["review"].published_version_id:
        comments = [
            comment
            for comment in comments_for_version(user=None, version=version)
            if comment.kind == ReviewComment.Kind.STAKEHOLDER
        ]
    section = Section(key="stakeholders", title=_("Stakeholders' views"))
    section.data = {"inputs": inputs, "comments": comments}
    newest = max(
        [item.moderated_at or item.submitted_at for item in inputs]
        + [comment.moderated_at or comment.created_at for comment in comments],
        default=None,
    )
    section.sources = [
        Source(
            _(
                "Assessments submitted by organisations in %(cycle)s and their comments on the "
                "published review, approved by a moderator"
            )
            % {"cycle": cycle.code},
            _date(newest),
        )
    ]
    if not inputs and not comments:
        section.missing = _("No stakeholder's view on this State has been approved yet.")
    section.summary = _("%(inputs)s approved stakeholder views and %(comments)s comments.") % {
        "inputs": len(inputs),
        "comments": len(comments),
    }
    return section


def _follow_up_section(*, state: Country, cycle: ReviewCycle) -> Section:
    recommendations = follow_up_for_dossier(state=state, cycle=cycle)
    section = Section(key="follow_up", title=_("Follow-up recommendations"))
    section.data = {"recommendations": recommendations}
    newest = max((item.created_at for item in recommendations), default=None)
    section.sources = [
        Source(
            _(
                "Recommendations from the forum and the review of %(cycle)s, with the State's "
                "dated status updates"
            )
            % {"cycle": cycle.code},
            _date(newest),
        )
    ]
    if not recommendations:
        section.missing = _("No follow-up recommendation to this State has been recorded yet.")
    section.summary = ngettext(
        "%(count)s follow-up recommendation.",
        "%(count)s follow-up recommendations.",
        len(recommendations),
    ) % {"count": len(recommendations)}
    return section


def dossier_get(*, user: AnyUser | None, iso3: str, cycle_code: str) -> Dossier:
    """:func:`dossier_for` by codes. Raises :class:`DossierNotFound` for an unknown State or
    cycle, and for a dossier ``user`` may not see yet."""
    try:
        state = reference.country_get(iso3=iso3)
        cycle = cycle_get(code=cycle_code)
    except (Country.DoesNotExist, ReviewCycle.DoesNotExist):
        raise DossierNotFound from None
    return dossier_for(user=user, state=state, cycle=cycle)


def dossier_for(*, user: AnyUser | None, state: Country, cycle: ReviewCycle) -> Dossier:
    """The dossier of ``state`` in ``cycle`` as ``user`` may see it (``None``: the public).

    Raises :class:`DossierNotFound` when the State's review is not published and ``user`` is
    not entitled to the draft."""
    published = review_is_published(state=state, cycle=cycle)
    if not published and not can_read_draft_dossier(user, state):
        raise DossierNotFound
    review = _review_section(user=user, state=state, cycle=cycle, published=published)
    return Dossier(
        state=state,
        cycle=cycle,
        published=published,
        generated_at=timezone.now(),
        sections=[
            review,
            _stakeholders_section(state=state, cycle=cycle, review=review),
            testimonies_section(state=state),
            recommendations_section(state=state),
            ratifications_section(state=state),
            indicators_section(state=state),
            pledges_section(state=state),
            fair_share_section(state=state),
            _follow_up_section(state=state, cycle=cycle),
        ],
    )


@dataclass(frozen=True)
class DossierEntry:
    """One cycle in a State's list of dossiers: readable by this user or not, and why."""

    cycle: ReviewCycle
    published: bool
    readable: bool


def dossier_index(*, user: AnyUser | None, state: Country) -> list[DossierEntry]:
    """The cycles ``state`` takes part in (or wrote a review in), newest first, with whether its
    dossier there is published and whether ``user`` may open it (a draft only for those
    entitled). The reviews' own history of the State decides which cycles: two queries."""
    entitled = can_read_draft_dossier(user, state)
    entries = []
    for cycle, review in reviews_of_state(user=user, state=state):
        published = review is not None and review.published_version_id is not None
        entries.append(DossierEntry(cycle, published, published or entitled))
    return entries
