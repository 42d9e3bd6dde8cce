"""Every change to human-rights recommendations and ratifications: imports, the State's
implementation status, assessments, objective labels (from the source, the classifier or a
person), clusters and ratifications. Each function is atomic and writes the audit trail.

Imports write one audit row per file (what was read, created, updated, left alone) rather than
one per recommendation: a UHRI import brings a quarter of a million rows that nobody edited.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from solidarity.accounts.models import Organisation, Role, User
from solidarity.accounts.permissions import role_assignments
from solidarity.audit.actions import audit_record, audit_snapshot
from solidarity.reference.models import Country, Objective, PopulationGroup, Treaty
from solidarity.rights.formats import (
    RecommendationFormat,
    RecommendationRecord,
    RightsFileError,
    read_ratifications_csv,
    read_recommendations,
)
from solidarity.rights.models import (
    Assessment,
    Document,
    ImplementationStatus,
    Mechanism,
    ObjectiveLabel,
    Ratification,
    Recommendation,
)
from solidarity.rights.permissions import (
    can_assess,
    can_assess_as_organisation,
    can_decide_labels,
    can_enter_ratifications,
    can_update_implementation,
)

DATA = Path(__file__).resolve().parent / "data"
BATCH = 2000


# ---------------------------------------------------------------------------------------------
# Reference tables shipped with the app


@cache
def _shipped_mechanisms() -> dict[str, dict[str, Any]]:
    with (DATA / "mechanisms.json").open(encoding="utf-8") as file:
        return {row["code"]: row for row in json.load(file)["mechanisms"]}


@cache
def _crosswalk() -> dict[tuple[str, str], int]:
    with (DATA / "objective_crosswalk.json").open(encoding="utf-8") as file:
        rows = json.load(file)["crosswalk"]
    return {
        (source, row["tag"].lower()): row["objective"] for row in rows for source in row["sources"]
    }


def mechanisms_load(*, actor: str) -> int:
    """Create or refresh the mechanisms listed in ``data/mechanisms.json``."""
    changed = 0
    with transaction.atomic():
        for code, row in _shipped_mechanisms().items():
            values = {"name": row["name"], "kind": row["kind"], "order": row["order"]}
            mechanism, created = Mechanism.objects.get_or_create(code=code, defaults=values)
            if not created and all(getattr(mechanism, k) == v for k, v in values.items()):
                continue
            before = None if created else audit_snapshot(mechanism, fields=values)
            for name, value in values.items():
                setattr(mechanism, name, value)
            mechanism.save()
            audit_record(
                actor=actor,
                action="mechanism.create" if created else "mechanism.update",
                obj=mechanism,
                before=before,
                after=values,
            )
            changed += 1
    return changed


def _mechanism_for_body(body: str, cache: dict[str, Mechanism]) -> Mechanism:
    """The mechanism a source's ``Body`` names. A body we do not list (a special procedure
    mandate UHRI names in full) is added as a special procedure under its own name."""
    code = body.strip().upper() if len(body.strip()) <= 40 else body.strip()[:40]
    if code in cache:
        return cache[code]
    mechanism = Mechanism.objects.filter(code=code).first()
    if mechanism is None:
        shipped = _shipped_mechanisms().get(code)
        if shipped:
            values = {"name": shipped["name"], "kind": shipped["kind"], "order": shipped["order"]}
        else:
            values = {"name": body.strip()[:300], "kind": Mechanism.Kind.SPECIAL_PROCEDURE}
        mechanism = Mechanism.objects.create(code=code, **values)
    cache[code] = mechanism
    return mechanism


class CountryNames:
    """Finds a country by ISO3 or ISO2 code, by its name in English, French or Spanish, or by the
    short names UPR Info and UHRI write (``data/country_names.csv``). Case does not matter."""

    def __init__(self) -> None:
        self.by_name: dict[str, str] = {}
        for iso3, iso2, *names in Country.objects.values_list(
            "iso3", "iso2", "name", "name_fr", "name_es"
        ):
            for name in (iso3, iso2, *names):
                if name:
                    self.by_name.setdefault(name.lower(), iso3)
        with (DATA / "country_names.csv").open(encoding="utf-8") as file:
            for row in csv.DictReader(line for line in file if not line.startswith("#")):
                self.by_name[row["name"].lower()] = row["iso3"]

    def get(self, name: str) -> str | None:
        return self.by_name.get(name.strip().lower())


# Groups in vulnerable situations, from the tags the sources give (UHRI AffectedPersons and
# themes, UPR Info issues).
GROUP_TAGS = {
    "women & girls": "women-and-girls",
    "women and girls": "women-and-girls",
    "women": "women-and-girls",
    "girls": "women-and-girls",
    "women's rights": "women-and-girls",
    "children": "children-and-adolescents",
    "rights of the child": "children-and-adolescents",
    "juveniles": "children-and-adolescents",
    "older persons": "older-persons",
    "persons with disabilities": "persons-with-disabilities",
    "disabilities": "persons-with-disabilities",
}


# ---------------------------------------------------------------------------------------------
# Importing recommendations


@dataclass
class ImportResult:
    file_name: str
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    mechanisms: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


_STORED_FIELDS = (
    "kind",
    "mechanism_id",
    "document_id",
    "country_id",
    "recommending_country_id",
    "recommending_label",
    "text",
    "session",
    "cycle",
    "published_on",
    "themes",
    "affected_persons",
    "sdg_targets",
    "position",
    "position_source",
    "upr_action_category",
)


def _fingerprint(values: dict[str, Any]) -> str:
    payload = json.dumps([values[name] for name in _STORED_FIELDS], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _group_codes(record: RecommendationRecord) -> set[str]:
    codes = set()
    for tag in (*record.affected_persons, *record.themes):
        code = GROUP_TAGS.get(tag.strip().lower())
        if code:
            codes.add(code)
    return codes


def _official_objectives(record: RecommendationRecord) -> dict[int, str]:
    crosswalk = _crosswalk()
    found: dict[int, str] = {}
    source_name = "UPR Info issue" if record.source == "upr_info" else "UHRI theme"
    for tag in record.themes:
        objective = crosswalk.get((record.source, tag.strip().lower()))
        if objective is not None:
            found.setdefault(objective, f"{source_name} “{tag.strip()}” (crosswalk)")
    return found


def recommendations_import(
    *, actor: User | str, path: Path, file_format: RecommendationFormat
) -> ImportResult:
    """Import a file of recommendations, all or nothing.

    A recommendation already stored from the same source (same AnnotationId; for UPR Info the
    same State, recommending State, session and text) is updated only when something changed,
    so the same file imported again changes nothing. Labels and statuses people added are kept.
    Raises :class:`~solidarity.rights.formats.RightsFileError` naming the file, the row and the
    field on the first problem; nothing is stored then.
    """
    result = ImportResult(file_name=path.name)
    with transaction.atomic():
        _import_records(result, read_recommendations(path, file_format))
        if result.changed:
            audit_record(
                actor=actor,
                action="recommendations.import",
                object_type="rights.recommendation",
                object_repr=path.name,
                after={
                    "file": path.name,
                    "format": file_format,
                    "rows_read": result.rows_read,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    return result


def _import_records(result: ImportResult, records: Iterator[RecommendationRecord]) -> None:
    countries = CountryNames()
    mechanisms: dict[str, Mechanism] = {}
    documents: dict[str, int] = dict(Document.objects.values_list("symbol", "id"))
    groups = set(PopulationGroup.objects.values_list("code", flat=True))
    existing: dict[tuple[str, str], tuple[int, str]] = {}
    new: list[tuple[Recommendation, RecommendationRecord]] = []
    changed: list[tuple[Recommendation, RecommendationRecord]] = []
    loaded_sources: set[str] = set()

    def flush() -> None:
        if new:
            _insert([pair[0] for pair in new])
            _link(new, groups, fresh=True)
            result.created += len(new)
            new.clear()
        if changed:
            Recommendation.objects.bulk_update(
                [pair[0] for pair in changed],
                [name.removesuffix("_id") for name in _STORED_FIELDS],
                batch_size=BATCH,
            )
            _link(changed, groups, fresh=False)
            result.updated += len(changed)
            changed.clear()

    for record in records:
        result.rows_read += 1
        if record.source not in loaded_sources:
            loaded_sources.add(record.source)
            for row in Recommendation.objects.filter(source=record.source).values(
                "id", "source_key", *_STORED_FIELDS
            ):
                existing[(record.source, row["source_key"])] = (row["id"], _fingerprint(row))
        iso3s = []
        for name in record.countries:
            iso3 = countries.get(name)
            if iso3 is None:
                raise RightsFileError(
                    result.file_name,
                    record.row,
                    "To" if record.source == "upr_info" else "Countries",
                    f"no country or area is called {name!r}",
                )
            iso3s.append(iso3)
        recommending_iso3 = countries.get(record.recommending) if record.recommending else None
        mechanism = _mechanism_for_body(record.body, mechanisms)
        result.mechanisms.add(mechanism.code)
        document_id = None
        if record.symbol:
            document_id = documents.get(record.symbol)
            if document_id is None:
                document = Document.objects.create(
                    symbol=record.symbol[:100],
                    mechanism=mechanism,
                    published_on=record.published_on,
                    session=record.session[:40],
                    cycle=record.cycle[:10],
                )
                document_id = documents[record.symbol] = document.pk
        for iso3 in dict.fromkeys(iso3s):
            key = record.source_key if len(iso3s) == 1 else f"{record.source_key}/{iso3}"
            values: dict[str, Any] = {
                "kind": record.kind,
                "mechanism_id": mechanism.code,
                "document_id": document_id,
                "country_id": iso3,
                "recommending_country_id": recommending_iso3,
                "recommending_label": record.recommending[:100],
                "text": record.text,
                "session": record.session[:40],
                "cycle": record.cycle[:10],
                "published_on": record.published_on,
                "themes": record.themes,
                "affected_persons": record.affected_persons,
                "sdg_targets": record.sdg_targets,
                "position": record.position,
                "position_source": record.position_source[:200],
                "upr_action_category": record.upr_action_category,
            }
            stored = existing.get((record.source, key))
            if stored is not None and stored[1] == _fingerprint(values):
                result.unchanged += 1
                continue
            recommendation = Recommendation(source=record.source, source_key=key, **values)
            if stored is None:
                existing[(record.source, key)] = (0, _fingerprint(values))
                new.append((recommendation, record))
            else:
                recommendation.pk = stored[0]
                changed.append((recommendation, record))
        if len(new) + len(changed) >= BATCH:
            flush()
    flush()


def _insert(recommendations: list[Recommendation]) -> None:
    """Insert new recommendations with one ``executemany`` per batch and set their ids.

    The ORM's ``bulk_create`` spends most of an import preparing each of the 25 values of every
    row (and, on SQLite, splits batches at 999 parameters); the values here are plain already, so
    only dates, timestamps and JSON lists are adapted, as the ORM would adapt them."""
    fields = [f for f in Recommendation._meta.concrete_fields if not f.primary_key]
    adapt: dict[str, Any] = {}
    for f in fields:
        if isinstance(f, models.JSONField | models.DateField):
            adapt[f.attname] = f
    now = timezone.now()
    table = connection.ops.quote_name(Recommendation._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = []
    for recommendation in recommendations:
        recommendation.imported_at = now
        row = []
        for f in fields:
            value = getattr(recommendation, f.attname)
            if f.attname in adapt and value is not None:
                value = adapt[f.attname].get_db_prep_save(value, connection)
            row.append(value)
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608  # model names
            rows,
        )
    keys: dict[tuple[str, str], Recommendation] = {
        (r.source, r.source_key): r for r in recommendations
    }
    for source in {r.source for r in recommendations}:
        wanted = [key for (key_source, key) in keys if key_source == source]
        for start in range(0, len(wanted), 500):
            for key, pk in Recommendation.objects.filter(
                source=source, source_key__in=wanted[start : start + 500]
            ).values_list("source_key", "id"):
                keys[(source, key)].pk = pk


def _link(
    pairs: list[tuple[Recommendation, RecommendationRecord]], groups: set[str], *, fresh: bool
) -> None:
    """Groups named by the source's tags, and objective labels the source's tags give through
    the crosswalk (provenance: official source)."""
    through = Recommendation.population_groups.through
    if not fresh:
        through.objects.filter(recommendation_id__in=[r.pk for r, _ in pairs]).delete()
    through.objects.bulk_create(
        [
            through(recommendation_id=recommendation.pk, populationgroup_id=code)
            for recommendation, record in pairs
            for code in sorted(_group_codes(record) & groups)
        ],
        batch_size=BATCH,
    )
    labels = [
        ObjectiveLabel(
            recommendation_id=recommendation.pk,
            objective_id=objective,
            provenance=ObjectiveLabel.Provenance.OFFICIAL,
            official_source=source,
        )
        for recommendation, record in pairs
        for objective, source in _official_objectives(record).items()
    ]
    # An official label never overrides one already there (a person's decision stays).
    ObjectiveLabel.objects.bulk_create(labels, batch_size=BATCH, ignore_conflicts=True)


# ---------------------------------------------------------------------------------------------
# The State's implementation status, and the assessments of others

_STATUS_FIELDS = (
    "status",
    "responsible_institution",
    "evidence",
    "evidence_url",
    "evidence_date",
)


@transaction.atomic
def implementation_status_record(
    *,
    actor: User,
    recommendation: Recommendation,
    status: str,
    responsible_institution: str,
    evidence: str,
    evidence_date: datetime.date,
    evidence_url: str = "",
) -> ImplementationStatus:
    """Record what the State says of a recommendation's implementation. Only the State's focal
    points (and administrators) may; earlier statuses stay in the history."""
    if not can_update_implementation(actor, recommendation.country_id):
        raise PermissionDenied
    if evidence_date > timezone.localdate():
        raise ValidationError({"evidence_date": "The evidence cannot be dated in the future."})
    entry = ImplementationStatus(
        recommendation=recommendation,
        status=status,
        responsible_institution=responsible_institution.strip(),
        evidence=evidence.strip(),
        evidence_url=evidence_url.strip(),
        evidence_date=evidence_date,
        recorded_by=actor,
    )
    entry.full_clean(exclude=["recommendation", "recorded_by"])
    entry.save()
    before = {"status": recommendation.status}
    recommendation.status = status
    Recommendation.objects.filter(pk=recommendation.pk).update(status=status)
    audit_record(
        actor=actor,
        action="implementation_status.record",
        obj=recommendation,
        before=before,
        after=audit_snapshot(entry, fields=_STATUS_FIELDS),
    )
    return entry


_GRADES_BY_KIND = {
    Assessment.AssessorKind.TREATY_BODY: {"A", "B", "C", "D", "E"},
    Assessment.AssessorKind.CIVIL_SOCIETY: {"fully", "partially", "not_implemented"},
    Assessment.AssessorKind.NHRI: {"fully", "partially", "not_implemented"},
    Assessment.AssessorKind.UN: {"fully", "partially", "not_implemented"},
}


def _organisation_of(user: User) -> Organisation | None:
    for assignment in role_assignments(user):
        if assignment.role == Role.MEMBER and assignment.organisation_id is not None:
            return Organisation.objects.get(pk=assignment.organisation_id)
    return None


@transaction.atomic
def assessment_add(
    *,
    actor: User,
    recommendation: Recommendation,
    grade: str,
    comment: str,
    assessed_on: datetime.date,
    evidence_url: str = "",
    assessor_kind: str | None = None,
    assessor_label: str = "",
) -> Assessment:
    """Add an external assessment beside the State's own status.

    A member of an organisation assesses in the organisation's name (as an NHRI when it is one,
    otherwise as civil society), with the grades fully / partially / not implemented. Reviewers
    record a treaty body's follow-up grade (A-E) or a UN entity's assessment and name the
    assessor (``assessor_label``)."""
    if not can_assess(actor):
        raise PermissionDenied
    organisation = None
    if can_assess_as_organisation(actor):
        organisation = _organisation_of(actor)
        assert organisation is not None  # a member role is scoped to an organisation
        kind = (
            Assessment.AssessorKind.NHRI
            if organisation.kind == Organisation.Kind.NHRI
            else Assessment.AssessorKind.CIVIL_SOCIETY
        )
        label = organisation.name
    else:
        if assessor_kind not in {Assessment.AssessorKind.TREATY_BODY, Assessment.AssessorKind.UN}:
            raise ValidationError(
                {"assessor_kind": "Reviewers record treaty-body or UN assessments."}
            )
        kind = Assessment.AssessorKind(assessor_kind)
        label = assessor_label.strip() or recommendation.mechanism_id
    if grade not in _GRADES_BY_KIND[kind]:
        raise ValidationError({"grade": "This grade is not used for this kind of assessment."})
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "An assessment cannot be dated in the future."})
    assessment = Assessment(
        recommendation=recommendation,
        assessor_kind=kind,
        organisation=organisation,
        assessor_label=label[:200],
        grade=grade,
        comment=comment.strip(),
        evidence_url=evidence_url.strip(),
        assessed_on=assessed_on,
        recorded_by=actor,
    )
    assessment.full_clean(exclude=["recommendation", "organisation", "recorded_by"])
    assessment.save()
    audit_record(
        actor=actor,
        action="assessment.add",
        obj=assessment,
        after=audit_snapshot(
            assessment,
            fields=("recommendation", "assessor_kind", "assessor_label", "grade", "assessed_on"),
        ),
    )
    return assessment


# ---------------------------------------------------------------------------------------------
# Objective labels


@transaction.atomic
def label_decide(*, actor: User, label: ObjectiveLabel, decision: str) -> ObjectiveLabel:
    """Confirm or reject a label. The decision, who made it and when are kept (and exported for
    retraining); a rejected label no longer counts but is not deleted."""
    if not can_decide_labels(actor):
        raise PermissionDenied
    if decision not in {ObjectiveLabel.Decision.CONFIRMED, ObjectiveLabel.Decision.REJECTED}:
        raise ValidationError({"decision": "Confirm or reject."})
    before = audit_snapshot(label, fields=("decision", "decided_by", "decided_at"))
    label.decision = decision
    label.decided_by = actor
    label.decided_at = timezone.now()
    label.save(update_fields=["decision", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=f"objective_label.{decision}",
        obj=label,
        before=before,
        after=audit_snapshot(label, fields=("decision", "decided_by", "decided_at")),
    )
    return label


@transaction.atomic
def label_add(
    *, actor: User, recommendation: Recommendation, objective: Objective
) -> ObjectiveLabel:
    """A person adds an objective the source and the classifier missed; it counts as confirmed
    by that person. Adding one that exists confirms it."""
    if not can_decide_labels(actor):
        raise PermissionDenied
    label = ObjectiveLabel.objects.filter(
        recommendation=recommendation, objective=objective
    ).first()
    if label is not None:
        return label_decide(actor=actor, label=label, decision=ObjectiveLabel.Decision.CONFIRMED)
    label = ObjectiveLabel.objects.create(
        recommendation=recommendation,
        objective=objective,
        provenance=ObjectiveLabel.Provenance.PERSON,
        decision=ObjectiveLabel.Decision.CONFIRMED,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="objective_label.add",
        obj=label,
        after=audit_snapshot(label, fields=("recommendation", "objective", "provenance")),
    )
    return label


@dataclass
class Prediction:
    """What the classifier says of one recommendation."""

    recommendation_id: int
    relevant: bool
    score: float
    objectives: dict[int, float]


@dataclass
class PredictionResult:
    recommendations: int = 0
    labels_created: int = 0
    labels_updated: int = 0
    labels_withdrawn: int = 0


def predictions_apply(
    *, actor: User | str, predictions: Iterable[Prediction], model_version: str
) -> PredictionResult:
    """Store predictions as labels with provenance "model" (score and model version) and the
    relevance on each recommendation.

    A label a person confirmed or rejected is never touched; an official or personal label is
    not replaced by a model's. A model label no longer predicted by this version, and not yet
    reviewed, is withdrawn (deleted: it was only ever a guess, and the audit row records it).
    """
    result = PredictionResult()
    with transaction.atomic():
        for batch in _batched(predictions, BATCH):
            ids = [p.recommendation_id for p in batch]
            labels: dict[tuple[int, int], ObjectiveLabel] = {
                (label.recommendation_id, label.objective_id): label
                for label in ObjectiveLabel.objects.filter(recommendation_id__in=ids)
            }
            create, update, withdraw = [], [], []
            recommendations = []
            for prediction in batch:
                result.recommendations += 1
                recommendations.append(
                    Recommendation(
                        pk=prediction.recommendation_id,
                        migration_relevant=prediction.relevant,
                        relevance_score=prediction.score,
                        relevance_model=model_version,
                    )
                )
                for objective, score in prediction.objectives.items():
                    label = labels.get((prediction.recommendation_id, objective))
                    if label is None:
                        create.append(
                            ObjectiveLabel(
                                recommendation_id=prediction.recommendation_id,
                                objective_id=objective,
                                provenance=ObjectiveLabel.Provenance.MODEL,
                                score=score,
                                model_version=model_version,
                            )
                        )
                    elif (
                        label.provenance == ObjectiveLabel.Provenance.MODEL
                        and label.decision == ObjectiveLabel.Decision.UNREVIEWED
                    ):
                        label.score, label.model_version = score, model_version
                        update.append(label)
                for (recommendation_id, objective), label in labels.items():
                    if (
                        recommendation_id == prediction.recommendation_id
                        and objective not in prediction.objectives
                        and label.provenance == ObjectiveLabel.Provenance.MODEL
                        and label.decision == ObjectiveLabel.Decision.UNREVIEWED
                    ):
                        withdraw.append(label.pk)
            Recommendation.objects.bulk_update(
                recommendations, ["migration_relevant", "relevance_score", "relevance_model"]
            )
            ObjectiveLabel.objects.bulk_create(create)
            ObjectiveLabel.objects.bulk_update(update, ["score", "model_version"])
            ObjectiveLabel.objects.filter(pk__in=withdraw).delete()
            result.labels_created += len(create)
            result.labels_updated += len(update)
            result.labels_withdrawn += len(withdraw)
        audit_record(
            actor=actor,
            action="objective_labels.predict",
            object_type="rights.objectivelabel",
            object_repr=model_version,
            after={"model_version": model_version, **result.__dict__},
        )
    return result


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def clusters_assign(*, actor: User | str, clusters: dict[int, int], method: str) -> int:
    """Store the cluster of near-duplicates each recommendation belongs to (recommendation id →
    cluster id). Returns how many recommendations changed cluster."""
    changed = []
    current = dict(Recommendation.objects.values_list("id", "cluster"))
    for recommendation_id, cluster in clusters.items():
        if current.get(recommendation_id, -1) != cluster:
            changed.append(
                Recommendation(pk=recommendation_id, cluster=cluster, cluster_method=method)
            )
    Recommendation.objects.bulk_update(changed, ["cluster", "cluster_method"], batch_size=BATCH)
    audit_record(
        actor=actor,
        action="recommendations.cluster",
        object_type="rights.recommendation",
        object_repr=method,
        after={"method": method, "recommendations": len(clusters), "changed": len(changed)},
    )
    return len(changed)


# ---------------------------------------------------------------------------------------------
# Ratifications

SHIPPED_RATIFICATIONS = DATA / "ratifications.csv"


def _file_header(path: Path) -> tuple[str, str]:
    """The ``# source: …; as of: …`` line of a ratification table, if it has one."""
    with path.open(encoding="utf-8") as file:
        first = file.readline()
    if not first.startswith("# source:"):
        return "", ""
    text = first.removeprefix("# source:").strip()
    source, _, as_of = text.rpartition("; as of:")
    return (source.strip(), as_of.strip()) if source else (text, "")


@dataclass
class RatificationImportResult:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0


def ratifications_import(
    *,
    actor: User | str,
    path: Path,
    source: str = "",
    as_of: str = "",
    keep_entered: bool = False,
) -> RatificationImportResult:
    """Load a ratification table (the UN Treaty Collection extract, or our compact table), all
    or nothing, changing only rows whose status or year differ. With ``keep_entered``, rows an
    administrator entered by hand are left as they are (the shipped table loaded at start-up
    must not undo a correction)."""
    header_source, header_as_of = _file_header(path)
    source = (source or header_source or path.name)[:300]
    as_of = as_of or header_as_of or timezone.localdate().isoformat()
    countries = {
        code: iso3
        for iso3, iso2 in Country.objects.values_list("iso3", "iso2")
        for code in (iso3, iso2)
    }
    treaties = set(Treaty.objects.values_list("code", flat=True))
    result = RatificationImportResult()
    with transaction.atomic():
        stored = {(r.country_id, r.treaty_id): r for r in Ratification.objects.all()}
        create, update = [], []
        for record in read_ratifications_csv(path):
            result.rows_read += 1
            iso3 = countries.get(record.iso)
            if iso3 is None:
                raise RightsFileError(
                    path.name, record.row, "iso", f"unknown country {record.iso!r}"
                )
            if record.treaty not in treaties:
                raise RightsFileError(
                    path.name, record.row, "treaty", f"unknown treaty {record.treaty!r}"
                )
            row = stored.get((iso3, record.treaty))
            if row is None:
                create.append(
                    Ratification(
                        country_id=iso3,
                        treaty_id=record.treaty,
                        status=record.status,
                        year=record.year,
                        source=source,
                        as_of=as_of,
                    )
                )
            elif keep_entered and row.updated_by_id is not None:
                result.kept += 1
            elif (row.status, row.year) == (record.status, record.year):
                result.unchanged += 1
            else:
                row.status, row.year, row.source, row.as_of = (
                    record.status,
                    record.year,
                    source,
                    as_of,
                )
                row.updated_by = None
                update.append(row)
        Ratification.objects.bulk_create(create, batch_size=BATCH)
        Ratification.objects.bulk_update(
            update, ["status", "year", "source", "as_of", "updated_by"], batch_size=BATCH
        )
        result.created, result.updated = len(create), len(update)
        if create or update:
            audit_record(
                actor=actor,
                action="ratifications.import",
                object_type="rights.ratification",
                object_repr=path.name,
                after={"file": path.name, "source": source, "as_of": as_of, **result.__dict__},
            )
    return result


def rights_reference_load(*, actor: str) -> dict[str, int]:
    """The mechanisms and the shipped ratification table, for a fresh install (``solidarity
    serve`` and ``solidarity reference load`` call it). Safe to run again."""
    mechanisms = mechanisms_load(actor=actor)
    ratifications = ratifications_import(actor=actor, path=SHIPPED_RATIFICATIONS, keep_entered=True)
    return {
        "mechanisms changed": mechanisms,
        "ratifications changed": ratifications.created + ratifications.updated,
    }


_RATIFICATION_FIELDS = ("status", "year", "source", "as_of")


@transaction.atomic
def ratification_set(
    *,
    actor: User,
    country: Country,
    treaty: Treaty,
    status: str,
    year: int | None,
    source: str,
) -> Ratification:
    """An administrator enters or corrects where a State stands on a treaty (the ILO
    conventions above all). The source is required; the date is today's."""
    if not can_enter_ratifications(actor):
        raise PermissionDenied
    if status == Ratification.Status.NONE and year is not None:
        raise ValidationError({"year": "A State that took no action has no year."})
    if year is not None and not 1919 <= year <= timezone.localdate().year:
        raise ValidationError({"year": "Enter a year between 1919 and this year."})
    if not source.strip():
        raise ValidationError({"source": "Say where this comes from."})
    row = Ratification.objects.select_for_update().filter(country=country, treaty=treaty).first()
    before = None if row is None else audit_snapshot(row, fields=_RATIFICATION_FIELDS)
    if row is None:
        row = Ratification(country=country, treaty=treaty)
    row.status, row.year, row.source = status, year, source.strip()[:300]
    row.as_of = timezone.localdate().isoformat()
    row.updated_by = actor
    row.full_clean(exclude=["country", "treaty", "updated_by"])
    row.save()
    audit_record(
        actor=actor,
        action="ratification.create" if before is None else "ratification.update",
        obj=row,
        before=before,
        after=audit_snapshot(row, fields=_RATIFICATION_FIELDS),
    )
    return row
