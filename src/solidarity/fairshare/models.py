"""Fair sharing: the reference figures keys are computed from, user-defined groups of States, and
equal-voice consultations (one State, one vote) on which key, weights and burden to adopt.

The arithmetic itself is Django-free, in :mod:`solidarity.stats.fairshare`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from solidarity.stats.fairshare import INDICATORS


class ReferenceFigure(models.Model):
    """One figure of one indicator for one State and year, with its source.

    Loaded from the compact tables shipped in ``fairshare/data/`` by a data migration (so a fresh
    install has them) and refreshed by ``solidarity reference import-worldbank`` and
    ``solidarity reference import-undesa-figures``. An empty value means the source has no figure.
    """

    indicator = models.CharField(
        _("indicator"), max_length=30, choices=[(code, code) for code in INDICATORS]
    )
    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=30, decimal_places=6, null=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "iso3", "year"], name="fairshare_figure_unique"
            )
        ]
        indexes = [models.Index(fields=["indicator", "year"], name="fairshare_figure_year")]
        verbose_name = _("reference figure")
        verbose_name_plural = _("reference figures")

    def __str__(self) -> str:
        return f"{self.indicator} {self.iso3} {self.year}"


class CountryGroup(models.Model):
    """A group of States defined by a user (``GROUP:<slug>`` in the calculator). Public: a group
    is only a list of States, and anyone may compute a key over it."""

    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField("reference.Country", related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group of States")
        verbose_name_plural = _("groups of States")

    def __str__(self) -> str:
        return self.name


class Consultation(models.Model):
    """A question put to a group of States, each with exactly one vote cast by its focal point.

    The eligible States are fixed when the consultation opens (``eligible``, ISO3 codes), so the
    quorum cannot move while votes come in.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for votes")
        CLOSED = "closed", _("Closed, results published")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("More than half of the votes cast")
        ABSOLUTE = "absolute", _("More than half of the eligible States")
        TWO_THIRDS = "two_thirds", _("At least two thirds of the votes cast")

    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question"))
    group = models.CharField(_("group of States"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year of the figures"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    quorum = models.DecimalField(
        _("quorum (share of eligible States that must vote)"),
        max_digits=4,
        decimal_places=3,
        default=0.5,
    )
    majority = models.CharField(
        _("majority rule"), max_length=12, choices=Majority.choices, default=Majority.SIMPLE
    )
    eligible = models.JSONField(_("eligible States"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum__gte=0) & models.Q(quorum__lte=1),
                name="fairshare_consultation_quorum_range",
            )
        ]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return self.title


class ConsultationOption(models.Model):
    """One of the choices: a key (its declaration, as ``solidarity.stats.fairshare.parse_key``
    reads it) and a burden."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("label"), max_length=200)
    key = models.JSONField(_("key"))
    burden = models.DecimalField(_("burden"), max_digits=20, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.label


class Vote(models.Model):
    """A State's one vote: cast by one of its focal points, changeable while the consultation is
    open (every change is in the audit trail)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="votes")
    country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(ConsultationOption, on_delete=models.PROTECT, related_name="votes")
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField(_("cast"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "country"], name="fairshare_one_vote_per_state"
            )
        ]
        ordering = ["country"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return f"{self.country_id}: {self.option}"
