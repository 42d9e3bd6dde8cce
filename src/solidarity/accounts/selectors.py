"""Reads of organisations, shared by the CLI and the API so both find the same one."""

from __future__ import annotations

from django.db.models import Q

from solidarity.accounts.models import Organisation


def organisation_find(*, name_or_acronym: str, allow_id: bool = False) -> Organisation | None:
    """The organisation whose name or acronym is ``name_or_acronym`` (case-insensitive), or, with
    ``allow_id``, whose id it is; ``None`` when there is none."""
    text = name_or_acronym.strip()
    query = Q(acronym__iexact=text) | Q(name__iexact=text)
    if allow_id and text.isdigit():
        query |= Q(pk=int(text))
    return Organisation.objects.filter(query).first()


def organisation_get(*, pk: int) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first()
