"""The participation fund: calls for applications tied to a review cycle, their published
eligibility rules, scoring criteria and balance rules; applications, the panel's scores, the
allocation chosen within the budget with its reasons, awards, disbursements and the report each
grantee owes before a new grant.

Review cycles do not exist yet (issue 8): a call names its cycle by code (``cycle_code``, e.g.
``IMRF-2026``), to become a foreign key when they land.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class FundCall(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open for applications")
        PUBLISHED = "published", _("Results published")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    cycle_code = models.CharField(
        _("review cycle"), max_length=50, help_text=_("The review cycle's code, e.g. IMRF-2026.")
    )
    description = models.TextField(_("description"), blank=True)
    eligibility_rules = models.TextField(_("eligibility rules"))
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    min_awards_per_region = models.PositiveSmallIntegerField(
        _("awards per UN region at least"), default=0
    )
    min_women_share = models.DecimalField(
        _("share of awards to women and women-led organisations at least"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    max_region_share = models.DecimalField(
        _("share of the budget one UN region may take at most"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "code"]
        verbose_name = _("fund call")
        verbose_name_plural = _("fund calls")

    def __str__(self) -> str:
        return self.code


class Criterion(models.Model):
    call = models.ForeignKey(FundCall, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what the panel looks for"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_points = models.PositiveSmallIntegerField(_("points at most"), default=10)

    class Meta:
        ordering = ["call", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="one_criterion_name_per_call")
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("A person")
        ORGANISATION = "organisation", _("An organisation")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        OTHER = "other", _("Another gender")
        UNSAID = "unsaid", _("Prefer not to say")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ELIGIBLE = "eligible", _("Eligible, with the panel")
        INELIGIBLE = "ineligible", _("Not eligible")
        AWARDED = "awarded", _("Awarded")
        NOT_AWARDED = "not_awarded", _("Not awarded")

    call = models.ForeignKey(FundCall, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fund_applications"
    )
    kind = models.CharField(_("applying as"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name of the person or organisation"), max_length=200)
    country = models.ForeignKey(
        "reference.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    gender = models.CharField(
        _("gender (for a person)"), max_length=10, choices=Gender.choices, default=Gender.UNSAID
    )
    migrant_led = models.BooleanField(_("migrant-led"), default=False)
    women_led = models.BooleanField(_("women-led"), default=False)
    youth_led = models.BooleanField(_("youth or youth-led"), default=False)
    first_time = models.BooleanField(_("first-time applicant"), default=False)
    amount_requested = models.DecimalField(_("amount requested"), max_digits=12, decimal_places=2)
    purpose = models.TextField(_("what the grant would make possible"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["call", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant"], name="one_application_per_call")
        ]

    def __str__(self) -> str:
        return f"{self.call.code}: {self.name}"

    @property
    def counts_as_woman(self) -> bool:
        """For the gender balance rule: a woman, or a women-led organisation."""
        return self.gender == self.Gender.WOMAN or self.women_led


class Score(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    panelist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    points = models.PositiveSmallIntegerField(_("points"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "panelist"], name="one_score_per_panelist"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"


class AllocationRun(models.Model):
    """One run of the allocation engine on a call; the published one is the call's result."""

    call = models.ForeignKey(FundCall, on_delete=models.PROTECT, related_name="allocations")
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField(_("run"), auto_now_add=True)
    status = models.CharField(_("solver status"), max_length=20)
    total_score = models.DecimalField(_("total score"), max_digits=12, decimal_places=2)
    total_amount = models.DecimalField(_("total amount"), max_digits=14, decimal_places=2)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["call", "-run_at", "-id"]

    def __str__(self) -> str:
        return f"{self.call.code} allocation {self.pk}"


class Decision(models.Model):
    """What an allocation run decided for one application, and why (published with it)."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="decisions")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    awarded = models.BooleanField(_("awarded"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)
    reason = models.TextField(_("reason"))
    report = models.TextField(_("post-event report"), blank=True)
    report_submitted_at = models.DateTimeField(_("report received"), null=True, blank=True)

    class Meta:
        ordering = ["run", "-awarded", "-score", "id"]

    def __str__(self) -> str:
        return f"{self.application}: {'awarded' if self.awarded else 'not awarded'}"


class Disbursement(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["decision", "paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on}"
