"""Loading the reference catalogue from the data files shipped in ``reference/data/``.

The files are the single source of truth: :func:`load_reference_data` reads them all, checks every
row, and writes only the rows that differ from the database, in one transaction with one audit row.
It runs at every start of the server and once per test database, so the common case (nothing
changed) reads each table once and writes nothing. Rows that disappear from a file are left in the
database: other records (pledges, recommendations, reviews) may point at them, and removing a
country or an objective is a decision for a person and a migration, not for a loader.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q

from solidarity.audit.actions import audit_record
from solidarity.reference.models import (
    Country,
    CrossCuttingApproach,
    GuidingPrinciple,
    Objective,
    PopulationGroup,
    Region,
    SdgGoal,
    SdgIndicator,
    SdgSeries,
    SdgTarget,
    SolidarityType,
    Treaty,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


class ReferenceDataError(ValueError):
    """A data file that cannot be loaded: missing, unreadable, or with an invalid row.

    ``file`` is the file name, ``row`` the 1-based row (the line number in a CSV file, the position
    in its list in a JSON file) and ``field`` the offending field, when they are known.
    """

    def __init__(
        self, message: str, *, file: str, row: int | None = None, field: str | None = None
    ) -> None:
        self.file, self.row, self.field = file, row, field
        where = file
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Table:
    """Where the rows of one model come from: a CSV file, or a list inside a JSON file."""

    model: type[models.Model]
    file: str
    fields: tuple[str, ...]
    section: str = ""  # the key of the list in a JSON file


TABLES: tuple[Table, ...] = (
    Table(Region, "regions.csv", ("m49", "level", "parent", "name", "name_fr", "name_es")),
    Table(
        Country,
        "countries.csv",
        (
            "iso3",
            "iso2",
            "m49",
            "name",
            "name_fr",
            "name_es",
            "region",
            "subregion",
            "intermediate_region",
            "un_member",
            "ldc",
            "lldc",
            "sids",
            "developing",
        ),
    ),
    Table(
        Objective,
        "objectives.json",
        (
            "number",
            "paragraph",
            "title",
            "title_fr",
            "title_es",
            "short_label",
            "short_label_fr",
            "short_label_es",
        ),
        section="objectives",
    ),
    Table(
        GuidingPrinciple,
        "guiding_principles.json",
        ("code", "paragraph", "name", "name_fr", "name_es"),
        section="guiding_principles",
    ),
    *(
        Table(
            model,
            f"{section}.json",
            (
                "code",
                "name",
                "name_fr",
                "name_es",
                "definition",
                "definition_fr",
                "definition_es",
                "source",
                "order",
            ),
            section=section,
        )
        for model, section in (
            (CrossCuttingApproach, "cross_cutting_approaches"),
            (PopulationGroup, "population_groups"),
            (SolidarityType, "solidarity_types"),
        )
    ),
    Table(SdgGoal, "sdg.json", ("number", "name", "name_fr", "name_es"), section="goals"),
    Table(SdgTarget, "sdg.json", ("code", "goal", "description"), section="targets"),
    Table(
        SdgIndicator,
        "sdg.json",
        ("code", "target", "description", "tier", "migration_relevant"),
        section="indicators",
    ),
    Table(SdgSeries, "sdg.json", ("code", "description"), section="series"),
    Table(
        Treaty,
        "treaties.json",
        (
            "code",
            "kind",
            "parent",
            "name",
            "name_fr",
            "name_es",
            "monitoring_body",
            "adopted",
            "entry_into_force",
            "source",
            "order",
        ),
        section="treaties",
    ),
)

# Rows keyed by primary key; each row maps attribute names (``parent_id`` for a foreign key) to
# values of the types the database gives back, so that rows compare equal when nothing changed.
Rows = dict[Any, dict[str, Any]]


def _read_rows(table: Table, data_dir: Path, cache: dict[str, Any]) -> Iterator[tuple[int, Any]]:
    path = data_dir / table.file
    if table.file.endswith(".csv"):
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                missing = set(table.fields) - set(reader.fieldnames or ())
                if missing:
                    raise ReferenceDataError(
                        f"missing column(s) {', '.join(sorted(missing))}.", file=table.file, row=1
                    )
                # Line 1 is the header, so the first row is line 2 (quoted newlines aside).
                rows = [(number, row) for number, row in enumerate(reader, start=2)]
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise ReferenceDataError(f"cannot read the file ({error}).", file=table.file) from None
        yield from rows
        return
    if table.file not in cache:
        try:
            cache[table.file] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise ReferenceDataError(f"cannot read the file ({error}).", file=table.file) from None
    document = cache[table.file]
    entries = document.get(table.section) if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ReferenceDataError(f"no list named {table.section!r}.", file=table.file)
    yield from enumerate(entries, start=1)


def _related(field: models.ForeignKey[Any, Any]) -> type[models.Model]:
    related = field.related_model
    assert not isinstance(related, str)  # resolved once the app registry is ready
    return related


def _parse(table: Table, data_dir: Path, cache: dict[str, Any], parsed: dict[type, Rows]) -> Rows:
    """The rows of ``table``, each value cleaned by its model field (type, length, choices)."""
    meta = table.model._meta
    pk_name = meta.pk.name if meta.pk is not None else "id"
    unique_seen: dict[str, dict[Any, int]] = {}
    rows: Rows = {}
    self_references: list[tuple[int, str, Any]] = []  # checked once every row is known
    for number, raw in _read_rows(table, data_dir, cache):
        if not isinstance(raw, Mapping):
            raise ReferenceDataError("expected an object.", file=table.file, row=number)
        row: dict[str, Any] = {}
        for name in table.fields:
            field = meta.get_field(name)
            if name not in raw:
                raise ReferenceDataError("missing.", file=table.file, row=number, field=name)
            value = raw[name]
            if isinstance(field, models.ForeignKey):
                if value in ("", None):
                    if not field.null:
                        raise ReferenceDataError(
                            "missing.", file=table.file, row=number, field=name
                        )
                    value = None
                else:
                    try:
                        value = field.target_field.to_python(value)
                    except ValidationError as error:
                        raise ReferenceDataError(
                            " ".join(error.messages), file=table.file, row=number, field=name
                        ) from None
                if value is not None and field.related_model is table.model:
                    self_references.append((number, name, value))
                elif value is not None and value not in parsed.get(_related(field), {}):
                    raise ReferenceDataError(
                        f"{value!r} is not in the catalogue.",
                        file=table.file,
                        row=number,
                        field=name,
                    )
                row[field.attname] = value
                continue
            assert isinstance(field, models.Field)
            if value is None or (value == "" and field.null):
                value = None
            try:
                row[name] = field.clean(value, None)
            except ValidationError as error:
                raise ReferenceDataError(
                    " ".join(error.messages), file=table.file, row=number, field=name
                ) from None
        for name in table.fields:
            field = meta.get_field(name)
            if name == pk_name or getattr(field, "unique", False):
                key = row[getattr(field, "attname", name)]
                seen = unique_seen.setdefault(name, {})
                if key in seen:
                    raise ReferenceDataError(
                        f"{key!r} repeats row {seen[key]}.", file=table.file, row=number, field=name
                    )
                seen[key] = number
        rows[row[pk_name]] = row
    for number, name, value in self_references:
        if value not in rows:
            raise ReferenceDataError(
                f"{value!r} is not in the file.", file=table.file, row=number, field=name
            )
    return rows


def _series_links(
    data_dir: Path, cache: dict[str, Any], parsed: dict[type, Rows]
) -> set[tuple[str, str]]:
    links: set[tuple[str, str]] = set()
    table = next(table for table in TABLES if table.model is SdgSeries)
    for number, raw in _read_rows(table, data_dir, cache):
        indicators = raw.get("indicators") if isinstance(raw, Mapping) else None
        if not isinstance(indicators, list) or not indicators:
            raise ReferenceDataError(
                "expected a list of indicator codes.",
                file=table.file,
                row=number,
                field="indicators",
            )
        for code in indicators:
            if code not in parsed[SdgIndicator]:
                raise ReferenceDataError(
                    f"{code!r} is not in the catalogue.",
                    file=table.file,
                    row=number,
                    field="indicators",
                )
            links.add((str(raw["code"]), str(code)))
    return links


def _write(model: type[models.Model], rows: Rows) -> int:
    """Create missing rows and update changed ones; return how many rows were written."""
    if not rows:
        return 0
    attnames = list(next(iter(rows.values())))
    pk_name = model._meta.pk.name if model._meta.pk is not None else "id"
    existing = {values[pk_name]: values for values in model._default_manager.values(*attnames)}
    to_create = [model(**row) for key, row in rows.items() if key not in existing]
    to_update = []
    changed_fields: set[str] = set()
    for key, row in rows.items():
        old = existing.get(key)
        if old is None or old == row:
            continue
        to_update.append(model(**row))
        changed_fields.update(name for name, value in row.items() if old[name] != value)
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=500)
    if to_update:
        # bulk_update wants field names; a foreign key's attname ends in "_id".
        names = [model._meta.get_field(name.removesuffix("_id")).name for name in changed_fields]
        model._default_manager.bulk_update(to_update, names, batch_size=500)
    return len(to_create) + len(to_update)


def reference_counts() -> dict[str, int]:
    """How many rows of each kind the catalogue holds, under the names people use."""
    countries = Country.objects.aggregate(
        total=Count("pk"),
        un=Count("pk", filter=Q(un_member=True)),
        ldc=Count("pk", filter=Q(ldc=True)),
        lldc=Count("pk", filter=Q(lldc=True)),
        sids=Count("pk", filter=Q(sids=True)),
        developing=Count("pk", filter=Q(developing=True)),
    )
    treaties = Treaty.objects.aggregate(
        **{kind: Count("pk", filter=Q(kind=kind)) for kind in Treaty.Kind.values}
    )
    return {
        "objectives": Objective.objects.count(),
        "guiding principles": GuidingPrinciple.objects.count(),
        "cross-cutting approaches": CrossCuttingApproach.objects.count(),
        "population groups": PopulationGroup.objects.count(),
        "kinds of solidarity": SolidarityType.objects.count(),
        "regions": Region.objects.count(),
        "countries and areas": countries["total"],
        "UN member States": countries["un"],
        "least developed countries": countries["ldc"],
        "landlocked developing countries": countries["lldc"],
        "small island developing States": countries["sids"],
        "developing economies": countries["developing"],
        "SDG goals": SdgGoal.objects.count(),
        "SDG targets": SdgTarget.objects.count(),
        "SDG indicators": SdgIndicator.objects.count(),
        "migration-relevant SDG indicators": SdgIndicator.objects.filter(
            migration_relevant=True
        ).count(),
        "SDG series": SdgSeries.objects.count(),
        "core human-rights treaties": treaties[Treaty.Kind.CORE],
        "optional protocols": treaties[Treaty.Kind.PROTOCOL],
        "ILO conventions": treaties[Treaty.Kind.ILO],
    }


def load_reference_data(*, actor: Any, data_dir: Path | None = None) -> dict[str, int]:
    """Bring the catalogue in line with the data files and return what it holds.

    Every file is read and checked before anything is written; then, in one transaction, new rows
    are created and changed rows updated, and one ``reference.load`` audit row records the counts
    if anything was written. Running it again with the same files writes nothing.

    Raises :class:`ReferenceDataError` naming the file, row and field of the first bad value; the
    database is then left as it was.
    """
    data_dir = data_dir or DATA_DIR
    cache: dict[str, Any] = {}
    parsed: dict[type, Rows] = {}
    for table in TABLES:
        parsed[table.model] = _parse(table, data_dir, cache, parsed)
    links = _series_links(data_dir, cache, parsed)

    with transaction.atomic():
        written = sum(_write(table.model, parsed[table.model]) for table in TABLES)
        through = SdgSeries.indicators.through
        existing_links = set(through.objects.values_list("sdgseries_id", "sdgindicator_id"))
        new_links = sorted(links - existing_links)
        through.objects.bulk_create(
            [through(sdgseries_id=series, sdgindicator_id=code) for series, code in new_links],
            batch_size=500,
        )
        counts = reference_counts()
        if written or new_links:
            audit_record(
                actor=actor,
                action="reference.load",
                object_type="reference.catalogue",
                after=counts,
            )
    return counts
