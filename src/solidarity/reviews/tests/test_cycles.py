"""The shipped cycles, their loader, and what is open when."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from solidarity.audit.models import AuditEntry
from solidarity.reviews.loaders import SHIPPED_CYCLES, CyclesFileError, cycles_load, read_cycles
from solidarity.reviews.models import CyclePhase, ReviewCycle
from solidarity.reviews.selectors import cycle_get, cycle_list

pytestmark = pytest.mark.django_db

REGIONAL = [
    f"RR-{year}-{commission}"
    for year in (2020, 2024)
    for commission in ("ECA", "ECE", "ECLAC", "ESCAP", "ESCWA")
]


def test_the_real_cycles_ship_and_load_once() -> None:
    counts = cycles_load(actor="system:tests")
    assert counts["review cycles changed"] == 12
    codes = set(cycle_list().values_list("code", flat=True))
    assert codes == {"IMRF-2022", "IMRF-2026", *REGIONAL}
    imrf = cycle_get(code="IMRF-2022")
    forum = imrf.phase(CyclePhase.Kind.FORUM)
    assert forum is not None
    assert (forum.starts_on, forum.ends_on) == (
        datetime.date(2022, 5, 17),
        datetime.date(2022, 5, 20),
    )
    assert "73/326" in forum.source
    assert imrf.states.filter(iso3="KEN").exists()
    # Dates nobody can cite stay empty.
    due = cycle_get(code="IMRF-2026").phase(CyclePhase.Kind.STATE_REVIEWS)
    assert due is not None
    assert (due.starts_on, due.ends_on) == (None, None)
    assert cycle_get(code="RR-2020-ECE").commission == "ECE"
    # Every shipped date is in the audit trail, with the loader as its author.
    entry = AuditEntry.objects.get(action="reviews.phase_load", object_id=str(forum.pk))
    assert entry.actor_label == "system:tests"
    assert entry.after == {
        "starts_on": "2022-05-17",
        "ends_on": "2022-05-20",
        "note": forum.note,
        "source": forum.source,
    }
    # Loading again changes nothing and writes no audit row.
    entries = AuditEntry.objects.count()
    assert cycles_load(actor="system:tests") == {
        "review cycles changed": 0,
        "cycle phases changed": 0,
    }
    assert AuditEntry.objects.count() == entries


def test_every_dated_phase_names_its_source() -> None:
    for row in read_cycles(SHIPPED_CYCLES):
        assert row["source"], row["code"]
        for kind, phase in row["phases"].items():
            if phase["starts_on"] or phase["ends_on"]:
                assert phase["source"], (row["code"], kind)


def test_the_loader_keeps_dates_the_secretariat_entered(cast: Any) -> None:
    cycles_load(actor="system:tests")
    phase = cycle_get(code="IMRF-2026").phase(CyclePhase.Kind.FORUM)
    assert phase is not None
    phase.starts_on = phase.ends_on = datetime.date(2026, 5, 5)
    phase.edited_by = cast.reviewer
    phase.edited_at = timezone.now()
    phase.save()
    cycles_load(actor="system:tests")
    phase.refresh_from_db()
    assert phase.starts_on == datetime.date(2026, 5, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cycles: 3\n", "bad.yaml: expected a top-level 'cycles' list"),
        (
            "cycles:\n  - code: X\n    kind: forum\n",
            "bad.yaml: cycle 1 (X): field 'kind' must be one of ['imrf', 'regional']",
        ),
        (
            "cycles:\n  - code: X\n    kind: regional\n    year: 2020\n    title: T\n",
            "bad.yaml: cycle 1 (X): field 'commission' must be one of "
            "['ECA', 'ECE', 'ECLAC', 'ESCAP', 'ESCWA']",
        ),
        (
            "cycles:\n  - code: X\n    kind: imrf\n    year: 2030\n    title: T\n"
            "    phases:\n      forum:\n        starts_on: soon\n",
            "bad.yaml: cycle 1 (X) phase 'forum' field 'starts_on': expected a date "
            "YYYY-MM-DD or null, got 'soon'",
        ),
        (
            "cycles:\n  - code: X\n    kind: imrf\n    year: 2030\n    title: T\n"
            "  - code: X\n    kind: imrf\n    year: 2030\n    title: T\n",
            "bad.yaml: cycle 2 (X): field 'code': this code appears twice",
        ),
    ],
)
def test_a_bad_cycles_file_names_file_cycle_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CyclesFileError) as error:
        cycles_load(actor="system:tests", path=path)
    assert str(error.value) == message
    assert not ReviewCycle.objects.exists()


def test_what_is_open_follows_the_dates(cycle: ReviewCycle) -> None:
    today = timezone.localdate()
    cycle = cycle_get(code=cycle.code)
    open_kinds = {phase.kind for phase in cycle.open_phases(today=today)}
    assert open_kinds == {CyclePhase.Kind.STATE_REVIEWS, CyclePhase.Kind.STAKEHOLDER_INPUTS}
    cycle.opened_at = None
    assert cycle.open_phases(today=today) == []
