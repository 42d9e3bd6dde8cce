"""Fixtures of the review tests: a cycle whose phases are dated around today, so that what is
open does not depend on the day the tests run."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from solidarity.reviews.models import CyclePhase, ReviewCycle

DAY = datetime.timedelta(days=1)


def set_phase(cycle: ReviewCycle, kind: str, starts: int | None, ends: int | None) -> CyclePhase:
    """Date ``kind`` from ``starts`` to ``ends`` days from today (``None``: no date)."""
    today = timezone.localdate()
    phase, _ = CyclePhase.objects.update_or_create(
        cycle=cycle,
        kind=kind,
        defaults={
            "starts_on": None if starts is None else today + starts * DAY,
            "ends_on": None if ends is None else today + ends * DAY,
        },
    )
    return phase


@pytest.fixture
def cycle(cast: Any) -> ReviewCycle:
    """IMRF-2030, opened, with Kenya and Mexico taking part, State reviews and stakeholder
    inputs both open today."""
    cycle = ReviewCycle.objects.create(
        code="IMRF-2030",
        kind=ReviewCycle.Kind.IMRF,
        year=2030,
        title="International Migration Review Forum 2030",
        opened_at=timezone.now(),
    )
    cycle.states.add(cast.kenya, cast.mexico)
    set_phase(cycle, CyclePhase.Kind.CALL_FOR_INPUTS, -30, -1)
    set_phase(cycle, CyclePhase.Kind.STATE_REVIEWS, -10, 10)
    set_phase(cycle, CyclePhase.Kind.STAKEHOLDER_INPUTS, -10, 20)
    set_phase(cycle, CyclePhase.Kind.FORUM, 30, 33)
    set_phase(cycle, CyclePhase.Kind.FOLLOW_UP, 34, 400)
    return cycle
