"""Pledges, their progress and independent assessments, and the money behind them.

A :class:`Pledge` is made by a State or an organisation (alone, jointly with partners, or in
answer to another pledge). Its pledger reports :class:`ProgressUpdate` rows through a review
workflow; stakeholders write :class:`Assessment` rows beside them, which the pledger can never
change. Money is held as IATI activities (:class:`FinancialCommitment`) with their
:class:`Transaction` rows — entered on the site or imported from IATI files — each kept in its
original currency and converted to US dollars with the shipped exchange-rate table
(:mod:`solidarity.commitments.rates`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Pledge(models.Model):
    class Form(models.TextChoices):
        FINANCIAL = "financial", _("Financial")
        HUMAN_RESOURCES = "human_resources", _("Human resources")
        PROCESS = "process", _("Process")
        POLICY = "policy", _("Policy")

    class Stage(models.TextChoices):
        PLANNING = "planning", _("Planning")
        IN_PROGRESS = "in_progress", _("In progress")
        FULFILLED = "fulfilled", _("Fulfilled")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    state = models.ForeignKey(
        "reference.Country",
        verbose_name=_("pledging State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledges",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("pledging organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledges",
    )
    partner_states = models.ManyToManyField(
        "reference.Country",
        blank=True,
        related_name="joint_pledges",
        verbose_name=_("partner States"),
    )
    partner_organisations = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="joint_pledges",
        verbose_name=_("partner organisations"),
    )
    answers = models.ForeignKey(
        "self",
        verbose_name=_("matches the pledge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matching_pledges",
    )
    title = models.CharField(_("title"), max_length=300)
    what = models.TextField(_("what will be done"))
    by_when = models.DateField(_("by when"), null=True, blank=True)
    measured_how = models.TextField(_("how progress is measured"), blank=True)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    objectives = models.ManyToManyField(
        "reference.Objective", related_name="pledges", verbose_name=_("GCM objectives")
    )
    principles = models.ManyToManyField(
        "reference.GuidingPrinciple",
        blank=True,
        related_name="pledges",
        verbose_name=_("guiding principles"),
    )
    solidarity_types = models.ManyToManyField(
        "reference.SolidarityType",
        blank=True,
        related_name="pledges",
        verbose_name=_("kinds of solidarity"),
    )
    target_groups = models.ManyToManyField(
        "reference.PopulationGroup",
        blank=True,
        related_name="pledges",
        verbose_name=_("groups it targets"),
    )
    south_south = models.BooleanField(_("South-South cooperation"), default=False)
    triangular = models.BooleanField(_("triangular cooperation"), default=False)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.PLANNING
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.CheckConstraint(
                name="commitments_pledge_one_pledger",
                condition=(Q(state__isnull=False) & Q(organisation__isnull=True))
                | (Q(state__isnull=True) & Q(organisation__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def pledger_name(self) -> str:
        if self.state_id is not None and self.state is not None:
            return self.state.localized("name")
        return str(self.organisation)

    @property
    def reference(self) -> str:
        """The pledge's public reference, e.g. ``P-12``."""
        return f"P-{self.pk}"


class ProgressUpdate(models.Model):
    """A dated report by the pledger on its own pledge, reviewed by the secretariat before it is
    shown: draft → pending approval → returned for revision (→ pending again) → approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending approval")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="progress_updates")
    as_of = models.DateField(_("progress as of"))
    text = models.TextField(_("what has been done"))
    evidence_url = models.URLField(_("evidence"), max_length=500, blank=True)
    stage = models.CharField(_("stage reported"), max_length=20, choices=Pledge.Stage.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return f"{self.pledge.reference} {self.as_of}"


class Assessment(models.Model):
    """An independent view of a pledge's progress, by a stakeholder; shown beside the pledger's
    own updates and never changed by the pledger."""

    class Rating(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        PARTLY = "partly", _("Partly on track")
        OFF_TRACK = "off_track", _("Off track")
        CANNOT_TELL = "cannot_tell", _("Cannot tell")

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="assessments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_of = models.DateField(_("assessed as of"))
    rating = models.CharField(_("assessment"), max_length=12, choices=Rating.choices)
    text = models.TextField(_("findings"))
    evidence_url = models.URLField(_("evidence"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("independent assessment")
        verbose_name_plural = _("independent assessments")

    def __str__(self) -> str:
        return f"{self.pledge.reference} {self.get_rating_display()}"


class FinancialCommitment(models.Model):
    """Money behind a pledge, or an activity imported from an IATI file: one IATI activity with
    the classifications Solidarity reads (kept as the file had them, so it exports back)."""

    class Channel(models.TextChoices):
        BILATERAL = "bilateral", _("Bilateral")
        MPTF = "mptf", _("Migration Multi-Partner Trust Fund")
        OTHER = "other", _("Other channel")

    class Source(models.TextChoices):
        SITE = "site", _("Entered on the site")
        IATI = "iati", _("Imported from IATI")

    pledge = models.ForeignKey(
        Pledge,
        verbose_name=_("pledge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="financial_commitments",
    )
    # Unique when given. The standard's own test files carry blank identifiers: those
    # activities are keyed by ``import_key`` instead (file digest and position).
    iati_identifier = models.CharField(_("IATI identifier"), max_length=300, blank=True)
    import_key = models.CharField(max_length=300, unique=True)
    title = models.CharField(_("title"), max_length=500)
    titles = models.JSONField(_("titles by language"), default=dict)
    descriptions = models.JSONField(_("descriptions by language"), default=dict)
    language = models.CharField(_("language"), max_length=10, blank=True)
    reporting_org_ref = models.CharField(_("reporting organisation"), max_length=200, blank=True)
    reporting_org_type = models.CharField(max_length=20, blank=True)
    reporting_org_name = models.CharField(max_length=300, blank=True)
    provider_state = models.ForeignKey(
        "reference.Country",
        verbose_name=_("providing State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    default_currency = models.CharField(_("default currency"), max_length=3, blank=True)
    activity_status = models.CharField(_("IATI activity status"), max_length=10, blank=True)
    activity_dates = models.JSONField(default=list)
    participating_orgs = models.JSONField(default=list)
    recipient_countries = models.JSONField(default=list)
    recipient_regions = models.JSONField(default=list)
    sectors = models.JSONField(default=list)
    tags = models.JSONField(default=list)
    policy_markers = models.JSONField(default=list)
    collaboration_type = models.CharField(max_length=10, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.OTHER
    )
    # DAC policy-marker significance (0 not targeted, 1 significant, 2 principal), null if none.
    gender_marker = models.PositiveSmallIntegerField(_("gender equality marker"), null=True)
    human_rights_marker = models.PositiveSmallIntegerField(_("human-rights marker"), null=True)
    objectives = models.ManyToManyField(
        "reference.Objective", blank=True, related_name="+", verbose_name=_("GCM objectives")
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SITE)
    # Read from an IATI 1.x file with the 1.x mapping: it lacks what 2.03 requires (reporting
    # organisation identifier and type, activity dates, …), so it is never exported.
    from_iati_1x = models.BooleanField(_("read from an IATI 1.x file"), default=False)
    source_file = models.CharField(_("imported from"), max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    # Digest of the activity as last imported: the same activity again changes nothing.
    content_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["import_key"]
        verbose_name = _("financial commitment")
        verbose_name_plural = _("financial commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=~Q(iati_identifier=""),
                name="commitments_iati_identifier_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.iati_identifier or self.import_key


class Transaction(models.Model):
    """One IATI transaction, its amount kept as given and converted to US dollars at the
    value date (``value_usd`` null when no rate is known: never counted as zero)."""

    class Type(models.TextChoices):
        INCOMING_FUNDS = "1", _("Incoming funds")
        OUTGOING_COMMITMENT = "2", _("Outgoing commitment")
        DISBURSEMENT = "3", _("Disbursement")
        EXPENDITURE = "4", _("Expenditure")
        INCOMING_COMMITMENT = "11", _("Incoming commitment")
        OUTGOING_PLEDGE = "12", _("Outgoing pledge")
        INCOMING_PLEDGE = "13", _("Incoming pledge")

    commitment = models.ForeignKey(
        FinancialCommitment, on_delete=models.CASCADE, related_name="transactions"
    )
    position = models.PositiveIntegerField(_("position in the activity"))
    # The file's TransactionType code as given: the types above are those Solidarity sums.
    type = models.CharField(_("type"), max_length=10)
    date = models.DateField(_("date"), null=True, db_index=True)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    value_date = models.DateField(_("value date"), null=True)
    value_usd = models.DecimalField(
        _("value in US dollars"), max_digits=24, decimal_places=2, null=True
    )
    ref = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    provider_ref = models.CharField(max_length=200, blank=True)
    provider_type = models.CharField(max_length=20, blank=True)
    provider_name = models.CharField(_("provider"), max_length=300, blank=True)
    has_provider = models.BooleanField(default=False)
    receiver_ref = models.CharField(max_length=200, blank=True)
    receiver_type = models.CharField(max_length=20, blank=True)
    receiver_name = models.CharField(_("receiver"), max_length=300, blank=True)
    has_receiver = models.BooleanField(default=False)
    disbursement_channel = models.CharField(max_length=10, blank=True)
    sectors = models.JSONField(default=list)
    recipient_country = models.CharField(_("recipient country"), max_length=10, blank=True)
    recipient_region = models.CharField(_("recipient region"), max_length=10, blank=True)
    flow_type = models.CharField(max_length=10, blank=True)
    finance_type = models.CharField(max_length=10, blank=True)
    aid_type = models.CharField(max_length=20, blank=True)
    tied_status = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["commitment", "position"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "position"], name="commitments_transaction_position"
            )
        ]
        indexes = [models.Index(fields=["type", "date"], name="commitments_tx_type_date")]

    def __str__(self) -> str:
        return f"{self.type} {self.value} {self.currency}"
