"""The data hub's catalogue: indicators, the dimensions they are broken down by, the codelists of
those dimensions, and each provider's mappings from the labels in its files to those codes.

Dimensions, common codes and indicators are loaded from ``indicators/data/`` by
:func:`solidarity.indicators.loaders.load_indicator_catalogue`; a provider's own mappings (and,
later, its own codes for provider-specific dimensions) are changed through
:mod:`solidarity.indicators.actions`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

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


class Dataset(models.Model):
    """One provider's figures for one indicator and one reference area. Its content lives in its
    versions: a submission never overwrites, it adds a version."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="datasets"
    )
    provider = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    ref_area = models.ForeignKey(
        Code,
        verbose_name=_("reference area"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"dimension": "REF_AREA"},
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["indicator", "provider", "ref_area"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "provider", "ref_area"], name="indicators_dataset_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} / {self.provider_id} / {self.ref_area_id}"


class DatasetVersion(models.Model):
    """One accepted submission of a dataset, moving through the review workflow: draft →
    submitted → returned or approved → published. Versions are never overwritten or deleted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    embargo_until = models.DateTimeField(_("embargoed until"), null=True, blank=True)
    revision_note = models.TextField(_("what changed and why"), blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who imported, as the audit trail names them: a username or "system:cli".
    created_by_label = models.CharField(_("imported by"), max_length=150)
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    returned_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    source_file_name = models.CharField(_("file"), max_length=255)
    source_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    import_summary = models.JSONField(_("import summary"), default=dict)
    observation_count = models.PositiveIntegerField(_("observations"), default=0)

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "number"], name="indicators_dataset_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="indicators_dataset_version_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"


class Observation(models.Model):
    """One figure of a dataset version, keyed by its series, dimension codes and period.

    Written only in bulk by :func:`solidarity.indicators.actions.submission_import`; never one
    ``save()`` per row."""

    # The observation's identity is its key: no row number of its own (a number per row was a
    # sequence call and 8 bytes in every row of a COPY, and a second index to build). On SQLite
    # the key is the table's primary key; on PostgreSQL a unique index on the version and the
    # key as one string (see KEY_SQL below and migration 0009).
    pk = models.CompositePrimaryKey("version", "series", "series_key", "time_period")
    version = models.ForeignKey(
        DatasetVersion, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    # The file's Series cell (Open SDG), blank when the file has none.
    series = models.CharField(_("series"), max_length=300, blank=True)
    # Canonical: DIMENSION=CODE pairs sorted by dimension, joined by "|" ("AGE=Y15T24|SEX=F").
    # The codes are not stored a second time (as JSON): see the property ``dimensions``.
    series_key = models.CharField(_("series key"), max_length=1000)
    time_period = models.CharField(_("time period"), max_length=30)
    value = models.DecimalField(_("value"), max_digits=38, decimal_places=12, null=True)
    obs_status = models.CharField(_("observation status"), max_length=40, blank=True)
    conf_status = models.CharField(_("confidentiality status"), max_length=10, blank=True)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    unit_multiplier = models.SmallIntegerField(_("unit multiplier"), null=True, blank=True)
    footnote = models.TextField(_("footnote"), blank=True)
    source_row = models.PositiveIntegerField(_("row in the file"), null=True, blank=True)

    class Meta:
        ordering = ["version", "series", "series_key", "time_period"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        # No index but the key's, which starts with the version and serves every read (by
        # version, in the key's order): each further index is a second or more of a
        # million-row import (built after the load on PostgreSQL, row by row on SQLite).

    def __str__(self) -> str:
        return f"{self.series_key} {self.time_period}"

    @property
    def confidential(self) -> bool:
        return is_confidential(self.conf_status)

    @property
    def dimensions(self) -> Mapping[str, str]:
        """The dimension codes of the series key, read-only: ``{"AGE": "Y15T24", "SEX": "F"}``.

        Read from ``series_key`` rather than stored beside it: a second copy of the codes (as
        JSON) made the stored row half again as long, and PostgreSQL's COPY of a million
        observations twice as slow."""
        return series_key_codes(self.series_key)


#: On PostgreSQL, an observation's key (but the version) as one string, in the "C" collation:
#: its series, series key and period joined by chr(1), a byte below every character they can
#: hold (a submission's check refuses control characters in a series label, see
#: ``validation.CONTROL_CHARACTERS``; codes and periods never hold one). It is unique exactly
#: when the three are, and sorts as they do byte by byte. The unique index
#: ``indicators_observation_key`` is on ``(version_id, KEY_SQL)`` (migration 0009): readers
#: order by it (:func:`key_order`) to walk that index rather than sort.
KEY_SQL = '((series || chr(1) || series_key || chr(1) || time_period) COLLATE "C")'


class _Key(models.Func):
    # The columns qualified by their table, as the ORM writes them; the planner matches the
    # expression with the index's all the same.
    template = '((%(expressions)s) COLLATE "C")'
    arg_joiner = " || chr(1) || "
    output_field = models.TextField()


def key_order(
    connection_vendor: str, *, version_first: bool = False
) -> list[str | models.expressions.Combinable]:
    """What to give ``order_by`` to read observations in their key's order: series, series key
    and period, compared byte by byte, on SQLite (the primary key's order) and on PostgreSQL
    (the order of the unique index, see :data:`KEY_SQL`) alike. ``version_first`` puts the
    version before them, for reads of several versions."""
    first: list[str | models.expressions.Combinable] = ["version_id"] if version_first else []
    if connection_vendor == "postgresql":
        return [*first, _Key("series", "series_key", "time_period")]
    return [*first, "series", "series_key", "time_period"]


@functools.lru_cache(maxsize=4096)
def series_key_codes(series_key: str) -> Mapping[str, str]:
    """The codes of a series key (``"AGE=Y15T24|SEX=F"``) by dimension, read-only.

    Kept for the keys met last: the observations of a version share a few series keys, and an
    SDMX answer reads the codes of every observation."""
    codes: dict[str, str] = {}
    dimension = ""
    for part in series_key.split("|") if series_key else ():
        name, equals, code = part.partition("=")
        if equals and name.isupper():
            dimension = name
            codes[dimension] = code
        elif dimension:  # a code holding "|" (SDMX codes never do, a provider's might)
            codes[dimension] += "|" + part
    return MappingProxyType(codes)


# SDMX CONF_STATUS: F (free) and blank may be published; C confidential, D secondary
# confidentiality, N not for publication (restricted), S … are held back.
PUBLISHABLE_CONF_STATUSES = ("", "F")


def is_confidential(conf_status: str) -> bool:
    return conf_status not in PUBLISHABLE_CONF_STATUSES


class CatalogueRevision(models.Model):
    """A counter raised by every change to what shapes the SDMX answers (indicators, dimensions,
    codes, their links, the organisations providing data), so that an answer kept in the SDMX
    answer cache, or in a client's cache by its ETag, is never sent after such a change. One row;
    see :func:`solidarity.indicators.sdmx_cache.catalogue_changed`."""

    number = models.PositiveBigIntegerField(_("number"), default=0)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalogue revision")
        verbose_name_plural = _("catalogue revisions")

    def __str__(self) -> str:
        return str(self.number)
