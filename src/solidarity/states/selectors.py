"""Reads of State profiles. Profiles are public: anyone may read what a State says of itself."""

from __future__ import annotations

from solidarity.reference.models import Country
from solidarity.states.models import StateProfile


def state_profile_get(*, country: Country) -> StateProfile | None:
    """The profile of ``country``, or ``None`` when its focal points have not written one yet."""
    return StateProfile.objects.filter(country=country).select_related("country").first()
