"""Reads of review cycles, State reviews, stakeholder inputs, comments and follow-up, with the
rules of who may see what (see :mod:`solidarity.reviews.permissions`).

The dossier app builds on :func:`cycle_list`, :func:`cycle_get`, :func:`review_for_dossier`,
:func:`review_is_published`, :func:`stakeholder_views_for_dossier` and
:func:`follow_up_for_dossier`: keep their names and keyword arguments stable.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from solidarity.accounts.permissions import AnyUser
from solidarity.reference.models import Country, Objective
from solidarity.reviews.models import (
    CyclePhase,
    FollowUpRecommendation,
    FollowUpStatusUpdate,
    Moderation,
    ReviewCitation,
    ReviewComment,
    ReviewCycle,
    ReviewSection,
    StakeholderInput,
    StateReview,
    StateReviewVersion,
)
from solidarity.reviews.permissions import (
    can_moderate_reviews,
    can_read_review_drafts,
    stakeholder_organisations,
)

# ---------------------------------------------------------------------------------------------
# Cycles


def cycle_list() -> QuerySet[ReviewCycle]:
    """Every cycle, newest first, with its phases."""
    return ReviewCycle.objects.prefetch_related(
        Prefetch("phases", queryset=CyclePhase.objects.order_by("id"))
    ).order_by("-year", "kind", "commission", "code")


def cycle_get(*, code: str) -> ReviewCycle:
    """Raises ``ReviewCycle.DoesNotExist`` for an unknown code."""
    return cycle_list().get(code=code)


def cycle_phases(*, cycle: ReviewCycle) -> list[CyclePhase]:
    """The cycle's phases in the order of the process (call for inputs … follow-up)."""
    return sorted(cycle.phases.all(), key=lambda phase: CyclePhase.ORDER.index(phase.kind))


def cycle_participants(*, cycle: ReviewCycle) -> tuple[list[Country], list[Any]]:
    """The participating States and stakeholder organisations."""
    return (
        list(cycle.states.order_by("name")),
        list(cycle.organisations.order_by("name")),
    )


# ---------------------------------------------------------------------------------------------
# State reviews


def _sections() -> Prefetch[Any]:
    return Prefetch(
        "sections",
        queryset=ReviewSection.objects.select_related("objective")
        .prefetch_related(
            Prefetch("citations", queryset=ReviewCitation.objects.order_by("kind", "id"))
        )
        .order_by("id"),
    )


def version_with_sections(*, pk: int) -> StateReviewVersion:
    return (
        StateReviewVersion.objects.select_related("created_by")
        .prefetch_related(_sections())
        .get(pk=pk)
    )


def review_for_dossier(
    *, user: AnyUser | None, state: Country, cycle: ReviewCycle
) -> StateReview | None:
    """The State's review in that cycle as ``user`` may see it, or ``None``.

    Everybody sees the published version; the State's focal points, reviewers and
    administrators see the latest version, draft or submitted. ``review.shown_version`` is the
    version to render, with its sections (and their objective and citations) prefetched: four
    queries whatever the length of the review."""
    review = (
        StateReview.objects.select_related("cycle", "country", "submitted_by", "published_by")
        .filter(cycle=cycle, country=state)
        .first()
    )
    if review is None:
        return None
    if can_read_review_drafts(user, state) and review.latest_version_id is not None:
        shown = review.latest_version_id
    elif review.published_version_id is not None:
        shown = review.published_version_id
    else:
        return None
    review.shown_version = version_with_sections(pk=shown)
    return review


def review_is_published(*, state: Country, cycle: ReviewCycle) -> bool:
    return StateReview.objects.filter(
        cycle=cycle, country=state, published_version__isnull=False
    ).exists()


def review_get(*, cycle: ReviewCycle, state: Country) -> StateReview | None:
    """The review row itself (no permission check: the caller decides what to show)."""
    return StateReview.objects.filter(cycle=cycle, country=state).first()


def review_versions(*, user: AnyUser | None, review: StateReview) -> list[StateReviewVersion]:
    """The versions ``user`` may read, newest first: all for those entitled to drafts, the
    published one for everybody else."""
    versions = StateReviewVersion.objects.filter(review=review).select_related("created_by")
    if not can_read_review_drafts(user, review.country_id):
        versions = versions.filter(pk=review.published_version_id or 0)
    return list(versions.order_by("-number"))


def version_get(*, user: AnyUser | None, review: StateReview, number: int) -> StateReviewVersion:
    """Raises ``StateReviewVersion.DoesNotExist`` for a version that does not exist or that
    ``user`` may not read (a draft)."""
    version = StateReviewVersion.objects.get(review=review, number=number)
    if version.pk != review.published_version_id and not can_read_review_drafts(
        user, review.country_id
    ):
        raise StateReviewVersion.DoesNotExist
    return version_with_sections(pk=version.pk)


def reviews_of_state(*, user: AnyUser | None, state: Country) -> list[tuple[ReviewCycle, Any]]:
    """A State's review history: every cycle it took part in or wrote in, newest first, with
    its review as ``user`` may see it (``None`` when there is none to show)."""
    reviews = {
        r.cycle_id: r
        for r in StateReview.objects.filter(country=state).select_related("latest_version")
    }
    drafts = can_read_review_drafts(user, state)
    cycles = cycle_list().filter(Q(states=state) | Q(pk__in=list(reviews))).distinct()
    history: list[tuple[ReviewCycle, Any]] = []
    for cycle in cycles:
        review = reviews.get(cycle.pk)
        if review is not None and not drafts and review.published_version_id is None:
            review = None
        history.append((cycle, review))
    return history


@dataclass
class ComparisonRow:
    """One part of the template (an objective, the principles…) in two cycles."""

    label: str
    key: str
    left: ReviewSection | None
    right: ReviewSection | None


def review_comparison(
    *, user: AnyUser | None, state: Country, left: ReviewCycle, right: ReviewCycle
) -> tuple[StateReview | None, StateReview | None, list[ComparisonRow]]:
    """A State's reviews in two cycles side by side, part by part (every objective listed,
    written or not)."""
    left_review = review_for_dossier(user=user, state=state, cycle=left)
    right_review = review_for_dossier(user=user, state=state, cycle=right)

    def by_key(review: StateReview | None) -> dict[str, ReviewSection]:
        if review is None or review.shown_version is None:
            return {}
        return {section.key: section for section in review.shown_version.sections.all()}

    left_sections, right_sections = by_key(left_review), by_key(right_review)
    rows = []
    for key, label in template_parts():
        rows.append(
            ComparisonRow(
                label=label,
                key=key,
                left=left_sections.get(key),
                right=right_sections.get(key),
            )
        )
    return left_review, right_review, rows


def template_parts() -> list[tuple[str, str]]:
    """The parts of the State review template, in order, as ``(key, label)``."""
    parts = [("summary", str(ReviewSection.Part.SUMMARY.label))]
    for objective in Objective.objects.order_by("number"):
        parts.append(
            (
                f"objective-{objective.number}",
                _("Objective %(number)s: %(title)s")
                % {"number": objective.number, "title": objective.localized("short_label")},
            )
        )
    for part in (
        ReviewSection.Part.PRINCIPLES,
        ReviewSection.Part.GENDER,
        ReviewSection.Part.CHILD,
        ReviewSection.Part.AGE,
    ):
        parts.append((part.value, str(part.label)))
    return parts


@dataclass
class FieldDiff:
    section: str
    field: str
    lines: list[str]


def version_diff(*, old: StateReviewVersion, new: StateReviewVersion) -> list[FieldDiff]:
    """What changed from ``old`` to ``new``, field by field (unified diff lines), including
    citations added or removed."""

    def texts(version: StateReviewVersion) -> dict[tuple[str, str], str]:
        result: dict[tuple[str, str], str] = {}
        for section in version.sections.all():
            for name, value in section.texts().items():
                result[(section.key, name)] = value
            cited = sorted(f"{c.kind}:{c.reference}" for c in section.citations.all())
            result[(section.key, "citations")] = "\n".join(cited)
        return result

    before, after = texts(old), texts(new)
    diffs = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key, ""), after.get(key, "")
        if a == b:
            continue
        lines = list(
            difflib.unified_diff(
                a.splitlines(), b.splitlines(), f"v{old.number}", f"v{new.number}", lineterm=""
            )
        )[2:]
        diffs.append(FieldDiff(section=key[0], field=key[1], lines=lines))
    return diffs


# ---------------------------------------------------------------------------------------------
# Citations, rendered live from the apps they point to


@dataclass
class ResolvedCitation:
    citation: ReviewCitation
    label: str
    url: str
    available: bool


def citations_resolve(
    *, user: AnyUser | None, citations: list[ReviewCitation]
) -> dict[int, ResolvedCitation]:
    """Each citation's current title and address, read through its app's selectors and
    visibility rules (three queries at most). A pledge ``user`` may not see, or a reference
    that no longer exists, is marked unavailable rather than hidden."""
    from solidarity.commitments.selectors import visible_pledges
    from solidarity.indicators.models import Indicator
    from solidarity.rights.models import Recommendation

    wanted: dict[str, set[str]] = {kind.value: set() for kind in ReviewCitation.Kind}
    for citation in citations:
        wanted[citation.kind].add(citation.reference)
    indicators = (
        {i.code: i.name for i in Indicator.objects.filter(code__in=wanted["indicator"])}
        if wanted["indicator"]
        else {}
    )
    numbers = {
        kind: [int(ref) for ref in wanted[kind] if ref.isdigit()]
        for kind in ("pledge", "recommendation")
    }
    pledges = (
        {p.pk: p.title for p in visible_pledges(user).filter(pk__in=numbers["pledge"])}
        if numbers["pledge"]
        else {}
    )
    recommendations = (
        {
            r.pk: f"{r.mechanism_id}: {r.text[:160]}"
            for r in Recommendation.objects.filter(pk__in=numbers["recommendation"])
        }
        if numbers["recommendation"]
        else {}
    )
    resolved: dict[int, ResolvedCitation] = {}
    for citation in citations:
        ref = citation.reference
        label, url = "", ""
        if citation.kind == ReviewCitation.Kind.INDICATOR and ref in indicators:
            label, url = f"{ref} — {indicators[ref]}", reverse("indicators:detail", args=[ref])
        elif citation.kind == ReviewCitation.Kind.PLEDGE and ref.isdigit() and int(ref) in pledges:
            label = pledges[int(ref)]
            url = reverse("commitments:pledge", args=[int(ref)])
        elif (
            citation.kind == ReviewCitation.Kind.RECOMMENDATION
            and ref.isdigit()
            and int(ref) in recommendations
        ):
            label = recommendations[int(ref)]
            url = reverse("rights:recommendation", args=[int(ref)])
        resolved[citation.pk] = ResolvedCitation(
            citation=citation,
            label=label
            or _("%(kind)s %(reference)s (not available)")
            % {"kind": citation.get_kind_display(), "reference": ref},
            url=url,
            available=bool(url),
        )
    return resolved


# ---------------------------------------------------------------------------------------------
# Comments on a version


def comments_for_version(
    *, user: AnyUser | None, version: StateReviewVersion
) -> list[ReviewComment]:
    """The comments ``user`` may read on a version: draft comments for those entitled to the
    draft; stakeholder comments once approved for everybody, and all of them (refused ones
    included, with their reason) for their organisation's members and for moderators."""
    review = version.review
    comments = ReviewComment.objects.filter(version=version).select_related(
        "author", "organisation", "moderated_by"
    )
    visible = Q(kind=ReviewComment.Kind.STAKEHOLDER, moderation=Moderation.APPROVED)
    if can_read_review_drafts(user, review.country_id):
        visible |= Q(kind=ReviewComment.Kind.DRAFT)
    if can_moderate_reviews(user):
        visible |= Q(kind=ReviewComment.Kind.STAKEHOLDER)
    own = [o.pk for o in stakeholder_organisations(user)]
    if own:
        visible |= Q(kind=ReviewComment.Kind.STAKEHOLDER, organisation__in=own)
    return list(comments.filter(visible))


def comments_by_paragraph(
    comments: list[ReviewComment],
) -> dict[tuple[str, str, int], list[ReviewComment]]:
    grouped: dict[tuple[str, str, int], list[ReviewComment]] = {}
    for comment in comments:
        grouped.setdefault((comment.section_key, comment.field, comment.paragraph), []).append(
            comment
        )
    return grouped


# ---------------------------------------------------------------------------------------------
# Stakeholder inputs


def stakeholder_views_for_dossier(*, state: Country, cycle: ReviewCycle) -> list[StakeholderInput]:
    """Approved inputs about this State in this cycle, oldest first, with their organisation
    and objective."""
    return list(
        StakeholderInput.objects.filter(cycle=cycle, country=state, moderation=Moderation.APPROVED)
        .select_related("organisation", "objective", "country")
        .order_by("submitted_at", "id")
    )


def stakeholder_input_list(
    *,
    user: AnyUser | None,
    cycle: ReviewCycle | None = None,
    state: Country | None = None,
    objective: Objective | None = None,
) -> QuerySet[StakeholderInput]:
    """Inputs ``user`` may read: approved ones for everybody; pending and refused ones for
    their organisation's members and for moderators (nothing is ever removed)."""
    inputs = StakeholderInput.objects.select_related(
        "cycle", "organisation", "country", "objective", "moderated_by"
    )
    if not can_moderate_reviews(user):
        visible = Q(moderation=Moderation.APPROVED)
        own = [o.pk for o in stakeholder_organisations(user)]
        if own:
            visible |= Q(organisation__in=own)
        inputs = inputs.filter(visible)
    if cycle is not None:
        inputs = inputs.filter(cycle=cycle)
    if state is not None:
        inputs = inputs.filter(country=state)
    if objective is not None:
        inputs = inputs.filter(objective=objective)
    return inputs.order_by("-submitted_at", "-id")


def stakeholder_input_get(*, user: AnyUser | None, pk: int) -> StakeholderInput:
    """Raises ``StakeholderInput.DoesNotExist`` when it does not exist or ``user`` may not
    read it."""
    return stakeholder_input_list(user=user).get(pk=pk)


def cycle_reviews(*, cycle: ReviewCycle) -> list[StateReview]:
    """Every State review of ``cycle``, drafts included, with its country: the cycle page shows
    each one's status (never its text)."""
    return list(StateReview.objects.filter(cycle=cycle).select_related("country"))


def input_to_moderate(*, pk: int) -> StakeholderInput | None:
    """A stakeholder input, for a moderator (the caller has checked the role)."""
    return StakeholderInput.objects.filter(pk=pk).first()


def comment_to_moderate(*, pk: int, stakeholder_only: bool = False) -> ReviewComment | None:
    """A comment, for a moderator (the caller has checked the role); ``stakeholder_only`` leaves
    out the internal comments on drafts, which are not moderated."""
    comments = ReviewComment.objects.filter(pk=pk)
    if stakeholder_only:
        comments = comments.filter(kind=ReviewComment.Kind.STAKEHOLDER)
    return comments.first()


@dataclass
class ModerationQueue:
    inputs: list[StakeholderInput] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)
    refused_inputs: list[StakeholderInput] = field(default_factory=list)
    refused_comments: list[ReviewComment] = field(default_factory=list)


def moderation_queue() -> ModerationQueue:
    """What waits for a moderator, oldest first, and what was refused (kept, with reasons)."""
    inputs = StakeholderInput.objects.select_related(
        "cycle", "organisation", "country", "objective", "submitted_by", "moderated_by"
    )
    comments = ReviewComment.objects.filter(kind=ReviewComment.Kind.STAKEHOLDER).select_related(
        "version__review__cycle",
        "version__review__country",
        "organisation",
        "author",
        "moderated_by",
    )
    return ModerationQueue(
        inputs=list(inputs.filter(moderation=Moderation.PENDING).order_by("submitted_at", "id")),
        comments=list(comments.filter(moderation=Moderation.PENDING).order_by("created_at", "id")),
        refused_inputs=list(
            inputs.filter(moderation=Moderation.REFUSED).order_by("-moderated_at", "-id")
        ),
        refused_comments=list(
            comments.filter(moderation=Moderation.REFUSED).order_by("-moderated_at", "-id")
        ),
    )


# ---------------------------------------------------------------------------------------------
# Follow-up


def _follow_up() -> QuerySet[FollowUpRecommendation]:
    return FollowUpRecommendation.objects.select_related(
        "cycle", "country", "objective"
    ).prefetch_related(
        Prefetch(
            "status_history",
            queryset=FollowUpStatusUpdate.objects.select_related("recorded_by").order_by(
                "-as_of", "-recorded_at", "-id"
            ),
        )
    )


def follow_up_for_dossier(*, state: Country, cycle: ReviewCycle) -> list[FollowUpRecommendation]:
    """The follow-up recommendations to this State from this cycle, by objective, each with
    its dated status history (latest first; ``status`` holds the latest)."""
    return list(_follow_up().filter(cycle=cycle, country=state).order_by("objective", "id"))


def follow_up_list(
    *, cycle: ReviewCycle | None = None, state: Country | None = None
) -> QuerySet[FollowUpRecommendation]:
    recommendations = _follow_up()
    if cycle is not None:
        recommendations = recommendations.filter(cycle=cycle)
    if state is not None:
        recommendations = recommendations.filter(country=state)
    return recommendations.order_by("cycle", "country", "objective", "id")


def follow_up_get(*, pk: int) -> FollowUpRecommendation:
    return _follow_up().get(pk=pk)
