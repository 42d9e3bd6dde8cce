"""Every change in a review cycle. Each function is atomic, checks who may act and whether the
cycle's phase allows it on the day — deadlines are enforced here, not only in the forms — and
writes the audit trail.

Messages of refusals are for people (the page, the API and the command line show them as they
are), so they go through translation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from solidarity.accounts.models import Organisation, User
from solidarity.audit.actions import audit_record, audit_snapshot
from solidarity.reference.models import Country, Objective
from solidarity.reviews.models import (
    CyclePhase,
    FollowUpRecommendation,
    FollowUpStatus,
    FollowUpStatusUpdate,
    Moderation,
    ReviewCitation,
    ReviewComment,
    ReviewCycle,
    ReviewSection,
    StakeholderInput,
    StateReview,
    StateReviewVersion,
    paragraphs,
)
from solidarity.reviews.permissions import (
    can_comment_on_draft,
    can_manage_cycles,
    can_moderate_reviews,
    can_publish_review,
    can_record_follow_up,
    can_speak_for,
    can_update_follow_up,
    can_write_review,
)

# ---------------------------------------------------------------------------------------------
# Phases and deadlines


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def require_phase_open(
    *, cycle: ReviewCycle, kind: str, what: str, today: datetime.date | None = None
) -> None:
    """Raise a ``ValidationError`` saying why ``what`` cannot be done in ``cycle`` today unless
    the phase ``kind`` is open."""
    today = today or timezone.localdate()
    if not cycle.is_open:
        raise ValidationError(
            _("%(what)s: the cycle %(cycle)s has not been opened by the secretariat.")
            % {"what": what, "cycle": cycle.code}
        )
    phase = CyclePhase.objects.filter(cycle=cycle, kind=kind).first()
    label = CyclePhase.Kind(kind).label
    if phase is None or phase.starts_on is None or phase.ends_on is None:
        raise ValidationError(
            _("%(what)s: the dates of the phase “%(phase)s” of %(cycle)s are not set yet.")
            % {"what": what, "phase": label, "cycle": cycle.code}
        )
    if today < phase.starts_on:
        raise ValidationError(
            _("%(what)s: the phase “%(phase)s” of %(cycle)s opens on %(start)s.")
            % {"what": what, "phase": label, "cycle": cycle.code, "start": _date(phase.starts_on)}
        )
    if today > phase.ends_on:
        raise ValidationError(
            _(
                "%(what)s: the deadline has passed; the phase “%(phase)s” of %(cycle)s closed "
                "on %(end)s."
            )
            % {"what": what, "phase": label, "cycle": cycle.code, "end": _date(phase.ends_on)}
        )


# ---------------------------------------------------------------------------------------------
# Cycles


_CYCLE_FIELDS = ("code", "kind", "commission", "year", "title", "description", "source")
_PHASE_FIELDS = ("starts_on", "ends_on", "note")


@transaction.atomic
def cycle_create(
    *,
    actor: User,
    code: str,
    kind: str,
    title: str,
    year: int,
    commission: str = "",
    description: str = "",
) -> ReviewCycle:
    """The secretariat adds a cycle (IMRF-2030, a new regional round), with its five phases
    undated."""
    if not can_manage_cycles(actor):
        raise PermissionDenied
    code = code.strip().upper()
    if not code:
        raise ValidationError({"code": _("Give the cycle a code, such as IMRF-2030.")})
    if ReviewCycle.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A cycle with this code already exists.")})
    if kind == ReviewCycle.Kind.REGIONAL and commission not in ReviewCycle.Commission.values:
        raise ValidationError(
            {"commission": _("A regional review belongs to one UN regional commission.")}
        )
    if kind == ReviewCycle.Kind.IMRF:
        commission = ""
    cycle = ReviewCycle.objects.create(
        code=code,
        kind=kind,
        commission=commission,
        title=title.strip(),
        year=year,
        description=description.strip(),
    )
    for phase in CyclePhase.Kind:
        CyclePhase.objects.create(cycle=cycle, kind=phase)
    audit_record(
        actor=actor,
        action="reviews.cycle_create",
        obj=cycle,
        after=audit_snapshot(cycle, fields=_CYCLE_FIELDS),
    )
    return cycle


@transaction.atomic
def cycle_open(*, actor: User, cycle: ReviewCycle) -> ReviewCycle:
    """The secretariat opens a cycle: from then on its phases' dates decide what is open."""
    if not can_manage_cycles(actor):
        raise PermissionDenied
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.is_open:
        raise ValidationError(_("The cycle %(cycle)s is already open.") % {"cycle": cycle.code})
    cycle.opened_at, cycle.opened_by = timezone.now(), actor
    cycle.save(update_fields=["opened_at", "opened_by"])
    audit_record(
        actor=actor,
        action="reviews.cycle_open",
        obj=cycle,
        before={"opened_at": None},
        after={"opened_at": cycle.opened_at},
    )
    return cycle


@transaction.atomic
def phase_set(
    *,
    actor: User,
    cycle: ReviewCycle,
    kind: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    note: str = "",
) -> CyclePhase:
    """The secretariat sets or corrects a phase's dates (the shipped file then leaves them)."""
    if not can_manage_cycles(actor):
        raise PermissionDenied
    if kind not in CyclePhase.Kind.values:
        raise ValidationError({"kind": _("Unknown phase.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("A phase cannot end before it starts.")})
    phase, _created = CyclePhase.objects.select_for_update().get_or_create(cycle=cycle, kind=kind)
    before = audit_snapshot(phase, fields=_PHASE_FIELDS)
    phase.starts_on, phase.ends_on, phase.note = starts_on, ends_on, note.strip()[:500]
    phase.edited_at, phase.edited_by = timezone.now(), actor
    phase.save()
    audit_record(
        actor=actor,
        action="reviews.phase_set",
        obj=phase,
        before=before,
        after=audit_snapshot(phase, fields=_PHASE_FIELDS),
    )
    return phase


@transaction.atomic
def cycle_states_set(*, actor: User, cycle: ReviewCycle, states: Iterable[Country]) -> None:
    """The secretariat sets which States take part in a cycle."""
    if not can_manage_cycles(actor):
        raise PermissionDenied
    before = sorted(cycle.states.values_list("iso3", flat=True))
    cycle.states.set(list(states))
    after = sorted(cycle.states.values_list("iso3", flat=True))
    audit_record(
        actor=actor,
        action="reviews.cycle_states_set",
        obj=cycle,
        before={"states": before},
        after={"states": after},
    )


# ---------------------------------------------------------------------------------------------
# State reviews


@dataclass
class SectionText:
    """What a focal point wrote in one part of the template. ``objective`` for an objective's
    part; ``citations`` as ``(kind, reference)`` pairs."""

    part: str
    objective: int | None = None
    what_was_done: str = ""
    measures: str = ""
    challenges: str = ""
    support_needed: str = ""
    partnerships: str = ""
    body: str = ""
    citations: list[tuple[str, str]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"objective-{self.objective}" if self.part == "objective" else self.part


def _check_citations(*, actor: User, country: Country, sections: list[SectionText]) -> None:
    from solidarity.commitments.selectors import visible_pledges
    from solidarity.indicators.models import Indicator
    from solidarity.rights.models import Recommendation

    for section in sections:
        for kind, reference in section.citations:
            reference = reference.strip()
            args = {"reference": reference, "section": section.key}
            if kind == ReviewCitation.Kind.INDICATOR:
                if not Indicator.objects.filter(code=reference).exists():
                    raise ValidationError(
                        _("%(section)s: no indicator has the code %(reference)s.") % args
                    )
            elif kind == ReviewCitation.Kind.PLEDGE:
                if not (
                    reference.isdigit()
                    and visible_pledges(actor).filter(pk=int(reference)).exists()
                ):
                    raise ValidationError(
                        _("%(section)s: there is no pledge number %(reference)s you can see.")
                        % args
                    )
            elif kind == ReviewCitation.Kind.RECOMMENDATION:
                if not (
                    reference.isdigit()
                    and Recommendation.objects.filter(pk=int(reference), country=country).exists()
                ):
                    raise ValidationError(
                        _(
                            "%(section)s: there is no human-rights recommendation number "
                            "%(reference)s to this State."
                        )
                        % args
                    )
            else:
                raise ValidationError(_("Unknown kind of citation: %(kind)s.") % {"kind": kind})


def _check_can_still_write(*, cycle: ReviewCycle, today: datetime.date) -> None:
    if not cycle.is_open:
        raise ValidationError(
            _("The cycle %(cycle)s has not been opened by the secretariat.") % {"cycle": cycle.code}
        )
    phase = CyclePhase.objects.filter(cycle=cycle, kind=CyclePhase.Kind.STATE_REVIEWS).first()
    if phase is not None and phase.ends_on is not None and today > phase.ends_on:
        raise ValidationError(
            _(
                "The deadline for State reviews in %(cycle)s was %(end)s: the review can no "
                "longer be changed."
            )
            % {"cycle": cycle.code, "end": _date(phase.ends_on)}
        )


@transaction.atomic
def review_save(
    *,
    actor: User,
    cycle: ReviewCycle,
    country: Country,
    sections: list[SectionText],
    note: str = "",
) -> StateReviewVersion:
    """A focal point saves the State's review: a new version holding every part written so far
    (empty parts are not stored). Allowed from the cycle's opening until the State reviews'
    deadline, while the review is a draft."""
    if not can_write_review(actor, country):
        raise PermissionDenied
    _check_can_still_write(cycle=cycle, today=timezone.localdate())
    if not cycle.states.filter(pk=country.pk).exists():
        raise ValidationError(
            _("%(state)s does not take part in %(cycle)s.")
            % {"state": country.name, "cycle": cycle.code}
        )
    review, created = StateReview.objects.select_for_update().get_or_create(
        cycle=cycle, country=country, defaults={"created_by": actor}
    )
    if review.status != StateReview.Status.DRAFT:
        raise ValidationError(
            _("This review is %(status)s: it can no longer be changed.")
            % {"status": review.get_status_display().lower()}
        )
    keys = [given.key for given in sections]
    if len(keys) != len(set(keys)):
        raise ValidationError(_("A part of the template is given twice."))
    objectives = set(Objective.objects.values_list("number", flat=True))
    for given in sections:
        if given.part not in ReviewSection.Part.values:
            raise ValidationError(
                _("Unknown part of the template: %(part)s.") % {"part": given.part}
            )
        if (given.part == ReviewSection.Part.OBJECTIVE) != (given.objective is not None):
            raise ValidationError(_("Only an objective's part names an objective."))
        if given.objective is not None and given.objective not in objectives:
            raise ValidationError(
                _("Unknown GCM objective: %(number)s.") % {"number": given.objective}
            )
    _check_citations(actor=actor, country=country, sections=sections)
    number = (review.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = StateReviewVersion.objects.create(
        review=review, number=number, note=note.strip()[:300], created_by=actor
    )
    stored = 0
    for text in sections:
        section = ReviewSection(
            version=version,
            part=text.part,
            objective_id=text.objective,
            what_was_done=text.what_was_done.strip() if text.part == "objective" else "",
            measures=text.measures.strip() if text.part == "objective" else "",
            challenges=text.challenges.strip() if text.part == "objective" else "",
            support_needed=text.support_needed.strip() if text.part == "objective" else "",
            partnerships=text.partnerships.strip() if text.part == "objective" else "",
            body=text.body.strip() if text.part != "objective" else "",
        )
        citations = list(dict.fromkeys((k, r.strip()) for k, r in text.citations if r.strip()))
        if section.is_empty and not citations:
            continue
        section.save()
        stored += 1
        ReviewCitation.objects.bulk_create(
            ReviewCitation(section=section, kind=kind, reference=reference)
            for kind, reference in citations
        )
    review.latest_version = version
    review.save(update_fields=["latest_version"])
    audit_record(
        actor=actor,
        action="reviews.review_create" if created else "reviews.review_save",
        obj=review,
        after={"version": number, "sections": stored, "note": version.note},
    )
    return version


@transaction.atomic
def review_submit(*, actor: User, review: StateReview) -> StateReview:
    """A focal point submits the State's review, only while “State reviews due” is open."""
    if not can_write_review(actor, review.country_id):
        raise PermissionDenied
    review = StateReview.objects.select_for_update().select_related("cycle").get(pk=review.pk)
    require_phase_open(
        cycle=review.cycle, kind=CyclePhase.Kind.STATE_REVIEWS, what=_("Submitting the review")
    )
    if review.status != StateReview.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    if review.latest_version_id is None:
        raise ValidationError(_("Save the review before submitting it."))
    review.status = StateReview.Status.SUBMITTED
    review.submitted_at, review.submitted_by = timezone.now(), actor
    review.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit_record(
        actor=actor,
        action="reviews.review_submit",
        obj=review,
        before={"status": StateReview.Status.DRAFT},
        after={"status": review.status, "version": review.latest_version_id},
    )
    return review


@transaction.atomic
def review_return(*, actor: User, review: StateReview, reason: str) -> StateReview:
    """The secretariat sends a submitted review back to its authors, saying why."""
    if not can_publish_review(actor):
        raise PermissionDenied
    review = StateReview.objects.select_for_update().get(pk=review.pk)
    if review.status != StateReview.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted review can be returned."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the review is returned.")})
    review.status = StateReview.Status.DRAFT
    review.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="reviews.review_return",
        obj=review,
        before={"status": StateReview.Status.SUBMITTED},
        after={"status": review.status, "reason": reason.strip()},
    )
    return review


@transaction.atomic
def review_publish(*, actor: User, review: StateReview) -> StateReview:
    """The secretariat publishes the submitted version: from then on everybody reads it."""
    if not can_publish_review(actor):
        raise PermissionDenied
    review = StateReview.objects.select_for_update().get(pk=review.pk)
    if review.status != StateReview.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted review can be published."))
    review.status = StateReview.Status.PUBLISHED
    review.published_version_id = review.latest_version_id
    review.published_at, review.published_by = timezone.now(), actor
    review.save(update_fields=["status", "published_version", "published_at", "published_by"])
    audit_record(
        actor=actor,
        action="reviews.review_publish",
        obj=review,
        before={"status": StateReview.Status.SUBMITTED},
        after={"status": review.status, "version": review.published_version_id},
    )
    return review


@transaction.atomic
def review_comment_add(
    *,
    actor: User,
    version: StateReviewVersion,
    section_key: str,
    field_name: str,
    paragraph: int,
    text: str,
    organisation: Organisation | None = None,
) -> ReviewComment:
    """Comment on one paragraph of a version.

    On a draft (any version not published): the State's focal points and reviewers, not
    moderated. On the published version: members of a stakeholder organisation, in its name,
    while “Stakeholder inputs due” is open; the comment waits for a moderator."""
    review = StateReview.objects.select_related("cycle").get(pk=version.review_id)
    published = version.pk == review.published_version_id
    if published:
        if organisation is None or not can_speak_for(actor, organisation):
            raise PermissionDenied
        require_phase_open(
            cycle=review.cycle,
            kind=CyclePhase.Kind.STAKEHOLDER_INPUTS,
            what=_("Commenting on the review"),
        )
        kind = ReviewComment.Kind.STAKEHOLDER
    else:
        if not can_comment_on_draft(actor, review.country_id):
            raise PermissionDenied
        organisation = None
        kind = ReviewComment.Kind.DRAFT
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    section = next(
        (s for s in ReviewSection.objects.filter(version=version) if s.key == section_key), None
    )
    texts = section.texts() if section is not None else {}
    if field_name not in texts or not 1 <= paragraph <= len(paragraphs(texts[field_name])):
        raise ValidationError(_("This paragraph is not in the review."))
    comment = ReviewComment.objects.create(
        version=version,
        kind=kind,
        section_key=section_key,
        field=field_name,
        paragraph=paragraph,
        text=text.strip(),
        author=actor,
        organisation=organisation,
        moderation=Moderation.PENDING if published else Moderation.APPROVED,
    )
    audit_record(
        actor=actor,
        action="reviews.comment_add",
        obj=comment,
        after=audit_snapshot(
            comment,
            fields=("kind", "section_key", "field", "paragraph", "text", "organisation"),
        ),
    )
    return comment


# ---------------------------------------------------------------------------------------------
# Stakeholder inputs and moderation


@transaction.atomic
def stakeholder_input_submit(
    *,
    actor: User,
    cycle: ReviewCycle,
    organisation: Organisation,
    title: str,
    body: str,
    country: Country | None = None,
    objective: Objective | None = None,
) -> StakeholderInput:
    """A member of a stakeholder organisation submits its assessment of a State or of an
    objective, only while “Stakeholder inputs due” is open. It waits for a moderator; the
    organisation joins the cycle's participants."""
    if not can_speak_for(actor, organisation):
        raise PermissionDenied
    require_phase_open(
        cycle=cycle, kind=CyclePhase.Kind.STAKEHOLDER_INPUTS, what=_("Submitting an input")
    )
    if country is None and objective is None:
        raise ValidationError(_("Say which State or which objective the input is about."))
    if not title.strip():
        raise ValidationError({"title": _("Give the input a title.")})
    if not body.strip():
        raise ValidationError({"body": _("Write the assessment.")})
    item = StakeholderInput.objects.create(
        cycle=cycle,
        organisation=organisation,
        country=country,
        objective=objective,
        title=title.strip()[:200],
        body=body.strip(),
        submitted_by=actor,
    )
    cycle.organisations.add(organisation)
    audit_record(
        actor=actor,
        action="reviews.input_submit",
        obj=item,
        after=audit_snapshot(
            item, fields=("cycle", "organisation", "country", "objective", "title", "body")
        ),
    )
    return item


def _moderate(
    *, actor: User, item: StakeholderInput | ReviewComment, approve: bool, reason: str
) -> None:
    if not can_moderate_reviews(actor):
        raise PermissionDenied
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for refusing it: its author sees it.")})
    before = audit_snapshot(item, fields=("moderation", "refusal_reason"))
    item.moderation = Moderation.APPROVED if approve else Moderation.REFUSED
    item.refusal_reason = "" if approve else reason.strip()
    item.moderated_at, item.moderated_by = timezone.now(), actor
    item.save(update_fields=["moderation", "refusal_reason", "moderated_at", "moderated_by"])
    audit_record(
        actor=actor,
        action="reviews.moderate",
        obj=item,
        before=before,
        after=audit_snapshot(item, fields=("moderation", "refusal_reason")),
    )


@transaction.atomic
def stakeholder_input_moderate(
    *, actor: User, item: StakeholderInput, approve: bool, reason: str = ""
) -> StakeholderInput:
    """A moderator approves an input or refuses it with a reason. A refused input is kept."""
    item = StakeholderInput.objects.select_for_update().get(pk=item.pk)
    _moderate(actor=actor, item=item, approve=approve, reason=reason)
    return item


@transaction.atomic
def review_comment_moderate(
    *, actor: User, comment: ReviewComment, approve: bool, reason: str = ""
) -> ReviewComment:
    """A moderator approves a stakeholder comment or refuses it with a reason."""
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if comment.kind != ReviewComment.Kind.STAKEHOLDER:
        raise ValidationError(_("Comments on drafts are not moderated."))
    _moderate(actor=actor, item=comment, approve=approve, reason=reason)
    return comment


# ---------------------------------------------------------------------------------------------
# Follow-up


@transaction.atomic
def follow_up_add(
    *,
    actor: User,
    cycle: ReviewCycle,
    country: Country,
    source: str,
    text: str,
    objective: Objective | None = None,
) -> FollowUpRecommendation:
    """The secretariat records a recommendation of the forum or of the review to a State."""
    if not can_record_follow_up(actor):
        raise PermissionDenied
    if source not in FollowUpRecommendation.Source.values:
        raise ValidationError({"source": _("Say whether it comes from the forum or the review.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the recommendation.")})
    recommendation = FollowUpRecommendation.objects.create(
        cycle=cycle,
        country=country,
        objective=objective,
        source=source,
        text=text.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="reviews.follow_up_add",
        obj=recommendation,
        after=audit_snapshot(
            recommendation, fields=("cycle", "country", "objective", "source", "text")
        ),
    )
    return recommendation


@transaction.atomic
def follow_up_status_add(
    *,
    actor: User,
    recommendation: FollowUpRecommendation,
    status: str,
    note: str,
    as_of: datetime.date,
    evidence_url: str = "",
) -> FollowUpStatusUpdate:
    """The State's focal point says what has been done, dated; the newest date becomes the
    recommendation's status. Earlier updates are kept."""
    if not can_update_follow_up(actor, recommendation.country_id):
        raise PermissionDenied
    if status not in FollowUpStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": _("A status cannot be dated in the future.")})
    recommendation = FollowUpRecommendation.objects.select_for_update().get(pk=recommendation.pk)
    before = {"status": recommendation.status}
    update = FollowUpStatusUpdate.objects.create(
        recommendation=recommendation,
        status=status,
        note=note.strip(),
        evidence_url=evidence_url.strip(),
        as_of=as_of,
        recorded_by=actor,
    )
    latest = recommendation.status_history.order_by("-as_of", "-recorded_at", "-id").first()
    recommendation.status = latest.status if latest is not None else status
    recommendation.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="reviews.follow_up_status_add",
        obj=recommendation,
        before=before,
        after={"status": recommendation.status, "update": update.pk, "as_of": as_of},
    )
    return update
