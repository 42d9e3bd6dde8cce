"""The review cycles shipped as reference data (``data/cycles.yaml``), so that a fresh install
has IMRF-2022, IMRF-2026 and the regional review rounds of 2020-21 and 2024-25.

Loading is idempotent: cycles are matched by code and updated in place. Phase dates the
secretariat has edited in the platform are never overwritten by the file, and neither is whether
a cycle was opened.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from solidarity.audit.actions import audit_record, audit_snapshot
from solidarity.reference.models import Country
from solidarity.reviews.models import CyclePhase, ReviewCycle

SHIPPED_CYCLES = Path(__file__).resolve().parent / "data" / "cycles.yaml"

_CYCLE_FIELDS = ("kind", "commission", "year", "title", "description", "source")
_PHASE_FIELDS = ("starts_on", "ends_on", "note", "source")


class CyclesFileError(ValueError):
    """A cycles file that cannot be loaded; the message names the file, the cycle and the
    field."""


def _fail(path: Path, where: str, message: str) -> CyclesFileError:
    return CyclesFileError(f"{path.name}: {where}: {message}")


def _date(value: object, path: Path, where: str) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    raise _fail(path, where, f"expected a date YYYY-MM-DD or null, got {value!r}")


def read_cycles(path: Path) -> list[dict[str, Any]]:
    """Read and check a cycles file; every problem names the file, the cycle and the field."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CyclesFileError(f"{path.name}: not valid YAML: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("cycles"), list):
        raise CyclesFileError(f"{path.name}: expected a top-level 'cycles' list")
    kinds = {k.value for k in ReviewCycle.Kind}
    commissions = {c.value for c in ReviewCycle.Commission}
    phase_kinds = {k.value for k in CyclePhase.Kind}
    seen: set[str] = set()
    cycles = []
    for index, row in enumerate(document["cycles"], start=1):
        where = f"cycle {index}"
        if not isinstance(row, dict):
            raise _fail(path, where, "expected a mapping")
        code = row.get("code")
        if not isinstance(code, str) or not code.strip():
            raise _fail(path, where, "field 'code' is required")
        where = f"cycle {index} ({code})"
        if code in seen:
            raise _fail(path, where, "field 'code': this code appears twice")
        seen.add(code)
        if row.get("kind") not in kinds:
            raise _fail(path, where, f"field 'kind' must be one of {sorted(kinds)}")
        commission = row.get("commission") or ""
        if row["kind"] == "regional" and commission not in commissions:
            raise _fail(path, where, f"field 'commission' must be one of {sorted(commissions)}")
        if row["kind"] == "imrf" and commission:
            raise _fail(path, where, "field 'commission': an IMRF has no regional commission")
        if not isinstance(row.get("year"), int):
            raise _fail(path, where, "field 'year' must be a year such as 2026")
        if not isinstance(row.get("title"), str) or not row["title"].strip():
            raise _fail(path, where, "field 'title' is required")
        states = row.get("states")
        if states not in (None, "un_members"):
            raise _fail(path, where, "field 'states' must be 'un_members' or left out")
        phases = row.get("phases") or {}
        if not isinstance(phases, dict):
            raise _fail(path, where, "field 'phases' must be a mapping of phase to dates")
        checked_phases = {}
        for kind in phase_kinds:
            phase = phases.get(kind) or {}
            phase_where = f"{where} phase '{kind}'"
            if not isinstance(phase, dict):
                raise _fail(path, phase_where, "expected a mapping")
            starts = _date(phase.get("starts_on"), path, f"{phase_where} field 'starts_on'")
            ends = _date(phase.get("ends_on"), path, f"{phase_where} field 'ends_on'")
            if starts and ends and ends < starts:
                raise _fail(path, phase_where, "field 'ends_on' is before 'starts_on'")
            checked_phases[kind] = {
                "starts_on": starts,
                "ends_on": ends,
                "note": str(phase.get("note") or "").strip(),
                "source": str(phase.get("source") or "").strip(),
            }
        unknown = set(phases) - phase_kinds
        if unknown:
            raise _fail(path, where, f"unknown phase {sorted(unknown)[0]!r}")
        cycles.append(
            {
                "code": code.strip(),
                "kind": row["kind"],
                "commission": commission,
                "year": row["year"],
                "title": row["title"].strip(),
                "description": str(row.get("description") or "").strip(),
                "source": str(row.get("source") or "").strip(),
                "states": states,
                "phases": checked_phases,
            }
        )
    return cycles


def cycles_load(*, actor: str, path: Path = SHIPPED_CYCLES) -> dict[str, int]:
    """Create or refresh the cycles of ``path`` (the shipped file by default), atomically.
    Returns how many cycles and phases were created or changed."""
    rows = read_cycles(path)
    counts = {"review cycles changed": 0, "cycle phases changed": 0}
    with transaction.atomic():
        un_members = None
        for row in rows:
            cycle = ReviewCycle.objects.filter(code=row["code"]).first()
            values = {name: row[name] for name in _CYCLE_FIELDS}
            if cycle is None:
                cycle = ReviewCycle.objects.create(code=row["code"], **values)
                audit_record(actor=actor, action="reviews.cycle_load", obj=cycle, after=values)
                counts["review cycles changed"] += 1
            else:
                before = audit_snapshot(cycle, fields=_CYCLE_FIELDS)
                if before != audit_snapshot(ReviewCycle(**values), fields=_CYCLE_FIELDS):
                    for name, value in values.items():
                        setattr(cycle, name, value)
                    cycle.save(update_fields=list(_CYCLE_FIELDS))
                    audit_record(
                        actor=actor,
                        action="reviews.cycle_load",
                        obj=cycle,
                        before=before,
                        after=audit_snapshot(cycle, fields=_CYCLE_FIELDS),
                    )
                    counts["review cycles changed"] += 1
            if row["states"] == "un_members":
                if un_members is None:
                    un_members = list(Country.objects.filter(un_member=True))
                # Adds, never removes: the secretariat may have added observers.
                cycle.states.add(*un_members)
            existing = {phase.kind: phase for phase in cycle.phases.all()}
            for kind, values in row["phases"].items():
                phase = existing.get(kind)
                if phase is None:
                    phase = CyclePhase.objects.create(cycle=cycle, kind=kind, **values)
                    if any(values.values()):
                        audit_record(
                            actor=actor,
                            action="reviews.phase_load",
                            obj=phase,
                            after=audit_snapshot(phase, fields=_PHASE_FIELDS),
                        )
                    counts["cycle phases changed"] += 1
                    continue
                if phase.edited_at is not None:
                    continue
                before = audit_snapshot(phase, fields=_PHASE_FIELDS)
                for name, value in values.items():
                    setattr(phase, name, value)
                after = audit_snapshot(phase, fields=_PHASE_FIELDS)
                if before != after:
                    phase.save(update_fields=list(_PHASE_FIELDS))
                    audit_record(
                        actor=actor,
                        action="reviews.phase_load",
                        obj=phase,
                        before=before,
                        after=after,
                    )
                    counts["cycle phases changed"] += 1
    return counts
