"""Loading the data hub's catalogue — dimensions, common codelists, indicators and the default
label mappings — from the data files shipped in ``indicators/data/`` (see PROVENANCE.md there).

Like :func:`solidarity.reference.loaders.load_reference_data`, which it follows and runs after, it
checks every row of every file before writing anything, then writes only what differs, in one
transaction with one audit row; nothing changed means nothing written. Rows that disappear from a
file stay in the database: submissions and mappings may point at them.

The place dimensions (REF_AREA, CITIZENSHIP, COUNTRY_OF_BIRTH, ORIGIN) are not typed by hand: their
codes are made from the reference catalogue's countries and UN M49 regions. The code is the three-
digit M49 code (``404`` Kenya, ``002`` Africa), the identifier the UN SDG data structure uses for
REF_AREA, so a figure keeps one identity from submission to SDG-shaped SDMX; each country hangs
under its smallest M49 region, and each region under its parent, up to the world (``001``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from solidarity.audit.actions import audit_record
from solidarity.indicators import sdmx_cache
from solidarity.indicators.models import (
    Code,
    Dimension,
    Indicator,
    IndicatorDimension,
    LabelMapping,
    normalise_label,
)
from solidarity.reference.loaders import ReferenceDataError, _write
from solidarity.reference.models import Country, Objective, Region, SdgIndicator, SdgSeries

DATA_DIR = Path(__file__).resolve().parent / "data"

# Dimensions whose codes are the reference catalogue's countries and regions.
PLACE_DIMENSIONS = ("REF_AREA", "CITIZENSHIP", "COUNTRY_OF_BIRTH", "ORIGIN")
_NAMES = ("name", "name_fr", "name_es")

DIMENSION_FIELDS = (
    "code",
    "name",
    "name_fr",
    "name_es",
    "description",
    "description_fr",
    "description_es",
    "sdg_concept",
    "provider_specific",
    "order",
)
CODE_FIELDS = ("code", "name", "name_fr", "name_es", "sdg_code")
INDICATOR_TEXT_FIELDS = (
    "name_fr",
    "name_es",
    "definition",
    "definition_fr",
    "definition_es",
    "unit",
    "unit_fr",
    "unit_es",
    "custodian",
    "source",
)


def _entries(data_dir: Path, file: str, section: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        document = json.loads((data_dir / file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ReferenceDataError(f"cannot read the file ({error}).", file=file) from None
    entries = document.get(section) if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ReferenceDataError(f"no list named {section!r}.", file=file)
    for number, raw in enumerate(entries, start=1):
        if not isinstance(raw, Mapping):
            raise ReferenceDataError("expected an object.", file=file, row=number)
        yield number, raw


def _clean(
    model: type[models.Model], name: str, raw: Mapping[str, Any], *, file: str, row: int
) -> Any:
    """The value of ``name`` in ``raw``, cleaned by the model field (type, length); a missing
    optional field takes the field's default."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    if name not in raw:
        if field.blank or field.has_default():
            return None if field.null else field.get_default()
        raise ReferenceDataError("missing.", file=file, row=row, field=name)
    value = raw[name]
    if value is None or (value == "" and field.null):
        value = None
    try:
        return field.clean(value, None)
    except ValidationError as error:
        raise ReferenceDataError(" ".join(error.messages), file=file, row=row, field=name) from None


def _text_list(raw: Mapping[str, Any], name: str, *, file: str, row: int) -> list[Any]:
    value = raw.get(name, [])
    if not isinstance(value, list):
        raise ReferenceDataError("expected a list.", file=file, row=row, field=name)
    return value


def _parse_dimensions(data_dir: Path) -> dict[str, dict[str, Any]]:
    file = "dimensions.json"
    rows: dict[str, dict[str, Any]] = {}
    for number, raw in _entries(data_dir, file, "dimensions"):
        row = {
            name: _clean(Dimension, name, raw, file=file, row=number) for name in DIMENSION_FIELDS
        }
        if row["code"] in rows:
            raise ReferenceDataError(
                f"{row['code']!r} repeats an earlier row.", file=file, row=number, field="code"
            )
        rows[row["code"]] = row
    return rows


# Codes keyed by (dimension, code); values as the database gives them back, with the parent's
# code under "parent" (resolved to a primary key once every code exists).
CodeRows = dict[tuple[str, str], dict[str, Any]]


def _parse_codes(data_dir: Path, dimensions: Mapping[str, Any]) -> CodeRows:
    file = "codelists.json"
    rows: CodeRows = {}
    parents: list[tuple[int, tuple[str, str]]] = []
    for number, raw in _entries(data_dir, file, "codes"):
        dimension = str(raw.get("dimension"))
        if dimension not in dimensions:
            raise ReferenceDataError(
                f"{raw.get('dimension')!r} is not a dimension.",
                file=file,
                row=number,
                field="dimension",
            )
        if dimension in PLACE_DIMENSIONS and raw.get("code") not in ("_T", "_U"):
            raise ReferenceDataError(
                f"the codes of {dimension} are made from the reference catalogue.",
                file=file,
                row=number,
                field="code",
            )
        row = {name: _clean(Code, name, raw, file=file, row=number) for name in CODE_FIELDS}
        key = (dimension, row["code"])
        if key in rows:
            raise ReferenceDataError(
                f"{row['code']!r} repeats an earlier row of {dimension}.",
                file=file,
                row=number,
                field="code",
            )
        row["parent"] = raw.get("parent") or None
        if row["parent"]:
            parents.append((number, (dimension, row["parent"])))
        rows[key] = {"dimension_id": dimension, "order": number, **row}
    for number, parent in parents:
        if parent not in rows:
            raise ReferenceDataError(
                f"{parent[1]!r} is not a code of {parent[0]} in the file.",
                file=file,
                row=number,
                field="parent",
            )
    return rows


def _place_codes(dimensions: Mapping[str, Any], start: int) -> CodeRows:
    """Codes for every country and M49 region, in each place dimension."""
    regions = list(Region.objects.order_by("m49").values("m49", "parent_id", *_NAMES))
    countries = list(
        Country.objects.order_by("m49").values(
            "m49", "region_id", "subregion_id", "intermediate_region_id", *_NAMES
        )
    )
    rows: CodeRows = {}
    for dimension in PLACE_DIMENSIONS:
        if dimension not in dimensions:
            continue
        order = start
        for region in regions:
            order += 1
            rows[(dimension, region["m49"])] = _place(dimension, region, region["parent_id"], order)
        for country in countries:
            order += 1
            parent = (
                country["intermediate_region_id"]
                or country["subregion_id"]
                or country["region_id"]
                or "001"
            )
            rows[(dimension, country["m49"])] = _place(dimension, country, parent, order)
    return rows


def _place(
    dimension: str, place: Mapping[str, Any], parent: str | None, order: int
) -> dict[str, Any]:
    return {
        "dimension_id": dimension,
        "code": place["m49"],
        "name": place["name"],
        "name_fr": place["name_fr"],
        "name_es": place["name_es"],
        # The SDG Global Database writes M49 codes without leading zeros (4 for Afghanistan).
        "sdg_code": str(int(place["m49"])) if dimension == "REF_AREA" else "",
        "parent": parent,
        "order": order,
    }


def _parse_indicators(
    data_dir: Path, dimensions: Mapping[str, Any]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, list[Any]]]]:
    """Indicator rows, and for each its links: objectives, SDG series and dimensions (in order)."""
    file = "indicators.json"
    objectives = set(Objective.objects.values_list("number", flat=True))
    sdg = dict(SdgIndicator.objects.values_list("code", "description"))
    series_of: dict[str, list[str]] = {}
    for series, indicator in SdgSeries.indicators.through.objects.order_by(
        "sdgseries_id"
    ).values_list("sdgseries_id", "sdgindicator_id"):
        series_of.setdefault(indicator, []).append(series)
    known_series = set(SdgSeries.objects.values_list("code", flat=True))
    rows: dict[str, dict[str, Any]] = {}
    links: dict[str, dict[str, list[Any]]] = {}
    for number, raw in _entries(data_dir, file, "indicators"):
        code = _clean(Indicator, "code", raw, file=file, row=number)
        if code in rows:
            raise ReferenceDataError(
                f"{code!r} repeats an earlier row.", file=file, row=number, field="code"
            )
        sdg_code = raw.get("sdg_indicator") or None
        if sdg_code is not None and sdg_code not in sdg:
            raise ReferenceDataError(
                f"{sdg_code!r} is not an SDG indicator of the catalogue.",
                file=file,
                row=number,
                field="sdg_indicator",
            )
        row: dict[str, Any] = {"code": code, "sdg_indicator_id": sdg_code}
        # An SDG indicator's name is its official description, linked rather than copied.
        if "name" in raw or sdg_code is None:
            row["name"] = _clean(Indicator, "name", raw, file=file, row=number)
        else:
            row["name"] = sdg[sdg_code]
        for name in (*INDICATOR_TEXT_FIELDS, "min_value", "max_value", "decimals", "order"):
            row[name] = _clean(Indicator, name, raw, file=file, row=number)
        for name in ("min_value", "max_value"):
            if row[name] is not None:
                row[name] = Decimal(row[name]).quantize(Decimal("0.000001"))
        if (
            row["min_value"] is not None
            and row["max_value"] is not None
            and row["min_value"] > row["max_value"]
        ):
            raise ReferenceDataError(
                "is larger than max_value.", file=file, row=number, field="min_value"
            )
        row_objectives = _text_list(raw, "objectives", file=file, row=number)
        for objective in row_objectives:
            if objective not in objectives:
                raise ReferenceDataError(
                    f"{objective!r} is not a GCM objective.",
                    file=file,
                    row=number,
                    field="objectives",
                )
        if "sdg_series" in raw:
            row_series = _text_list(raw, "sdg_series", file=file, row=number)
        else:
            row_series = series_of.get(sdg_code, []) if sdg_code else []
        for series in row_series:
            if series not in known_series:
                raise ReferenceDataError(
                    f"{series!r} is not an SDG series of the catalogue.",
                    file=file,
                    row=number,
                    field="sdg_series",
                )
        row_dimensions = _text_list(raw, "dimensions", file=file, row=number)
        for position, dimension in enumerate(row_dimensions):
            if dimension not in dimensions:
                raise ReferenceDataError(
                    f"{dimension!r} is not a dimension.", file=file, row=number, field="dimensions"
                )
            if dimension in row_dimensions[:position]:
                raise ReferenceDataError(
                    f"{dimension!r} is named twice.", file=file, row=number, field="dimensions"
                )
        rows[code] = row
        links[code] = {
            "objectives": sorted(set(row_objectives)),
            "series": sorted(set(row_series)),
            "dimensions": row_dimensions,
        }
    return rows, links


MappingKey = tuple[str, str, str]  # kind, dimension, normalised label


def _parse_mappings(
    data_dir: Path, dimensions: Mapping[str, Any], codes: CodeRows
) -> dict[MappingKey, dict[str, Any]]:
    """Default mappings keyed by kind, dimension and normalised label; ``"*"`` as the dimension of
    a value mapping means every dimension whose common codelist has that code."""
    file = "default_mappings.json"
    rows: dict[MappingKey, dict[str, Any]] = {}
    column_labels: dict[str, int] = {}
    for number, raw in _entries(data_dir, file, "mappings"):
        kind = raw.get("kind")
        if kind not in LabelMapping.Kind.values:
            raise ReferenceDataError(
                f"{kind!r} is not column or value.", file=file, row=number, field="kind"
            )
        dimension = raw.get("dimension")
        if dimension == "*" and kind == LabelMapping.Kind.VALUE:
            targets = sorted({key[0] for key in codes if key[1] == raw.get("code")})
        elif dimension in dimensions:
            targets = [str(dimension)]
        else:
            raise ReferenceDataError(
                f"{dimension!r} is not a dimension.", file=file, row=number, field="dimension"
            )
        code = raw.get("code") if kind == LabelMapping.Kind.VALUE else None
        for target in targets:
            if code is not None and (target, code) not in codes:
                raise ReferenceDataError(
                    f"{code!r} is not a code of {target}.", file=file, row=number, field="code"
                )
        labels = _text_list(raw, "labels", file=file, row=number)
        if not labels or not all(isinstance(label, str) for label in labels):
            raise ReferenceDataError(
                "expected a list of labels.", file=file, row=number, field="labels"
            )
        for label in labels:
            normalised = normalise_label(label)
            if kind == LabelMapping.Kind.COLUMN:
                # A header names one dimension only, whatever dimension the row is under.
                if normalised in column_labels or not normalised:
                    raise ReferenceDataError(
                        f"{label!r} is blank or already maps a column.",
                        file=file,
                        row=number,
                        field="labels",
                    )
                column_labels[normalised] = number
            for target in targets:
                key = (kind, target, normalised)
                if key in rows:
                    raise ReferenceDataError(
                        f"{label!r} already maps a value of {target}.",
                        file=file,
                        row=number,
                        field="labels",
                    )
                rows[key] = {"label": label, "code": code}
    return rows


def _write_codes(rows: CodeRows) -> int:
    """Create and update the common codes, then point each at its parent."""
    fields = (
        "dimension_id",
        "code",
        "name",
        "name_fr",
        "name_es",
        "sdg_code",
        "order",
        "parent_id",
    )
    common = Code.objects.filter(provider__isnull=True)
    existing = {(c["dimension_id"], c["code"]): c for c in common.values("id", *fields)}
    written = 0
    creating = [
        Code(**{k: v for k, v in row.items() if k != "parent"})
        for key, row in rows.items()
        if key not in existing
    ]
    if creating:
        Code.objects.bulk_create(creating, batch_size=500)
        written += len(creating)
        existing = {(c["dimension_id"], c["code"]): c for c in common.values("id", *fields)}
    ids = {key: values["id"] for key, values in existing.items()}
    updating: list[Code] = []
    changed: set[str] = set()
    for key, row in rows.items():
        old = existing[key]
        new = {k: v for k, v in row.items() if k != "parent"}
        new["parent_id"] = ids[(key[0], row["parent"])] if row["parent"] else None
        differences = {name for name, value in new.items() if old[name] != value}
        if differences:
            updating.append(Code(id=old["id"], **new))
            changed |= differences
    if updating:
        names = [Code._meta.get_field(name.removesuffix("_id")).name for name in changed]
        Code.objects.bulk_update(updating, names, batch_size=500)
        written += len(updating)
    return written


def _write_links(
    model: type[models.Model], owner: str, target: str, wanted: set[tuple[Any, Any]]
) -> int:
    """Add the missing rows of a many-to-many table and drop the ones the files no longer name."""
    manager = model._default_manager
    existing = set(manager.values_list(owner, target))
    missing = wanted - existing
    extra = existing - wanted
    manager.bulk_create([model(**{owner: a, target: b}) for a, b in sorted(missing)])
    for a, b in extra:
        manager.filter(**{owner: a, target: b}).delete()
    return len(missing) + len(extra)


def _write_indicator_dimensions(links: Mapping[str, Mapping[str, list[Any]]]) -> int:
    wanted = {
        (indicator, dimension): position
        for indicator, link in links.items()
        for position, dimension in enumerate(link["dimensions"])
    }
    existing = {
        (row["indicator_id"], row["dimension_id"]): row
        for row in IndicatorDimension.objects.values("id", "indicator_id", "dimension_id", "order")
    }
    IndicatorDimension.objects.bulk_create(
        [
            IndicatorDimension(indicator_id=i, dimension_id=d, order=order)
            for (i, d), order in wanted.items()
            if (i, d) not in existing
        ]
    )
    reordered = [
        IndicatorDimension(id=row["id"], order=wanted[key])
        for key, row in existing.items()
        if key in wanted and row["order"] != wanted[key]
    ]
    IndicatorDimension.objects.bulk_update(reordered, ["order"])
    gone = [row["id"] for key, row in existing.items() if key not in wanted]
    IndicatorDimension.objects.filter(id__in=gone).delete()
    return len(wanted.keys() - existing.keys()) + len(reordered) + len(gone)


def _write_mappings(rows: Mapping[MappingKey, Mapping[str, Any]]) -> int:
    code_ids = {
        (dimension, code): pk
        for pk, dimension, code in Code.objects.filter(provider__isnull=True).values_list(
            "id", "dimension_id", "code"
        )
    }
    existing = {
        (m["kind"], m["dimension_id"], m["normalised_label"]): m
        for m in LabelMapping.objects.filter(provider__isnull=True).values(
            "id", "kind", "dimension_id", "normalised_label", "label", "code_id"
        )
    }
    creating: list[LabelMapping] = []
    updating: list[LabelMapping] = []
    for (kind, dimension, normalised), row in rows.items():
        code_id = code_ids[(dimension, row["code"])] if row["code"] is not None else None
        old = existing.get((kind, dimension, normalised))
        if old is None:
            creating.append(
                LabelMapping(
                    kind=kind,
                    dimension_id=dimension,
                    label=row["label"],
                    normalised_label=normalised,
                    code_id=code_id,
                )
            )
        elif old["label"] != row["label"] or old["code_id"] != code_id:
            updating.append(LabelMapping(id=old["id"], label=row["label"], code_id=code_id))
    LabelMapping.objects.bulk_create(creating, batch_size=500)
    LabelMapping.objects.bulk_update(updating, ["label", "code"], batch_size=500)
    return len(creating) + len(updating)


def catalogue_counts() -> dict[str, int]:
    """How many rows of each kind the hub's catalogue holds, under the names people use."""
    return {
        "dimensions": Dimension.objects.count(),
        "common codes": Code.objects.filter(provider__isnull=True).count(),
        "indicators": Indicator.objects.count(),
        "GCM-specific indicators": Indicator.objects.filter(sdg_indicator__isnull=True).count(),
        "default label mappings": LabelMapping.objects.filter(provider__isnull=True).count(),
    }


def load_indicator_catalogue(*, actor: Any, data_dir: Path | None = None) -> dict[str, int]:
    """Bring the hub's catalogue in line with the data files and return what it holds.

    Needs the reference catalogue loaded first (countries, regions, objectives, SDG indicators).
    Every file is read and checked before anything is written; then, in one transaction, new rows
    are created and changed rows updated, and one ``indicators.load`` audit row records the counts
    if anything was written. Running it again with the same files writes nothing.

    Raises :class:`~solidarity.reference.loaders.ReferenceDataError` naming the file, row and
    field of the first bad value; the database is then left as it was.
    """
    data_dir = data_dir or DATA_DIR
    dimensions = _parse_dimensions(data_dir)
    codes = _parse_codes(data_dir, dimensions)
    codes.update(_place_codes(dimensions, start=len(codes)))
    indicators, links = _parse_indicators(data_dir, dimensions)
    mappings = _parse_mappings(data_dir, dimensions, codes)

    with transaction.atomic():
        written = _write(Dimension, dimensions)
        written += _write_codes(codes)
        written += _write(Indicator, indicators)
        written += _write_links(
            Indicator.objectives.through,
            "indicator_id",
            "objective_id",
            {(code, number) for code, link in links.items() for number in link["objectives"]},
        )
        written += _write_links(
            Indicator.sdg_series.through,
            "indicator_id",
            "sdgseries_id",
            {(code, series) for code, link in links.items() for series in link["series"]},
        )
        written += _write_indicator_dimensions(links)
        written += _write_mappings(mappings)
        counts = catalogue_counts()
        if written:
            audit_record(
                actor=actor,
                action="indicators.load",
                object_type="indicators.catalogue",
                after=counts,
            )
            # The catalogue shapes the SDMX structures: answers written before are stale (bulk
            # writes send no signal).
            sdmx_cache.catalogue_changed()
    return counts
