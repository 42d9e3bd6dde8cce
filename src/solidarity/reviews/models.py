"""Review cycles of the Global Compact for Migration and what is written in them.

A :class:`ReviewCycle` is one round of review — an International Migration Review Forum (IMRF,
every four years from 2022) or one UN regional commission's regional review (in the years
between) — with dated :class:`CyclePhase` rows that decide what is open on a given day.

In a cycle, each State writes one :class:`StateReview`: every save is a new, never edited
:class:`StateReviewVersion` holding the template's :class:`ReviewSection` rows and their
:class:`ReviewCitation` references. Organisations add :class:`StakeholderInput` (their own
assessment of a State or an objective) and :class:`ReviewComment` rows; the forum's
:class:`FollowUpRecommendation` rows carry a dated :class:`FollowUpStatus` history.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def paragraphs(text: str) -> list[str]:
    """A text's paragraphs (separated by blank lines), which stakeholders comment on one by
    one: paragraph ``n`` of a field is ``paragraphs(text)[n - 1]``."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


class ReviewCycle(models.Model):
    class Kind(models.TextChoices):
        IMRF = "imrf", _("International Migration Review Forum")
        REGIONAL = "regional", _("Regional review")

    class Commission(models.TextChoices):
        ECA = "ECA", _("Economic Commission for Africa")
        ECE = "ECE", _("Economic Commission for Europe")
        ECLAC = "ECLAC", _("Economic Commission for Latin America and the Caribbean")
        ESCAP = "ESCAP", _("Economic and Social Commission for Asia and the Pacific")
        ESCWA = "ESCWA", _("Economic and Social Commission for Western Asia")

    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Regional reviews follow the UN regional commissions, as the UN Network on Migration does.
    commission = models.CharField(
        _("UN regional commission"), max_length=10, choices=Commission.choices, blank=True
    )
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    # A shipped cycle is reference data; the secretariat opens it for writing.
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    states = models.ManyToManyField(
        "reference.Country",
        verbose_name=_("participating States"),
        blank=True,
        related_name="review_cycles",
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("participating stakeholders"),
        blank=True,
        related_name="review_cycles",
    )

    class Meta:
        ordering = ["-year", "kind", "code"]
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        constraints = [
            models.CheckConstraint(
                name="regional_review_has_a_commission",
                condition=Q(kind="imrf", commission="") | (Q(kind="regional") & ~Q(commission="")),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def phase(self, kind: str) -> CyclePhase | None:
        """The phase of that kind (from prefetched phases when there are some)."""
        for phase in self.phases.all():
            if phase.kind == kind:
                return phase
        return None

    def open_phases(self, *, today: datetime.date) -> list[CyclePhase]:
        """The phases open on ``today``; none while the secretariat has not opened the cycle."""
        if not self.is_open:
            return []
        return [phase for phase in self.phases.all() if phase.is_open_on(today)]


class CyclePhase(models.Model):
    """One dated phase of a cycle. Dates are inclusive; a date nobody can cite stays empty, and
    a phase without both dates is never open."""

    class Kind(models.TextChoices):
        CALL_FOR_INPUTS = "call_for_inputs", _("Call for inputs")
        STATE_REVIEWS = "state_reviews", _("State reviews due")
        STAKEHOLDER_INPUTS = "stakeholder_inputs", _("Stakeholder inputs due")
        FORUM = "forum", _("Forum")
        FOLLOW_UP = "follow_up", _("Follow-up")

    ORDER = [k.value for k in Kind]

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    # Set when the secretariat edits the dates: the shipped file then no longer overwrites them.
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["cycle", "starts_on", "id"]
        verbose_name = _("cycle phase")
        verbose_name_plural = _("cycle phases")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"], name="one_phase_of_each_kind"),
            models.CheckConstraint(
                name="phase_ends_after_it_starts",
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.kind}"

    def is_open_on(self, today: datetime.date) -> bool:
        return (
            self.starts_on is not None
            and self.ends_on is not None
            and self.starts_on <= today <= self.ends_on
        )


class StateReview(models.Model):
    """A State's voluntary review in one cycle. Its text lives in versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        PUBLISHED = "published", _("Published")

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="state_reviews")
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("State"),
        on_delete=models.PROTECT,
        related_name="state_reviews",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    latest_version = models.ForeignKey(
        "StateReviewVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_version = models.ForeignKey(
        "StateReviewVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Set by the selectors: the version this reader is shown (published, or the latest draft
    # for those entitled to drafts), with its sections and citations prefetched.
    shown_version: StateReviewVersion | None = None

    class Meta:
        ordering = ["cycle", "country"]
        verbose_name = _("State review")
        verbose_name_plural = _("State reviews")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "country"], name="one_review_per_state"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.country_id}"

    @property
    def is_published(self) -> bool:
        return self.published_version_id is not None


class StateReviewVersion(models.Model):
    """One saved state of a State review. Never edited: each save writes a new version."""

    review = models.ForeignKey(StateReview, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["review", "-number"]
        verbose_name = _("State review version")
        verbose_name_plural = _("State review versions")
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.review} v{self.number}"


class ReviewSection(models.Model):
    """One part of the template in one version: an objective (what was done, measures,
    challenges, support needed, partnerships, with cited indicators), the guiding principles,
    or one of the gender-, child- and age-sensitive approaches (``body``)."""

    class Part(models.TextChoices):
        SUMMARY = "summary", _("Summary")
        OBJECTIVE = "objective", _("Objective")
        PRINCIPLES = "principles", _("Guiding principles")
        GENDER = "gender", _("Gender-responsive approach")
        CHILD = "child", _("Child-sensitive approach")
        AGE = "age", _("Age-sensitive approach (older persons)")

    # The text fields of an objective's section, in the template's order.
    OBJECTIVE_FIELDS = ("what_was_done", "measures", "challenges", "support_needed", "partnerships")

    version = models.ForeignKey(
        StateReviewVersion, on_delete=models.PROTECT, related_name="sections"
    )
    part = models.CharField(_("part"), max_length=12, choices=Part.choices)
    objective = models.ForeignKey(
        "reference.Objective", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what_was_done = models.TextField(_("what was done"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    support_needed = models.TextField(_("support needed"), blank=True)
    partnerships = models.TextField(_("partnerships"), blank=True)
    body = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["version", "id"]
        verbose_name = _("review section")
        verbose_name_plural = _("review sections")
        constraints = [
            models.CheckConstraint(
                name="objective_section_names_its_objective",
                condition=(Q(part="objective") & Q(objective__isnull=False))
                | (~Q(part="objective") & Q(objective__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["version", "objective"],
                condition=Q(objective__isnull=False),
                name="one_section_per_objective",
            ),
            models.UniqueConstraint(
                fields=["version", "part"],
                condition=Q(objective__isnull=True),
                name="one_section_per_other_part",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        """Stable across versions: ``objective-7``, ``principles``, ``gender``…"""
        return f"objective-{self.objective_id}" if self.part == self.Part.OBJECTIVE else self.part

    def texts(self) -> dict[str, str]:
        """The section's text fields that apply to its part, by name."""
        if self.part == self.Part.OBJECTIVE:
            return {name: getattr(self, name) for name in self.OBJECTIVE_FIELDS}
        return {"body": self.body}

    @property
    def is_empty(self) -> bool:
        return not any(value.strip() for value in self.texts().values())


class ReviewCitation(models.Model):
    """A reference from a section to another part of the platform, rendered live from that
    app (and its visibility rules) rather than copied."""

    class Kind(models.TextChoices):
        INDICATOR = "indicator", _("Indicator")
        PLEDGE = "pledge", _("Pledge")
        RECOMMENDATION = "recommendation", _("Human-rights recommendation")

    section = models.ForeignKey(ReviewSection, on_delete=models.PROTECT, related_name="citations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # An indicator's code, or a pledge's or recommendation's number.
    reference = models.CharField(_("reference"), max_length=60)

    class Meta:
        ordering = ["section", "kind", "id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "kind", "reference"], name="cite_once_per_section"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.reference}"


class Moderation(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Moderated(models.Model):
    """Moderation of what stakeholders write. Nothing is ever removed: a refused item stays,
    with its reason, visible to its author and to moderators."""

    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.PENDING
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class StakeholderInput(Moderated):
    """An organisation's own assessment of a State's or an objective's implementation in a
    cycle."""

    cycle = models.ForeignKey(
        ReviewCycle, on_delete=models.PROTECT, related_name="stakeholder_inputs"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="review_inputs"
    )
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stakeholder_inputs",
    )
    objective = models.ForeignKey(
        "reference.Objective",
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("assessment"))
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("stakeholder input")
        verbose_name_plural = _("stakeholder inputs")
        constraints = [
            models.CheckConstraint(
                name="input_is_about_a_state_or_an_objective",
                condition=Q(country__isnull=False) | Q(objective__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["cycle", "country", "moderation"])]

    def __str__(self) -> str:
        return self.title


class ReviewComment(Moderated):
    """A comment on one paragraph of a State review's version.

    On a draft, co-authors (the State's focal points) and reviewers discuss the text: those
    comments are internal and not moderated. On a published version, stakeholders comment in
    their organisation's name, and moderators approve or refuse each comment."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Comment on a draft")
        STAKEHOLDER = "stakeholder", _("Stakeholder comment")

    version = models.ForeignKey(
        StateReviewVersion, on_delete=models.PROTECT, related_name="comments"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    section_key = models.CharField(_("section"), max_length=20)
    field = models.CharField(_("field"), max_length=20)
    paragraph = models.PositiveSmallIntegerField(_("paragraph"))
    text = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_comments",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["version", "section_key", "field", "paragraph", "created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        constraints = [
            models.CheckConstraint(
                name="stakeholder_comment_names_its_organisation",
                condition=~Q(kind="stakeholder") | Q(organisation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.section_key}/{self.field}¶{self.paragraph}"


class FollowUpStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class FollowUpRecommendation(models.Model):
    """A recommendation from the forum or from the review to one State."""

    class Source(models.TextChoices):
        FORUM = "forum", _("Forum")
        REVIEW = "review", _("Review of the State's report")

    cycle = models.ForeignKey(
        ReviewCycle, on_delete=models.PROTECT, related_name="follow_up_recommendations"
    )
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("State"),
        on_delete=models.PROTECT,
        related_name="follow_up_recommendations",
    )
    objective = models.ForeignKey(
        "reference.Objective",
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("from"), max_length=10, choices=Source.choices)
    text = models.TextField(_("recommendation"))
    # The latest dated status, kept here for lists; the history is in FollowUpStatusUpdate.
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.NOT_STARTED,
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["cycle", "country", "objective", "id"]
        verbose_name = _("follow-up recommendation")
        verbose_name_plural = _("follow-up recommendations")

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.country_id}: {self.text[:80]}"


class FollowUpStatusUpdate(models.Model):
    """What the State says it has done on a follow-up recommendation, dated. Never edited."""

    recommendation = models.ForeignKey(
        FollowUpRecommendation, on_delete=models.PROTECT, related_name="status_history"
    )
    status = models.CharField(_("status"), max_length=20, choices=FollowUpStatus.choices)
    note = models.TextField(_("what was done"))
    evidence_url = models.URLField(_("evidence address"), max_length=500, blank=True)
    as_of = models.DateField(_("as of"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-as_of", "-recorded_at", "-id"]
        verbose_name = _("follow-up status")
        verbose_name_plural = _("follow-up statuses")

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.status} ({self.as_of})"
