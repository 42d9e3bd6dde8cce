"""The data hub's catalogue: indicators, the dimensions they are broken down by, the codelists of
those dimensions, and each provider's mappings from the labels in its files to those codes.

Dimensions, common codes and indicators are loaded from ``indicators/data/`` by
:func:`solidarity.indicators.loaders.load_indicator_catalogue`; a provider's own mappings (and,
later, its own codes for provider-specific dimensions) are changed through
:mod:`solidarity.indicators.actions`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from solidarity.reference.models import Translated


def normalise_label(label: str) -> str:
    """A label as compared when matching: case-folded, whitespace collapsed, ends trimmed.

    >>> normalise_label("  Non-EU   born ")
    'non-eu born'
    """
    return " ".join(label.casefold().split())


class Dimension(Translated):
    """A named breakdown (SDMX dimension) such as SEX or MIGRATORY_STATUS, never an opaque
    combination of several."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=150)
    name_fr = models.CharField(_("name (French)"), max_length=150, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    # The UN SDG data structure has no dimension for migratory status, citizenship or country of
    # birth: those travel inside its COMPOSITE_BREAKDOWN dimension.
    sdg_concept = models.CharField(_("SDG dimension"), max_length=40, blank=True)
    provider_specific = models.BooleanField(
        _("codes set by each provider"),
        default=False,
        help_text=_("Whether each provider keeps its own national codelist for this dimension."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")

    def __str__(self) -> str:
        return self.code


class Code(Translated):
    """One entry of a dimension's codelist: common (no provider) or a provider's own."""

    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="codes")
    provider = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="codes",
    )
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sdg_code = models.CharField(_("SDG code"), max_length=50, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["dimension", "order", "code"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "provider", "code"], name="indicators_code_unique"
            ),
            # NULL never equals NULL in a unique index, so the common codelist needs its own.
            models.UniqueConstraint(
                fields=["dimension", "code"],
                condition=Q(provider__isnull=True),
                name="indicators_common_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_id}:{self.code}"


class Indicator(Translated):
    """An indicator of the catalogue: an SDG indicator followed for the GCM, or a GCM-specific
    one."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    name = models.TextField(_("name"))
    name_fr = models.TextField(_("name (French)"), blank=True)
    name_es = models.TextField(_("name (Spanish)"), blank=True)
    definition = models.TextField(_("definition"), blank=True)
    definition_fr = models.TextField(_("definition (French)"), blank=True)
    definition_es = models.TextField(_("definition (Spanish)"), blank=True)
    unit = models.CharField(_("unit"), max_length=100)
    unit_fr = models.CharField(_("unit (French)"), max_length=100, blank=True)
    unit_es = models.CharField(_("unit (Spanish)"), max_length=100, blank=True)
    custodian = models.CharField(_("custodian"), max_length=200, blank=True)
    objectives = models.ManyToManyField(
        "reference.Objective", related_name="indicators", verbose_name=_("GCM objectives")
    )
    sdg_indicator = models.ForeignKey(
        "reference.SdgIndicator",
        verbose_name=_("SDG indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hub_indicators",
    )
    sdg_series = models.ManyToManyField(
        "reference.SdgSeries", related_name="hub_indicators", verbose_name=_("SDG series")
    )
    dimensions: models.ManyToManyField[Dimension, IndicatorDimension] = models.ManyToManyField(
        Dimension, through="IndicatorDimension", related_name="indicators"
    )
    min_value = models.DecimalField(
        _("smallest valid value"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest valid value"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="indicators_indicator_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:60]}"

    @property
    def min_value_text(self) -> str:
        """The smallest valid value as people write it (``0``, not ``0.000000``); blank if none."""
        return _plain(self.min_value)

    @property
    def max_value_text(self) -> str:
        return _plain(self.max_value)


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


class IndicatorDimension(models.Model):
    """A dimension an indicator may be broken down by, in the order it is shown."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE)
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["indicator", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "dimension"], name="indicators_indicator_dimension_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} by {self.dimension_id}"


class LabelMapping(models.Model):
    """What a provider's files say, mapped to the hub's codes: a column header to a dimension, or
    a label within a dimension to a code. Without a provider, a mapping is one of the common
    defaults every provider starts from."""

    class Kind(models.TextChoices):
        COLUMN = "column", _("Column header")
        VALUE = "value", _("Value")

    provider = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="label_mappings",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.PROTECT, related_name="+"
    )
    # Blank is a real label: Open SDG files leave a disaggregation cell blank for its total.
    label = models.CharField(_("label"), max_length=200, blank=True)
    normalised_label = models.CharField(max_length=200, blank=True, editable=False)
    code = models.ForeignKey(
        Code,
        verbose_name=_("code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind", "dimension", "normalised_label"]
        verbose_name = _("label mapping")
        verbose_name_plural = _("label mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "dimension", "normalised_label"],
                name="indicators_mapping_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "dimension", "normalised_label"],
                condition=Q(provider__isnull=True),
                name="indicators_default_mapping_unique",
            ),
            models.CheckConstraint(
                condition=(Q(kind="value") & Q(code__isnull=False))
                | (Q(kind="column") & Q(code__isnull=True)),
                name="indicators_mapping_code_for_values_only",
            ),
        ]

    def __str__(self) -> str:
        target = self.code.code if self.code_id and self.code else self.dimension_id
        return f"{self.label!r} → {target}"
