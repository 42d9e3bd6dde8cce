"""Changes to the data hub: a provider's label mappings, made by its data providers (or
administrators); submissions imported as dataset versions, and their review workflow."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.copy import QueuedLibpqWriter

from solidarity.accounts.models import Organisation, User
from solidarity.accounts.permissions import can_manage_mappings, can_review_data, can_submit_data
from solidarity.audit.actions import audit_record, audit_snapshot
from solidarity.indicators import sdmx_cache
from solidarity.indicators.formats import UnknownFormatError, detect_format
from solidarity.indicators.models import (
    KEY_SQL,
    Code,
    Dataset,
    DatasetVersion,
    Dimension,
    Indicator,
    LabelMapping,
    Observation,
    normalise_label,
)
from solidarity.indicators.validation import (
    STORED_COLUMNS,
    ImportSummary,
    add_reader_failure,
    check_open_sdg_submission,
)
from solidarity.stats.opensdg import OpenSdgError

MAPPING_FIELDS = ("provider", "kind", "dimension", "label", "code")


def _snapshot(mapping: LabelMapping) -> dict[str, object]:
    snapshot = audit_snapshot(mapping, fields=MAPPING_FIELDS)
    # The code's own identifier rather than its row number, so the trail reads on its own.
    snapshot["code"] = mapping.code.code if mapping.code is not None else None
    return snapshot


@transaction.atomic
def label_mapping_set(
    *,
    actor: User | str,
    provider: Organisation,
    kind: str,
    label: str,
    dimension: Dimension,
    code: str = "",
) -> LabelMapping:
    """Map ``label`` in ``provider``'s files to ``dimension`` (a column header) or to ``code`` of
    ``dimension`` (a value), replacing the provider's earlier mapping of the same label, which is
    matched whatever its case and spacing. Records the mapping before and after.

    Raises :class:`~django.core.exceptions.PermissionDenied` unless ``actor`` is a data provider
    of ``provider`` or an administrator (or a label such as ``"system:cli"`` for the command
    line), and :class:`~django.core.exceptions.ValidationError` for a code that is not in the
    dimension's codelist (common or the provider's own) or a blank column header; nothing is
    written then.
    """
    if not isinstance(actor, str) and not can_manage_mappings(actor, provider):
        raise PermissionDenied
    label = label.strip()
    normalised = normalise_label(label)
    target: Code | None = None
    if kind == LabelMapping.Kind.COLUMN:
        if not normalised:
            raise ValidationError({"label": _("A column header cannot be blank.")})
        # One header names one dimension: replace whatever this header mapped before.
        existing = LabelMapping.objects.select_for_update().filter(
            provider=provider, kind=kind, normalised_label=normalised
        )
    elif kind == LabelMapping.Kind.VALUE:
        target = (
            Code.objects.filter(dimension=dimension, code=code.strip())
            .filter(Q(provider__isnull=True) | Q(provider=provider))
            .order_by("provider")  # the provider's own code before a common one of that name
            .first()
        )
        if target is None:
            raise ValidationError(
                {
                    "code": _("%(code)s is not a code of %(dimension)s.")
                    % {"code": code.strip() or '""', "dimension": dimension.code}
                }
            )
        existing = LabelMapping.objects.select_for_update().filter(
            provider=provider, kind=kind, dimension=dimension, normalised_label=normalised
        )
    else:
        raise ValidationError({"kind": _("Choose a column header or a value.")})
    mapping = existing.first()
    before = _snapshot(mapping) if mapping is not None else None
    if mapping is None:
        mapping = LabelMapping(provider=provider, kind=kind)
    mapping.dimension = dimension
    mapping.label = label
    mapping.normalised_label = normalised
    mapping.code = target
    after = _snapshot(mapping)
    if before == after:
        return mapping
    mapping.save()
    audit_record(
        actor=actor,
        action="label_mapping.create" if before is None else "label_mapping.update",
        obj=mapping,
        before=before,
        after=after,
    )
    return mapping


@transaction.atomic
def label_mappings_load(
    *,
    actor: User | str,
    provider: Organisation,
    mappings: Sequence[Mapping[str, str]],
    file_name: str,
) -> int:
    """Apply a file's label mappings (``kind``, ``label``, ``dimension`` and, for a value,
    ``code`` each) as ``provider``'s, one by one through :func:`label_mapping_set`, each
    recorded. Returns how many. Raises :class:`~django.core.exceptions.PermissionDenied` as
    :func:`label_mapping_set` does, and a :class:`~django.core.exceptions.ValidationError` naming
    the file and the mapping (counted from 1) for a bad one; nothing is written then."""
    dimensions = {d.code: d for d in Dimension.objects.all()}
    for number, entry in enumerate(mappings, start=1):
        where = {"file": file_name, "number": number}
        dimension = dimensions.get(entry.get("dimension", ""))
        if dimension is None:
            raise ValidationError(
                _("%(file)s, mapping %(number)s: %(dimension)s is not a dimension")
                % {**where, "dimension": entry.get("dimension", "") or '""'}
            )
        try:
            label_mapping_set(
                actor=actor,
                provider=provider,
                kind=entry.get("kind", ""),
                label=entry.get("label", ""),
                dimension=dimension,
                code=entry.get("code", ""),
            )
        except ValidationError as error:
            raise ValidationError(
                _("%(file)s, mapping %(number)s: %(reason)s")
                % {**where, "reason": " ".join(error.messages)}
            ) from error
    return len(mappings)


@transaction.atomic
def label_mapping_delete(*, actor: User, mapping: LabelMapping) -> None:
    """Remove one of a provider's mappings and record what it was. The common default mappings
    (no provider) come from the data files and are not removed here.

    Raises :class:`~django.core.exceptions.PermissionDenied` unless ``actor`` may manage the
    provider's mappings."""
    if mapping.provider is None or not can_manage_mappings(actor, mapping.provider):
        raise PermissionDenied
    before = _snapshot(mapping)
    audit_record(actor=actor, action="label_mapping.delete", obj=mapping, before=before)
    mapping.delete()


# Rows per executemany of the UN DESA import on SQLite: the statement is prepared once, so
# batches only bound the memory a batch takes.
OBSERVATION_BATCH = 2000
# Rows of a column batch turned into Python values at a time for SQLite's executemany.
OBSERVATION_SLICE = 10_000
OBSERVATION_COLUMNS = (
    "version_id",
    "series",
    "series_key",
    "time_period",
    "value",
    "obs_status",
    "conf_status",
    "unit",
    "unit_multiplier",
    "footnote",
    "source_row",
)


class _ObservationWriter:
    """Stores observations as they stream in, inside the caller's transaction: PostgreSQL's
    COPY (several times faster than INSERTs for a million rows), SQLite's executemany in
    batches. Neither goes through the ORM's bulk_create, which builds one object per row.

    A column batch (:meth:`write_batch`) goes to COPY as CSV written by pyarrow, or to
    executemany as tuples zipped from its columns: no Python object per row but the tuple.

    Given ``version_id`` (a submission: one version, many rows), on PostgreSQL the rows go into
    a partition of their own. Why: into the shared table, every row costs an update of its
    key's index and, at commit, a foreign-key check — together several times what the COPY
    itself costs, and the COPY of a million rows waits on them. Into a fresh table created in
    this transaction, with no index, the COPY costs what a raw COPY does and runs while the
    file is still being checked; :meth:`finish` then builds the table's key (its unique index,
    see ``KEY_SQL``) in bulk from sorted rows (several times cheaper than row by row) and
    attaches the table as the partition of the version (``ATTACH PARTITION``, which skips the
    scan of its rows because a CHECK constraint bounds them to the version). The partition needs no
    foreign key: its bound is the version, created in the same transaction and never deleted.
    A failed or interrupted import rolls the table back with everything else; the version and
    its partition stay unchanged afterwards (versions are immutable). Without ``version_id``
    (the UN DESA workbook's hundreds of small versions) rows go to the default partition,
    which keeps the foreign key; on SQLite there is one plain table.
    """

    def __init__(self, stack: contextlib.ExitStack, *, version_id: int | None = None) -> None:
        self._stack = stack
        self._batch: list[tuple[Any, ...]] = []
        self._copy: Any = None
        self._copying: Any = None  # the context of the COPY, ended once
        self._cursor: Any = None
        self._insert = ""
        self._version_id = version_id
        self._partition = ""

    def _open(self) -> None:
        # Opened at the first row, not before: the check reads the catalogue when it starts,
        # and a connection in COPY mode can run no other query.
        table = Observation._meta.db_table
        names = ", ".join(OBSERVATION_COLUMNS)
        self._cursor = self._stack.enter_context(connection.cursor())
        if connection.vendor == "postgresql":
            if self._version_id is not None:
                table = self._partition = _create_partition(self._cursor, self._version_id)
            statement = f"COPY {table} ({names}) FROM STDIN (FORMAT csv)"
            # Sent by a thread of psycopg's, so that the server stores a batch while the next
            # one is read and checked (pyarrow and the socket let go of the GIL).
            raw = self._cursor.cursor
            self._copying = raw.copy(statement, writer=QueuedLibpqWriter(raw))
            self._copy = self._copying.__enter__()
            self._stack.push(self._end_copy)
        else:
            marks = ", ".join(["?"] * len(OBSERVATION_COLUMNS))
            self._insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608

    def finish(self) -> None:
        """Store what is left; on PostgreSQL end the COPY and attach the version's partition.
        Call it once, after the last row; no other query may run on the connection before."""
        self.flush()
        self._end_copy(None, None, None)  # the connection is free for other statements
        if self._partition:
            assert self._version_id is not None
            _attach_partition(self._cursor, self._partition, self._version_id)
            self._partition = ""

    def _end_copy(self, *exc_info: Any) -> bool:
        # Ends the COPY once: when finished, or with the exception that ends the import (psycopg
        # then tells the server the COPY failed).
        if self._copying is not None:
            copying, self._copying, self._copy = self._copying, None, None
            copying.__exit__(*exc_info)
        return False

    def write(self, row: tuple[Any, ...]) -> None:
        """Store one observation: a tuple in the order of OBSERVATION_COLUMNS."""
        if self._cursor is None:
            self._open()
        if self._copy is not None:
            self._copy.write(_csv_line(row))
            return
        self._batch.append(row)
        if len(self._batch) >= OBSERVATION_BATCH:
            self.flush()

    def write_batch(self, version_id: int, batch: pa.Table) -> None:
        """Store a batch of observations with the columns of STORED_COLUMNS."""
        if batch.num_rows == 0:
            return
        if self._cursor is None:
            self._open()
        self.flush()
        count = batch.num_rows
        version = pa.array(np.full(count, version_id, dtype=np.int64))
        # STORED_COLUMNS are OBSERVATION_COLUMNS but for the version.
        ordered = [version, *(batch[name] for name in STORED_COLUMNS)]
        if self._copy is not None:
            table = pa.Table.from_arrays(ordered, names=list(OBSERVATION_COLUMNS))
            sink = io.BytesIO()
            pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
            self._copy.write(sink.getvalue())
            return
        # The database API's own connection: Django's wrapper would rewrite every parameter.
        # Python values for a slice at a time: a whole batch of them would take 100 MiB.
        for start in range(0, count, OBSERVATION_SLICE):
            rows = zip(
                *(column.slice(start, OBSERVATION_SLICE).to_pylist() for column in ordered),
                strict=True,
            )
            connection.connection.executemany(self._insert, rows)

    def flush(self) -> None:
        if self._batch:
            connection.connection.executemany(self._insert, self._batch)
            self._batch = []


def _csv_line(row: tuple[Any, ...]) -> bytes:
    """One row as PostgreSQL's COPY reads CSV: NULL unquoted and empty, text always quoted."""
    cells = []
    for cell in row:
        if cell is None:
            cells.append("")
        elif isinstance(cell, str):
            cells.append('"' + cell.replace('"', '""') + '"')
        else:
            cells.append(str(cell))
    return (",".join(cells) + "\n").encode("utf-8")


def _create_partition(cursor: Any, version_id: int) -> str:
    """Create the empty table that will hold ``version_id``'s observations and name it."""
    table = Observation._meta.db_table
    partition = f"{table}_v{int(version_id)}"
    # Only a database emptied with its sequences restarted (``flush``) can give a new version a
    # number that already has a partition, which is empty then (a row of a deleted version
    # cannot outlive it: the import's transaction and the versions' protection see to it).
    cursor.execute(f"DROP TABLE IF EXISTS {partition}")
    cursor.execute(
        f"CREATE TABLE {partition} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
        f"CONSTRAINT {partition}_version CHECK (version_id = {int(version_id)}))"
    )
    return partition


def _attach_partition(cursor: Any, partition: str, version_id: int) -> None:
    """Build the loaded table's key (the parent's unique index, so that attaching adopts it
    rather than building it again) and attach it as the partition of ``version_id``."""
    table = Observation._meta.db_table
    # Sorting a million keys in memory rather than in temporary files: for this transaction only.
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    cursor.execute(f"CREATE UNIQUE INDEX {partition}_key ON {partition} (version_id, {KEY_SQL})")
    cursor.execute(
        f"ALTER TABLE {table} ATTACH PARTITION {partition} FOR VALUES IN ({int(version_id)})"
    )


@dataclass(frozen=True)
class SubmissionResult:
    """What an import did: its summary, and the new version unless it was a dry run or failed."""

    summary: ImportSummary
    version: DatasetVersion | None


class _RejectedError(Exception):
    """Raised inside the import's transaction to roll it back when the file has errors."""


def _sha256(file: BinaryIO) -> str:
    digest = hashlib.sha256()
    file.seek(0)  # an upload spooled to disk may be left at its end
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _actor_fields(actor: User | str) -> tuple[User | None, str]:
    if isinstance(actor, str):
        return None, actor
    return actor, actor.get_username()


def submission_import(
    *,
    actor: User | str,
    indicator: Indicator,
    provider: Organisation,
    ref_area: Code,
    file: BinaryIO,
    file_name: str,
    dry_run: bool,
    revision_note: str = "",
    format: str | None = None,
) -> SubmissionResult:
    """Check a file (``format`` one of :data:`~solidarity.indicators.formats.FORMATS`, told
    from the file when None) for ``provider``'s dataset of ``indicator`` in ``ref_area`` and,
    unless ``dry_run`` or the file has errors, store it as the dataset's next version (a draft).

    Everything happens in one transaction: the dataset (on its first submission), the version,
    its observations (inserted in batches as the file is read) and the audit row are written
    together or not at all — a file whose errors show up only on its last row, or that stops
    being readable half-way, leaves nothing behind. ``file`` must be seekable (an upload or an
    open file): it is read once for its SHA-256, then once for its content.

    ``actor`` is a user, who must be a data provider of ``provider``
    (:class:`~django.core.exceptions.PermissionDenied` otherwise), or a label such as
    ``"system:cli"`` for the command line. From the second version on, ``revision_note`` (what
    changed and why) is required; its absence is an error of the summary.

    Observations are validated and written in one streaming pass (COPY on PostgreSQL, batched
    executemany on SQLite); an error anywhere stops the writing and rolls the whole import back.
    A file whose format cannot be told is one error of the summary.
    """
    if not isinstance(actor, str) and not can_submit_data(actor, provider):
        raise PermissionDenied
    if ref_area.dimension_id != "REF_AREA":
        raise ValidationError({"ref_area": _("Choose a reference area.")})
    revision_note = revision_note.strip()
    summary = ImportSummary(file_name=file_name)
    sha256 = _sha256(file)
    if format is None:
        try:
            format = detect_format(file, file_name)
        except UnknownFormatError as error:
            summary.add(
                kind="file", severity="error", row=None, column=None, value=None, reason=str(error)
            )
            return SubmissionResult(summary=summary, version=None)
    existing = Dataset.objects.filter(indicator=indicator, provider=provider, ref_area=ref_area)
    if not revision_note and DatasetVersion.objects.filter(dataset__in=existing).exists():
        summary.add(
            kind="revision_note",
            severity="error",
            row=None,
            column=None,
            value=None,
            reason=_("say what changed and why: this dataset already has a version"),
        )
    if dry_run:
        try:
            for _batch in check_open_sdg_submission(
                indicator=indicator,
                provider=provider,
                file=file,
                file_name=file_name,
                summary=summary,
                format=format,
                ref_area=ref_area.code,
            ):
                pass
        except OpenSdgError as error:
            add_reader_failure(summary, error)
        return SubmissionResult(summary=summary, version=None)
    user, label = _actor_fields(actor)
    try:
        with transaction.atomic():
            dataset, _created = Dataset.objects.get_or_create(
                indicator=indicator, provider=provider, ref_area=ref_area
            )
            # One version number at a time per dataset.
            dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
            last = dataset.versions.aggregate(last=Max("number"))["last"] or 0
            version = DatasetVersion.objects.create(
                dataset=dataset,
                number=last + 1,
                revision_note=revision_note,
                created_by=user,
                created_by_label=label,
                source_file_name=file_name[:255],
                source_sha256=sha256,
            )
            with contextlib.ExitStack() as stack:
                writer = _ObservationWriter(stack, version_id=version.pk)
                for batch in check_open_sdg_submission(
                    indicator=indicator,
                    provider=provider,
                    file=file,
                    file_name=file_name,
                    summary=summary,
                    format=format,
                    ref_area=ref_area.code,
                ):
                    if summary.has_errors:
                        continue  # the whole import will be rolled back: stop writing
                    writer.write_batch(version.pk, batch)
                if summary.has_errors:
                    raise _RejectedError
                writer.finish()
            version.import_summary = summary.as_json()
            version.observation_count = summary.observations_valid
            version.save(update_fields=["import_summary", "observation_count"])
            audit_record(
                actor=actor,
                action="dataset_version.import",
                obj=version,
                after={
                    "indicator": indicator.code,
                    "provider": provider.pk,
                    "ref_area": ref_area.code,
                    "number": version.number,
                    "status": version.status,
                    "file": file_name,
                    "format": format,
                    "sha256": sha256,
                    "observations": version.observation_count,
                    "warnings": summary.warning_count,
                    "revision_note": revision_note,
                },
            )
    except _RejectedError:
        return SubmissionResult(summary=summary, version=None)
    except OpenSdgError as error:
        add_reader_failure(summary, error)
        return SubmissionResult(summary=summary, version=None)
    return SubmissionResult(summary=summary, version=version)


def _move(
    *,
    actor: User,
    version: DatasetVersion,
    allowed: bool,
    from_statuses: tuple[str, ...],
    to_status: str,
    stamp: str,
    refusal: str,
    extra: dict[str, object] | None = None,
) -> DatasetVersion:
    if not allowed:
        raise PermissionDenied
    version = DatasetVersion.objects.select_for_update().get(pk=version.pk)
    if version.status not in from_statuses:
        raise ValidationError(refusal)
    before = {"status": version.status}
    version.status = to_status
    setattr(version, f"{stamp}_by", actor)
    setattr(version, f"{stamp}_at", timezone.now())
    for name, value in (extra or {}).items():
        setattr(version, name, value)
    version.save()
    after: dict[str, object] = {"status": to_status}
    for name, value in (extra or {}).items():
        after[name] = value.isoformat() if isinstance(value, datetime) else value
    audit_record(
        actor=actor, action=f"dataset_version.{to_status}", obj=version, before=before, after=after
    )
    return version


@transaction.atomic
def dataset_version_submit(*, actor: User, version: DatasetVersion) -> DatasetVersion:
    """Send a draft (or a returned version) for review: the provider's data providers only."""
    return _move(
        actor=actor,
        version=version,
        allowed=can_submit_data(actor, version.dataset.provider),
        from_statuses=(DatasetVersion.Status.DRAFT, DatasetVersion.Status.RETURNED),
        to_status=DatasetVersion.Status.SUBMITTED,
        stamp="submitted",
        refusal=_("Only a draft or a returned version can be submitted."),
    )


@transaction.atomic
def dataset_version_return(*, actor: User, version: DatasetVersion, reason: str) -> DatasetVersion:
    """Send a submitted version back to its provider with the reason: reviewers only."""
    if not can_review_data(actor):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the version is returned.")})
    return _move(
        actor=actor,
        version=version,
        allowed=True,
        from_statuses=(DatasetVersion.Status.SUBMITTED,),
        to_status=DatasetVersion.Status.RETURNED,
        stamp="returned",
        refusal=_("Only a submitted version can be returned."),
        extra={"return_reason": reason.strip()},
    )


@transaction.atomic
def dataset_version_approve(*, actor: User, version: DatasetVersion) -> DatasetVersion:
    """Accept a submitted version: reviewers only."""
    return _move(
        actor=actor,
        version=version,
        allowed=can_review_data(actor),
        from_statuses=(DatasetVersion.Status.SUBMITTED,),
        to_status=DatasetVersion.Status.APPROVED,
        stamp="approved",
        refusal=_("Only a submitted version can be approved."),
    )


@transaction.atomic
def dataset_version_publish(
    *, actor: User, version: DatasetVersion, embargo_until: datetime | None = None
) -> DatasetVersion:
    """Publish an approved version, at once or when ``embargo_until`` (an aware datetime) has
    passed: reviewers only. Confidential cells are kept but never shown to the public."""
    if embargo_until is not None and timezone.is_naive(embargo_until):
        raise ValidationError({"embargo_until": _("Give the embargo's time zone.")})
    # The stored SDMX answers of the indicator can no longer be asked for (their key holds the
    # versions published then): free their room once the publication is committed.
    indicator = version.dataset.indicator_id
    transaction.on_commit(lambda: sdmx_cache.answers_clear(indicator=indicator))
    return _move(
        actor=actor,
        version=version,
        allowed=can_review_data(actor),
        from_statuses=(DatasetVersion.Status.APPROVED,),
        to_status=DatasetVersion.Status.PUBLISHED,
        stamp="published",
        refusal=_("Only an approved version can be published."),
        extra={"embargo_until": embargo_until},
    )


UNDESA_PROVIDER = "UN DESA Population Division"
# Which table measure feeds which indicator of the catalogue (total population has none yet).
UNDESA_INDICATORS = {"MIGRANT_STOCK": "GCM_MIGRANT_STOCK", "REFUGEE_STOCK": "GCM_REFUGEES_HOSTED"}
UNDESA_WORLD = 900  # UN DESA's code for the world; M49's is 001


@dataclass(frozen=True)
class UndesaResult:
    """What an import of the UN DESA workbook did."""

    versions_created: int
    datasets_unchanged: int
    observations: int
    areas_skipped: tuple[int, ...]


def _undesa_summary(file_name: str, records: list[Any]) -> dict[str, Any]:
    """The import summary of one area's figures from the workbook, as any submission has it:
    every figure is an observation, and each cell without a number is a warning naming it."""
    summary = ImportSummary(file_name=file_name)
    summary.rows_read = summary.observations_valid = len(records)
    for record in records:
        if record.value is not None:
            continue
        sheet, _bang, reference = record.cell.rpartition("!")
        confidential = record.conf_status == "C"
        summary.add(
            kind="value",
            severity="warning",
            row=int(re.sub(r"\D", "", reference) or 0) or None,
            column=sheet + "!" + re.sub(r"\d", "", reference),
            value="~" if confidential else "..",
            reason=_("fewer than five persons: kept as confidential, never published")
            if confidential
            else _("no value: the cell holds a status symbol"),
        )
    return summary.as_json()


@transaction.atomic
def undesa_import(*, actor: User | str, path: str, file_name: str = "") -> UndesaResult:
    """Load the UN DESA International Migrant Stock 2020 workbook into the hub: for every
    country or area (and the world) a dataset of GCM_MIGRANT_STOCK (Table 1, by sex) and of
    GCM_REFUGEES_HOSTED (Table 6), provided by the UN DESA Population Division (created, and
    audited, when missing). The ``~`` cells (fewer than five persons) are stored as
    confidential. A dataset whose latest version came from a file with the same SHA-256 gets no
    new version, so importing the same file again changes nothing. UN DESA's own regions and
    groups (codes from 901), which are not M49 areas, are skipped and listed.
    """
    from solidarity.stats.undesa import read_undesa_migrant_stock

    name = file_name or path.rsplit("/", 1)[-1]
    with open(path, "rb") as file:
        sha256 = _sha256(file)
    provider = Organisation.objects.filter(name=UNDESA_PROVIDER).first()
    if provider is None:
        provider = Organisation.objects.create(
            name=UNDESA_PROVIDER, acronym="UN DESA", kind=Organisation.Kind.UN_ENTITY
        )
        audit_record(
            actor=actor,
            action="organisation.create",
            obj=provider,
            after={"name": provider.name, "kind": provider.kind},
        )
    indicators = {
        measure: Indicator.objects.prefetch_related("indicatordimension_set").get(code=code)
        for measure, code in UNDESA_INDICATORS.items()
    }
    areas = {
        code: area
        for area in Code.objects.filter(dimension="REF_AREA", provider__isnull=True)
        for code in [area.code]
    }
    user, label = _actor_fields(actor)
    reading = read_undesa_migrant_stock(path, tables=[1, 6], file_name=name)
    created = unchanged = count = 0
    skipped: set[int] = set()
    current: tuple[str, int] | None = None
    with contextlib.ExitStack() as stack:
        writer = _ObservationWriter(stack)
        plan: list[tuple[str, int, list[Any]]] = []
        for record in reading.records():
            if record.measure.value not in indicators:
                continue
            m49 = "001" if record.m49 == UNDESA_WORLD else f"{record.m49:03d}"
            if m49 not in areas:
                skipped.add(record.m49)
                continue
            if current != (record.measure.value, record.m49):
                current = (record.measure.value, record.m49)
                plan.append((record.measure.value, record.m49, []))
            plan[-1][2].append(record)
        # Versions first (queries), then the observations (one COPY: no query may run during it).
        batches: list[tuple[DatasetVersion, list[Any]]] = []
        for measure, m49_number, records in plan:
            indicator = indicators[measure]
            m49 = "001" if m49_number == UNDESA_WORLD else f"{m49_number:03d}"
            dataset, _created = Dataset.objects.get_or_create(
                indicator=indicator, provider=provider, ref_area=areas[m49]
            )
            latest = dataset.versions.order_by("-number").first()
            if latest is not None and latest.source_sha256 == sha256:
                unchanged += 1
                continue
            version = DatasetVersion.objects.create(
                dataset=dataset,
                number=(latest.number if latest else 0) + 1,
                revision_note="" if latest is None else "A new edition of the UN DESA workbook.",
                created_by=user,
                created_by_label=label,
                source_file_name=name[:255],
                source_sha256=sha256,
                observation_count=len(records),
                import_summary=_undesa_summary(name, records),
            )
            audit_record(
                actor=actor,
                action="dataset_version.import",
                obj=version,
                after={
                    "indicator": indicator.code,
                    "ref_area": m49,
                    "file": name,
                    "sha256": sha256,
                    "observations": len(records),
                },
            )
            created += 1
            batches.append((version, records))
        absent = {
            measure: [
                link.dimension_id
                for link in indicators[measure].indicatordimension_set.all()
                if link.dimension_id not in ("REF_AREA", "TIME_PERIOD", "SEX")
            ]
            for measure in indicators
        }
        for version, records in batches:
            for record in records:
                codes = {"SEX": record.sex, **dict.fromkeys(absent[record.measure.value], "_T")}
                key = "|".join(f"{d}={c}" for d, c in sorted(codes.items()))
                writer.write(
                    (
                        version.pk,
                        "",
                        key,
                        record.time_period,
                        record.value,
                        record.obs_status or "",
                        record.conf_status or "",
                        record.unit,
                        record.unit_multiplier,
                        "",
                        None,
                    )
                )
                count += 1
        writer.finish()
    return UndesaResult(
        versions_created=created,
        datasets_unchanged=unchanged,
        observations=count,
        areas_skipped=tuple(sorted(skipped)),
    )
