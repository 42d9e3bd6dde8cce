"""Every change of state in fair sharing: importing reference figures, defining groups, running
consultations and casting votes. Each action is atomic and writes its audit row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.models import User
from solidarity.accounts.permissions import AnyUser
from solidarity.audit.actions import audit_record
from solidarity.fairshare.models import (
    Consultation,
    ConsultationOption,
    CountryGroup,
    ReferenceFigure,
    Vote,
)
from solidarity.fairshare.permissions import (
    can_define_groups,
    can_manage_consultations,
    states_user_may_vote_for,
)
from solidarity.fairshare.selectors import group_get, shipped_sources
from solidarity.reference.models import Country
from solidarity.stats.fairshare import FigureRow, parse_key, read_worldbank_csv

_SIX_PLACES = Decimal("0.000001")
# Counts of people and amounts of US dollars are stored whole: an SQLite database keeps decimals
# as binary floating point, which holds whole numbers below 2**53 exactly (a GDP of 3e13 US$ with
# decimals would come back changed, and every re-import would "update" it). Rounding GDP to the
# dollar changes no share beyond the twelfth decimal place.
WHOLE_INDICATORS = frozenset({"population", "gdp", "refugees", "migrant_stock"})
WORLDBANK_FILES = {
    "population": "worldbank_population.csv",
    "gdp": "worldbank_gdp_current_usd.csv",
}


@dataclass(frozen=True)
class FigureImport:
    indicator: str
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def figures_import(
    *, actor: AnyUser | str, indicator: str, rows: Iterable[FigureRow], file_name: str
) -> FigureImport:
    """Store ``rows`` of one indicator: new figures are added, changed ones updated (their
    earlier value kept in the audit row), equal ones left alone, so importing the same file
    again changes nothing. One audit row per import that changed something."""
    existing = {
        (figure.iso3, figure.year): figure
        for figure in ReferenceFigure.objects.select_for_update().filter(indicator=indicator)
    }
    new: list[ReferenceFigure] = []
    changed: list[ReferenceFigure] = []
    before: dict[str, object] = {}
    unchanged = 0
    for row in rows:
        if row.indicator != indicator:
            raise ValueError(f"{file_name}: a {row.indicator} figure in a {indicator} import")
        places = Decimal(1) if indicator in WHOLE_INDICATORS else _SIX_PLACES
        value = None if row.value is None else row.value.quantize(places)
        figure = existing.get((row.iso3, row.year))
        if figure is None:
            new.append(
                ReferenceFigure(
                    indicator=indicator,
                    iso3=row.iso3,
                    year=row.year,
                    value=value,
                    source=row.source,
                )
            )
        elif figure.value != value or figure.source != row.source:
            before[f"{row.iso3} {row.year}"] = figure.value
            figure.value, figure.source = value, row.source
            changed.append(figure)
        else:
            unchanged += 1
    ReferenceFigure.objects.bulk_create(new, batch_size=2000)
    ReferenceFigure.objects.bulk_update(changed, ["value", "source"], batch_size=2000)
    if new or changed:
        audit_record(
            actor=actor,
            action="fairshare.figures_import",
            object_type="fairshare.referencefigure",
            object_id=indicator,
            object_repr=f"{indicator} figures from {file_name}",
            before={"changed_values": before} if before else None,
            after={"file": file_name, "created": len(new), "updated": len(changed)},
        )
    return FigureImport(indicator, len(new), len(changed), unchanged)


def figures_load_shipped(*, actor: AnyUser | str) -> list[FigureImport]:
    """Load (or restore) the compact tables shipped in ``fairshare/data/``, as the data
    migration does on a fresh install; what is already there is left alone."""
    from importlib import resources

    from solidarity.stats.fairshare import read_table

    sources = shipped_sources()
    folder = resources.files("solidarity.fairshare").joinpath("data")
    results = []
    with transaction.atomic():
        for indicator in sorted(WHOLE_INDICATORS):
            entry = sources[indicator]
            with folder.joinpath(entry["file"]).open("r", encoding="utf-8") as file:
                rows = list(read_table(file, indicator=indicator, source_note=entry["source"]))
            results.append(
                figures_import(actor=actor, indicator=indicator, rows=rows, file_name=entry["file"])
            )
    return results


def worldbank_import(
    *, actor: AnyUser | str, path: Path, indicator: str | None = None
) -> list[FigureImport]:
    """Refresh population and GDP from World Bank CSV files (``Country Name,Country Code,Year,
    Value``): ``path`` is one file (its indicator told by ``indicator`` or by its name) or a
    folder holding ``worldbank_population.csv`` and ``worldbank_gdp_current_usd.csv``. Keeps the
    countries and areas of the reference catalogue (the World Bank's aggregates are not States).
    All files or none are stored."""
    if path.is_dir():
        jobs = [(name, path / file) for name, file in WORLDBANK_FILES.items()]
        lacking = [str(file) for _, file in jobs if not file.is_file()]
        if lacking:
            raise ValidationError(_("Not found: %(files)s.") % {"files": ", ".join(lacking)})
    else:
        if indicator is None:
            indicator = next((n for n in WORLDBANK_FILES if n in path.name.lower()), None)
        if indicator not in WORLDBANK_FILES:
            raise ValidationError(
                _("Cannot tell population from GDP by the name %(name)s: give the indicator.")
                % {"name": path.name}
            )
        jobs = [(indicator, path)]
    countries = set(Country.objects.values_list("iso3", flat=True))
    sources = shipped_sources()
    results = []
    with transaction.atomic():
        for name, file in jobs:
            rows = read_worldbank_csv(
                file,
                indicator=name,
                source_note=_worldbank_note(sources[name]["source"], file.name),
                countries=countries,
            )
            results.append(
                figures_import(actor=actor, indicator=name, rows=rows, file_name=file.name)
            )
    return results


def _worldbank_note(shipped: str, file_name: str) -> str:
    # The shipped note names the World Bank series and the copy it was read from; a refreshed
    # file keeps the series but names its own file instead.
    series = shipped.split(", via ", 1)[0]
    return f"{series}, read from {file_name}"[:300]


def undesa_figures_import(*, actor: AnyUser | str, path: Path) -> list[FigureImport]:
    """Refresh refugees and migrant stock from the UN DESA International Migrant Stock 2020
    workbook, read by the data hub's reader (:mod:`solidarity.stats.undesa`), both sexes, for the
    countries and areas of the reference catalogue."""
    from solidarity.stats.undesa import Measure, read_undesa_migrant_stock, undesa_to_rows

    iso3_by_m49 = {int(m49): iso3 for iso3, m49 in Country.objects.values_list("iso3", "m49")}
    sources = shipped_sources()
    reading = read_undesa_migrant_stock(path, tables=[1, 6], file_name=path.name)
    by_measure = {
        Measure.MIGRANT_STOCK.value: "migrant_stock",
        Measure.REFUGEE_STOCK.value: "refugees",
    }
    rows: dict[str, list[FigureRow]] = {"migrant_stock": [], "refugees": []}
    for row in undesa_to_rows(
        reading.records(),
        measures=[Measure.MIGRANT_STOCK, Measure.REFUGEE_STOCK],
        countries_only=True,
    ):
        if row.sex != "_T" or row.m49 not in iso3_by_m49:
            continue
        indicator = by_measure[row.measure]
        rows[indicator].append(
            FigureRow(
                indicator, iso3_by_m49[row.m49], row.year, row.value, sources[indicator]["source"]
            )
        )
    with transaction.atomic():
        return [
            figures_import(actor=actor, indicator=name, rows=found, file_name=path.name)
            for name, found in rows.items()
        ]


@transaction.atomic
def country_group_create(
    *, actor: User, slug: str, name: str, description: str = "", members: Sequence[str]
) -> CountryGroup:
    """Define a group of States (ISO3 codes). Raises ``PermissionDenied`` for anonymous users
    and ``ValidationError`` naming the field at fault."""
    if not can_define_groups(actor):
        raise PermissionDenied
    codes = sorted({code.strip().upper() for code in members if code.strip()})
    known = set(Country.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError(
            {"members": _("Unknown ISO3 codes: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    if len(codes) < 2:
        raise ValidationError({"members": _("A group needs at least two States.")})
    group = CountryGroup(slug=slug, name=name, description=description, created_by=actor)
    group.full_clean()
    group.save()
    group.members.set(Country.objects.filter(iso3__in=codes))
    audit_record(
        actor=actor,
        action="fairshare.group_create",
        obj=group,
        after={"slug": slug, "name": name, "description": description, "members": codes},
    )
    return group


@dataclass(frozen=True)
class OptionInput:
    label: str
    key: dict[str, object]
    burden: Decimal


@transaction.atomic
def consultation_create(
    *,
    actor: User,
    title: str,
    question: str,
    group: str,
    year: int,
    quorum: Decimal,
    majority: str,
    options: Sequence[OptionInput],
) -> Consultation:
    """Draft a consultation with its options (each a key declaration and a burden)."""
    if not can_manage_consultations(actor):
        raise PermissionDenied
    resolved = group_get(spec=group)
    if len(options) < 2:
        raise ValidationError({"options": _("A consultation needs at least two options.")})
    for number, option in enumerate(options, start=1):
        try:
            parse_key(option.key, source=f"option {number}")
        except ValueError as error:
            raise ValidationError({"options": str(error)}) from None
        if option.burden < 0:
            raise ValidationError({"options": _("A burden cannot be negative.")})
    consultation = Consultation(
        title=title,
        question=question,
        group=resolved.spec,
        year=year,
        quorum=quorum,
        majority=majority,
        created_by=actor,
    )
    consultation.full_clean()
    consultation.save()
    ConsultationOption.objects.bulk_create(
        ConsultationOption(
            consultation=consultation, label=o.label, key=o.key, burden=o.burden, order=n
        )
        for n, o in enumerate(options)
    )
    audit_record(
        actor=actor,
        action="fairshare.consultation_create",
        obj=consultation,
        after={
            "title": title,
            "question": question,
            "group": resolved.spec,
            "year": year,
            "quorum": quorum,
            "majority": majority,
            "options": [{"label": o.label, "key": o.key, "burden": o.burden} for o in options],
        },
    )
    return consultation


@transaction.atomic
def consultation_open(*, actor: User, consultation: Consultation) -> Consultation:
    """Open a draft for votes, fixing its eligible States (the group's members now)."""
    if not can_manage_consultations(actor):
        raise PermissionDenied
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != Consultation.Status.DRAFT:
        raise ValidationError(_("Only a draft can be opened."))
    consultation.eligible = list(group_get(spec=consultation.group).states)
    consultation.status = Consultation.Status.OPEN
    consultation.opened_at = timezone.now()
    consultation.save(update_fields=["eligible", "status", "opened_at"])
    audit_record(
        actor=actor,
        action="fairshare.consultation_open",
        obj=consultation,
        before={"status": Consultation.Status.DRAFT},
        after={"status": consultation.status, "eligible": consultation.eligible},
    )
    return consultation


@transaction.atomic
def consultation_close(*, actor: User, consultation: Consultation) -> Consultation:
    """Close an open consultation; its votes and result are published from then on."""
    if not can_manage_consultations(actor):
        raise PermissionDenied
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != Consultation.Status.OPEN:
        raise ValidationError(_("Only an open consultation can be closed."))
    consultation.status = Consultation.Status.CLOSED
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["status", "closed_at"])
    from solidarity.fairshare.selectors import consultation_result

    result = consultation_result(consultation=consultation)
    audit_record(
        actor=actor,
        action="fairshare.consultation_close",
        obj=consultation,
        before={"status": Consultation.Status.OPEN},
        after={
            "status": consultation.status,
            "voted": result.voted,
            "quorum_met": result.quorum_met,
            "tallies": {t.label: t.votes for t in result.tallies},
            "adopted": None if result.adopted is None else result.adopted.label,
        },
    )
    return consultation


@transaction.atomic
def vote_cast(
    *, actor: User, consultation: Consultation, country: str, option: ConsultationOption
) -> Vote:
    """Cast (or change, while the consultation is open) ``country``'s one vote. Only a focal
    point of that State may, and only if the State is eligible."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if country not in states_user_may_vote_for(actor, consultation):
        raise PermissionDenied
    if option.consultation_id != consultation.pk:
        raise ValidationError({"option": _("This option belongs to another consultation.")})
    vote = (
        Vote.objects.select_for_update()
        .filter(consultation=consultation, country_id=country)
        .first()
    )
    before = None if vote is None else {"option": vote.option_id, "cast_by": vote.cast_by_id}
    if vote is None:
        vote = Vote(consultation=consultation, country_id=country)
    elif vote.option_id == option.pk:
        return vote
    vote.option = option
    vote.cast_by = actor
    vote.save()
    audit_record(
        actor=actor,
        action="fairshare.vote_change" if before else "fairshare.vote_cast",
        obj=vote,
        before=before,
        after={"consultation": consultation.pk, "country": country, "option": option.pk},
    )
    return vote
