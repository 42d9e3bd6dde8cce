"""The reference catalogue every other part of Solidarity hangs on.

Rows are loaded from the data files in ``reference/data/`` (each with its provenance) by
``solidarity reference load``; nobody edits them through the web.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Translated(models.Model):
    """Text fields kept in English, French and Spanish (``name``, ``name_fr``, ``name_es``).

    The English field is always filled; a missing translation falls back to English rather than
    showing an empty label.
    """

    class Meta:
        abstract = True

    def localized(self, field: str, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        if language != "en":
            value = getattr(self, f"{field}_{language}", "")
            if value:
                return str(value)
        return str(getattr(self, field))


class Objective(Translated):
    """One of the 23 objectives of the Global Compact (A/RES/73/195, para 16)."""

    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    title = models.CharField(_("title"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    short_label = models.CharField(_("short label"), max_length=100)
    short_label_fr = models.CharField(_("short label (French)"), max_length=100, blank=True)
    short_label_es = models.CharField(_("short label (Spanish)"), max_length=100, blank=True)
    paragraph = models.PositiveSmallIntegerField(_("paragraph"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("GCM objective")
        verbose_name_plural = _("GCM objectives")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class GuidingPrinciple(Translated):
    """One of the 10 guiding principles (A/RES/73/195, para 15 (a) to (j))."""

    code = models.CharField(_("code"), max_length=1, primary_key=True)
    paragraph = models.CharField(_("paragraph"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=150, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=150, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("guiding principle")
        verbose_name_plural = _("guiding principles")

    def __str__(self) -> str:
        return self.name


class CodedConcept(Translated):
    """A small controlled vocabulary entry: code, names in three languages, definition, source."""

    code = models.SlugField(_("code"), max_length=50, primary_key=True)
    name = models.CharField(_("name"), max_length=150)
    name_fr = models.CharField(_("name (French)"), max_length=150, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=150, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    definition_fr = models.TextField(_("definition (French)"), blank=True)
    definition_es = models.TextField(_("definition (Spanish)"), blank=True)
    source = models.CharField(_("source"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class CrossCuttingApproach(CodedConcept):
    """Gender-responsive, child-sensitive, and older persons as the seed submission asks."""

    class Meta(CodedConcept.Meta):
        verbose_name = _("cross-cutting approach")
        verbose_name_plural = _("cross-cutting approaches")


class PopulationGroup(CodedConcept):
    """Groups in vulnerable situations named by the seed submission, and persons with
    disabilities."""

    class Meta(CodedConcept.Meta):
        verbose_name = _("population group")
        verbose_name_plural = _("population groups")


class SolidarityType(CodedConcept):
    """Preventive, reactive, international cooperation (Draft Declaration on the right to
    international solidarity)."""

    class Meta(CodedConcept.Meta):
        verbose_name = _("kind of solidarity")
        verbose_name_plural = _("kinds of solidarity")


class Region(Translated):
    """A UN M49 region, sub-region or intermediate region."""

    class Level(models.TextChoices):
        WORLD = "world", _("World")
        REGION = "region", _("Region")
        SUBREGION = "subregion", _("Sub-region")
        INTERMEDIATE = "intermediate", _("Intermediate region")

    m49 = models.CharField(_("M49 code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["m49"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Country(Translated):
    """A country or area (ISO 3166-1, UN M49) with its regions and groupings."""

    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, primary_key=True)
    iso2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    m49 = models.CharField(_("M49 code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subregion = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intermediate_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    un_member = models.BooleanField(_("UN member State"), default=False, db_index=True)
    ldc = models.BooleanField(_("least developed country"), default=False)
    lldc = models.BooleanField(_("landlocked developing country"), default=False)
    sids = models.BooleanField(_("small island developing State"), default=False)
    developing = models.BooleanField(_("developing economy"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country or area")
        verbose_name_plural = _("countries and areas")

    def __str__(self) -> str:
        return self.name


class SdgGoal(Translated):
    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    name = models.CharField(_("title"), max_length=300)
    name_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    name_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("SDG goal")
        verbose_name_plural = _("SDG goals")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class SdgTarget(models.Model):
    code = models.CharField(_("code"), max_length=10, primary_key=True)
    goal = models.ForeignKey(SdgGoal, on_delete=models.PROTECT, related_name="targets")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["goal", "code"]
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")

    def __str__(self) -> str:
        return self.code


class SdgIndicator(models.Model):
    code = models.CharField(_("code"), max_length=12, primary_key=True)
    target = models.ForeignKey(SdgTarget, on_delete=models.PROTECT, related_name="indicators")
    description = models.TextField(_("description"))
    tier = models.CharField(_("tier"), max_length=10, blank=True)
    migration_relevant = models.BooleanField(_("migration-relevant"), default=False, db_index=True)

    class Meta:
        ordering = ["target", "code"]
        verbose_name = _("SDG indicator")
        verbose_name_plural = _("SDG indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"


class SdgSeries(models.Model):
    code = models.CharField(_("code"), max_length=40, primary_key=True)
    description = models.TextField(_("description"))
    indicators = models.ManyToManyField(SdgIndicator, related_name="series")

    class Meta:
        ordering = ["code"]
        verbose_name = _("SDG series")
        verbose_name_plural = _("SDG series")

    def __str__(self) -> str:
        return self.code


class Treaty(Translated):
    """A UN human-rights treaty, optional protocol or ILO convention."""

    class Kind(models.TextChoices):
        CORE = "core", _("Core human-rights treaty")
        PROTOCOL = "protocol", _("Optional protocol")
        ILO = "ilo", _("ILO convention")

    code = models.CharField(_("code"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=300)
    name_fr = models.CharField(_("name (French)"), max_length=300, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="protocols"
    )
    monitoring_body = models.CharField(_("monitoring body"), max_length=20, blank=True)
    adopted = models.DateField(_("adopted"))
    entry_into_force = models.DateField(_("entry into force"), null=True, blank=True)
    source = models.URLField(_("source"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("treaty")
        verbose_name_plural = _("treaties")

    def __str__(self) -> str:
        return self.name
