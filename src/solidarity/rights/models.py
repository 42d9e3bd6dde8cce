"""Human-rights mechanisms in the review: what the UN treaty bodies, special procedures, the
Universal Periodic Review and regional bodies recommend to each State, what the State answered,
what it says it has done, what others assess it has done, and which GCM objectives each
recommendation bears on — every objective label carrying where it came from.

Also the ratification status of each State for each human-rights treaty and ILO convention.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Mechanism(models.Model):
    """A body that makes recommendations or observations to States. A treaty body's code is the
    ``monitoring_body`` of its treaties in the reference catalogue (CMW for the ICMW)."""

    class Kind(models.TextChoices):
        UPR = "upr", _("Universal Periodic Review")
        TREATY_BODY = "treaty_body", _("Treaty body")
        SPECIAL_PROCEDURE = "special_procedure", _("Special procedure")
        REGIONAL = "regional", _("Regional mechanism")

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")

    def __str__(self) -> str:
        return self.code


class Document(models.Model):
    """A report or set of concluding observations a recommendation comes from (a UN symbol such
    as A/HRC/19/12 or CMW/C/MEX/CO/3), or a UPR session when the source gives no symbol."""

    symbol = models.CharField(_("symbol"), max_length=100, unique=True)
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="documents")
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    session = models.CharField(_("session"), max_length=40, blank=True)
    cycle = models.CharField(_("UPR cycle"), max_length=10, blank=True)

    class Meta:
        ordering = ["-published_on", "symbol"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.symbol


class Position(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    NOTED = "noted", _("Noted")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Recommendation(models.Model):
    """One recommendation (UPR, special procedures) or observation (treaty bodies) to one State.

    ``source`` and ``source_key`` identify it in the file it came from (UHRI's AnnotationId; for
    UPR Info, which has no identifier, a digest of State, recommending State, session and text),
    so that importing the same file again changes nothing."""

    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", _("Recommendation")
        OBSERVATION = "observation", _("Observation")

    class Source(models.TextChoices):
        UHRI = "uhri", _("Universal Human Rights Index (OHCHR)")
        UPR_INFO = "upr_info", _("UPR Info database")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_key = models.CharField(_("identifier in the source"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.RECOMMENDATION
    )
    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.PROTECT, related_name="recommendations"
    )
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="recommendations"
    )
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("State concerned"),
        on_delete=models.PROTECT,
        related_name="hr_recommendations",
    )
    recommending_country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("recommending State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # As the source writes it: kept even when it names no country (“(Unknown)”).
    recommending_label = models.CharField(_("recommending State (as written)"), max_length=100)
    text = models.TextField(_("text"))
    session = models.CharField(_("session"), max_length=40, blank=True)
    cycle = models.CharField(_("UPR cycle"), max_length=10, blank=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    affected_persons = models.JSONField(_("affected persons"), default=list, blank=True)
    sdg_targets = models.JSONField(_("SDG targets"), default=list, blank=True)
    population_groups = models.ManyToManyField(
        "reference.PopulationGroup",
        verbose_name=_("groups in vulnerable situations named"),
        blank=True,
        related_name="+",
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices, blank=True)
    position_source = models.CharField(_("source of the position"), max_length=200, blank=True)
    upr_action_category = models.PositiveSmallIntegerField(
        _("UPR Info action category"), null=True, blank=True
    )
    # The State's own latest word on implementation, kept here for filtering; the dated history
    # is in ImplementationStatus.
    status = models.CharField(
        _("implementation status"), max_length=20, choices=Status.choices, blank=True
    )
    migration_relevant = models.BooleanField(_("relevant to the GCM review"), null=True)
    relevance_score = models.FloatField(_("relevance score"), null=True, blank=True)
    relevance_model = models.CharField(_("relevance model version"), max_length=100, blank=True)
    cluster = models.PositiveIntegerField(_("cluster of near-duplicates"), null=True, blank=True)
    cluster_method = models.CharField(_("clustering method"), max_length=100, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["country", "-published_on", "session", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_key"], name="recommendation_once"),
        ]
        indexes = [
            models.Index(fields=["country", "mechanism"]),
            models.Index(fields=["cluster"]),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.mechanism_id}: {self.text[:80]}"


class ImplementationStatus(models.Model):
    """What the State's focal point says of a recommendation's implementation, with dated
    evidence and the institution responsible. Never edited: a new row supersedes the last."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="status_history"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    responsible_institution = models.CharField(_("responsible institution"), max_length=200)
    evidence = models.TextField(_("evidence"))
    evidence_url = models.URLField(_("evidence address"), max_length=500, blank=True)
    evidence_date = models.DateField(_("date of the evidence"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("implementation status")
        verbose_name_plural = _("implementation statuses")

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.status} ({self.evidence_date})"


class Assessment(models.Model):
    """An external voice on implementation, beside the State's own: a treaty body's follow-up
    grade (A-E) or a civil-society, NHRI or UN assessment (fully / partially / not
    implemented)."""

    class Grade(models.TextChoices):
        A = "A", _("A: reply largely satisfactory")
        B = "B", _("B: reply partially satisfactory")
        C = "C", _("C: reply not satisfactory")
        D = "D", _("D: no cooperation with the committee")
        E = "E", _("E: measures contrary to the recommendation")
        FULLY = "fully", _("Fully implemented")
        PARTIALLY = "partially", _("Partially implemented")
        NOT_IMPLEMENTED = "not_implemented", _("Not implemented")

    class AssessorKind(models.TextChoices):
        TREATY_BODY = "treaty_body", _("Treaty body follow-up")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        NHRI = "nhri", _("National human-rights institution")
        UN = "un", _("UN entity")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="assessments"
    )
    assessor_kind = models.CharField(_("assessed by"), max_length=20, choices=AssessorKind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessor_label = models.CharField(_("assessor"), max_length=200)
    grade = models.CharField(_("assessment"), max_length=20, choices=Grade.choices)
    comment = models.TextField(_("comment"))
    evidence_url = models.URLField(_("evidence address"), max_length=500, blank=True)
    assessed_on = models.DateField(_("date of the assessment"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.grade} ({self.assessor_label})"


class ObjectiveLabel(models.Model):
    """One GCM objective a recommendation bears on, with where the label came from: the source's
    own tags (through a documented crosswalk), the classifier (score and model version) or a
    person; and whether a person confirmed or rejected it, who and when. Rejected labels are kept:
    they are training data."""

    class Provenance(models.TextChoices):
        OFFICIAL = "official", _("Official source")
        MODEL = "model", _("Classifier")
        PERSON = "person", _("Person")

    class Decision(models.TextChoices):
        UNREVIEWED = "unreviewed", _("Not reviewed")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="objective_labels"
    )
    objective = models.ForeignKey(
        "reference.Objective", on_delete=models.PROTECT, related_name="hr_labels"
    )
    provenance = models.CharField(_("provenance"), max_length=10, choices=Provenance.choices)
    official_source = models.CharField(_("official source"), max_length=200, blank=True)
    score = models.FloatField(_("model score"), null=True, blank=True)
    model_version = models.CharField(_("model version"), max_length=100, blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.UNREVIEWED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["objective", "id"]
        verbose_name = _("GCM objective label")
        verbose_name_plural = _("GCM objective labels")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "objective"], name="one_label_per_objective"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} → {self.objective_id} ({self.provenance})"

    @property
    def counts(self) -> bool:
        """Whether the label stands: not rejected by a person."""
        return self.decision != self.Decision.REJECTED


class Ratification(models.Model):
    """Where a State stands on a treaty or ILO convention, with the year and the source."""

    class Status(models.TextChoices):
        PARTY = "party", _("State party")
        SIGNATORY = "signatory", _("Signatory")
        NONE = "none", _("No action")

    country = models.ForeignKey(
        "reference.Country", on_delete=models.PROTECT, related_name="ratifications"
    )
    treaty = models.ForeignKey(
        "reference.Treaty", on_delete=models.PROTECT, related_name="ratifications"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    # ISO 8601 at the precision the source gives: "2022" for the shipped table (mid-2022), a
    # full date for what an administrator enters.
    as_of = models.CharField(_("as of"), max_length=10)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["country", "treaty__order"]
        verbose_name = _("ratification")
        verbose_name_plural = _("ratifications")
        constraints = [
            models.UniqueConstraint(fields=["country", "treaty"], name="one_status_per_treaty"),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.treaty_id}: {self.status}"
