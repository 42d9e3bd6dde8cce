"""Changes to a State's profile, made by its focal points (or administrators)."""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied
from django.db import transaction

from solidarity.accounts.models import User
from solidarity.accounts.permissions import can_edit_state_profile
from solidarity.audit.actions import audit_record, audit_snapshot
from solidarity.reference.models import Country
from solidarity.states.models import StateProfile

EDITABLE_FIELDS = (
    "coordinating_institution",
    "implementation_plan_url",
    "gcm_champion",
    "summary",
)


class StateProfileFields(TypedDict, total=False):
    coordinating_institution: str
    implementation_plan_url: str
    gcm_champion: bool
    summary: str


@transaction.atomic
def state_profile_update(
    *, actor: User, country: Country, **fields: Unpack[StateProfileFields]
) -> StateProfile:
    """Change the profile of ``country`` (creating it on first use) and record the fields before
    and after. Raises :class:`~django.core.exceptions.PermissionDenied` unless ``actor`` is a focal
    point of that State or an administrator — then nothing is written — and
    :class:`~django.core.exceptions.ValidationError` for an invalid value (a malformed address).
    """
    if not can_edit_state_profile(actor, country):
        raise PermissionDenied
    profile = StateProfile.objects.select_for_update().filter(country=country).first()
    created = profile is None
    if profile is None:
        profile = StateProfile(country=country)
    before = None if created else audit_snapshot(profile, fields=EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.updated_by = actor
    profile.full_clean()
    after = audit_snapshot(profile, fields=EDITABLE_FIELDS)
    if not created and before == after:
        return profile
    profile.save()
    audit_record(
        actor=actor,
        action="state_profile.create" if created else "state_profile.update",
        obj=profile,
        before=before,
        after=after,
    )
    return profile
