"""Shared set-up for the testimonies' tests.

The app's own words start with "test" (``testimony_submit``, ``Testimony``), which pytest would
try to collect as tests if imported by name into a test module; the tests import the modules
(``actions``, ``models``) instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from solidarity.reference.models import Country, Objective
from solidarity.testimonies import actions, models


@pytest.fixture(autouse=True)
def _fresh_counters(settings: Any) -> Iterator[None]:
    """Rate-limit counters and form nonces live in the cache: each test starts with none, and
    the time trap is off unless a test turns it on."""
    settings.TESTIMONY_FORM_MIN_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


ALL_USES = list(models.Use.values)


def wording(language: str = "en") -> dict[str, str]:
    return {use: str(models.Use(use).label) for use in ALL_USES}


def submit(
    *,
    text: str = "I crossed the border at night and waited three days for water.",
    granted: set[str] | frozenset[str] = frozenset(ALL_USES),
    destination: str | None = "KEN",
    origin: str | None = None,
    objectives: tuple[int, ...] = (7,),
    **extra: Any,
) -> actions.Receipt:
    return actions.testimony_submit(
        text=text,
        language="en",
        identity_level=extra.pop("identity_level", models.IdentityLevel.ANONYMOUS),
        consents={use: use in granted for use in ALL_USES},
        wording=wording(),
        objectives=list(Objective.objects.filter(number__in=objectives)),
        country_of_destination=Country.objects.get(iso3=destination) if destination else None,
        country_of_origin=Country.objects.get(iso3=origin) if origin else None,
        place_names=["Kenya", "Mexico", "Somalia"],
        **extra,
    )


def release(testimony: models.Testimony, moderator: Any) -> None:
    actions.testimony_moderate(
        actor=moderator,
        testimony=testimony,
        decision="publish",
        could_endanger="no",
        reason="No identifying detail left.",
        confirmed_flags=[flag.pk for flag in testimony.flags.all()],
    )
