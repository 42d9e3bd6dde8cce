"""Reads of testimonies, all through one consent gate.

:func:`testimonies_for_use` is the only function that decides which testimonies a use may see.
Public pages, the API, the CSV exports, the pages that share testimonies with States and the UN,
and — once it exists — the State dossier (issue 8) read through it, so a use the consent does not
cover, a withdrawn consent, a withdrawn testimony or one no moderator has released is blocked in
all of them at once. The tests check each consent choice against each of these readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from solidarity.reference.models import Country, Objective
from solidarity.testimonies.crypto import unseal
from solidarity.testimonies.models import Consent, Testimony, Use


class StateRequiredError(ValueError):
    """Sharing with a State needs the State: a focal point sees only their own State's share."""


def _consent_in_force(use: str) -> Exists:
    return Exists(
        Consent.objects.filter(
            testimony=OuterRef("pk"), use=use, granted=True, withdrawn_at__isnull=True
        )
    )


def testimonies_for_use(
    use: Use | str,
    *,
    state: Country | str | None = None,
    objective: Objective | int | None = None,
) -> QuerySet[Testimony]:
    """The testimonies ``use`` may draw on: consent to keep them and to this use, both granted and
    not withdrawn; for every use but keeping them, released by a moderator. ``state`` (required
    for :attr:`Use.SHARE_STATE`) keeps those whose country of origin, transit or destination it
    is; ``objective`` those linked to that GCM objective.
    """
    use = Use(use)
    queryset = Testimony.objects.exclude(status=Testimony.Status.WITHDRAWN).filter(
        _consent_in_force(Use.STORE)
    )
    if use != Use.STORE:
        queryset = queryset.filter(_consent_in_force(use), status=Testimony.Status.PUBLISHED)
    if use == Use.SHARE_STATE and state is None:
        raise StateRequiredError("Sharing with a State needs the State (its ISO3 code).")
    if state is not None:
        code = state.iso3 if isinstance(state, Country) else state.upper()
        queryset = queryset.filter(
            Q(country_of_origin=code) | Q(country_of_transit=code) | Q(country_of_destination=code)
        )
    if objective is not None:
        number = objective.number if isinstance(objective, Objective) else objective
        queryset = queryset.filter(objectives__number=number).distinct()
    return queryset.select_related(
        "country_of_origin", "country_of_transit", "country_of_destination"
    ).prefetch_related("objectives")


def testimony_for_use(
    use: Use | str, *, public_id: Any, state: Country | str | None = None
) -> Testimony:
    """One testimony through the same gate; :class:`Testimony.DoesNotExist` when the use may not
    see it (or the identifier is malformed)."""
    try:
        return testimonies_for_use(use, state=state).get(public_id=public_id)
    except (ValueError, TypeError):
        raise Testimony.DoesNotExist from None


@dataclass(frozen=True)
class SharedTestimony:
    """What a use receives: the moderator's redacted text and the attribution the person chose,
    with the filters' columns. Never the original text or contact details."""

    testimony: Testimony
    text: str
    attribution: str


def shared_testimonies(
    use: Use | str,
    *,
    state: Country | str | None = None,
    objective: Objective | int | None = None,
) -> list[SharedTestimony]:
    """:func:`testimonies_for_use` with each redacted text opened, for pages, API and exports."""
    return [
        redacted(testimony)
        for testimony in testimonies_for_use(use, state=state, objective=objective)
    ]


def shared_testimony(
    use: Use | str, *, public_id: Any, state: Country | str | None = None
) -> SharedTestimony:
    return redacted(testimony_for_use(use, public_id=public_id, state=state))


def redacted(testimony: Testimony) -> SharedTestimony:
    """The redacted text of a testimony the gate let through (for paginated pages, which take a
    page of :func:`testimonies_for_use` and open only that page)."""
    document = unseal(testimony.sealed_redacted)
    return SharedTestimony(
        testimony=testimony,
        text=str(document.get("text", "")),
        attribution=str(document.get("attribution", "")),
    )


def moderation_queue() -> QuerySet[Testimony]:
    """Testimonies kept with consent and waiting for a moderator, oldest first. Their text stays
    sealed here: reading it is the audited action ``testimony_reveal``."""
    return (
        testimonies_for_use(Use.STORE)
        .filter(status=Testimony.Status.RECEIVED)
        .order_by("created_at", "id")
    )


def moderated_list() -> QuerySet[Testimony]:
    """Testimonies a moderator has already decided on, most recent first."""
    return testimonies_for_use(Use.STORE).exclude(status=Testimony.Status.RECEIVED)
