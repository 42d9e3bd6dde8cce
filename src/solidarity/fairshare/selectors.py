"""Reads for fair sharing: groups of States, the reference figures of a year, a whole calculation
(key, group, year, burden, actual measure, sensitivity), consultations and their results.

The arithmetic is :mod:`solidarity.stats.fairshare`'s; this module only gathers its inputs from the
database and the shipped data, so the web page, the API and the command line compute the same.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from solidarity.accounts.permissions import AnyUser
from solidarity.fairshare.models import Consultation, CountryGroup, ReferenceFigure, Vote
from solidarity.fairshare.permissions import can_manage_consultations
from solidarity.reference.models import Country, Region
from solidarity.stats.fairshare import (
    FairShareTable,
    Key,
    KeyShares,
    MissingFigure,
    NoUsableStates,
    ShareRange,
    fair_shares,
    key_shares,
    merge_figures,
    sensitivity,
    weight_family,
)

#: The measures of what a State actually does, and the indicator each reads.
ACTUAL_MEASURES = {
    "refugees": "refugees",
    "migrant-stock": "migrant_stock",
    "disbursed-usd": "disbursed_usd",
}


class UnknownGroup(ValueError):  # noqa: N818 (reads as what it is: an unknown group)
    """A group specification that names no group: ``EU27``, ``UN``, ``M49:<code>`` or
    ``GROUP:<slug>`` are understood."""


@dataclass(frozen=True)
class Group:
    spec: str
    name: str
    states: tuple[str, ...]


@cache
def _shipped(name: str) -> str:
    return resources.files("solidarity.fairshare").joinpath("data", name).read_text("utf-8")


def shipped_sources() -> dict[str, Any]:
    sources: dict[str, Any] = json.loads(_shipped("sources.json"))
    return sources


def eu27_states() -> tuple[str, ...]:
    return tuple(row["iso3"] for row in csv.DictReader(_shipped("eu27.csv").splitlines()))


def group_get(*, spec: str) -> Group:
    """The States of a group, as ISO3 codes in name order.

    ``EU27``; ``UN`` (the 193 UN Member States); ``M49:<code>`` (the UN Member States in an M49
    region, sub-region or intermediate region — territories are not States and have no vote or
    share); ``GROUP:<slug>`` (a user-defined group).
    """
    text = spec.strip()
    upper = text.upper()
    if upper == "EU27":
        codes = set(eu27_states())
        states = Country.objects.filter(iso3__in=codes).order_by("name")
        return Group("EU27", _("European Union (27 Member States)"), _codes(states))
    if upper == "UN":
        states = Country.objects.filter(un_member=True).order_by("name")
        return Group("UN", _("All UN Member States"), _codes(states))
    if upper.startswith("M49:"):
        code = text[4:].strip()
        region = Region.objects.filter(m49=code).first()
        if region is None:
            raise UnknownGroup(_("No M49 region with code %(code)s.") % {"code": repr(code)})
        states = (
            Country.objects.filter(un_member=True)
            .filter(Q(region_id=code) | Q(subregion_id=code) | Q(intermediate_region_id=code))
            .order_by("name")
        )
        return Group(f"M49:{code}", region.localized("name"), _codes(states))
    if upper.startswith("GROUP:"):
        slug = text[6:].strip()
        group = CountryGroup.objects.filter(slug=slug).first()
        if group is None:
            raise UnknownGroup(_("No group named %(slug)s.") % {"slug": repr(slug)})
        return Group(f"GROUP:{slug}", group.name, _codes(group.members.order_by("name")))
    raise UnknownGroup(
        _("Unknown group %(spec)s: use EU27, UN, M49:<code> or GROUP:<name>.")
        % {"spec": repr(spec)}
    )


def _codes(countries: QuerySet[Country]) -> tuple[str, ...]:
    return tuple(countries.values_list("iso3", flat=True))


def group_choices() -> list[tuple[str, str]]:
    """Every group the calculator offers: EU27, UN, M49 regions and sub-regions, user groups."""
    choices = [("EU27", _("European Union (27 Member States)")), ("UN", _("All UN Member States"))]
    for region in Region.objects.filter(
        level__in=[Region.Level.REGION, Region.Level.SUBREGION]
    ).order_by("level", "m49"):
        choices.append((f"M49:{region.m49}", f"M49 {region.m49} · {region.localized('name')}"))
    for group in CountryGroup.objects.order_by("name"):
        choices.append((f"GROUP:{group.slug}", group.name))
    return choices


def region_columns(*, states: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The States grouped by their smallest M49 region (intermediate region, else sub-region,
    else region), ordered by region and code — the columns of the tile map. One query."""
    columns: dict[tuple[str, str], tuple[str, list[str]]] = {}
    countries = Country.objects.filter(iso3__in=states).select_related(
        "region", "subregion", "intermediate_region"
    )
    for country in countries.order_by("name"):
        area = country.intermediate_region or country.subregion or country.region
        region_code = country.region_id or ""
        name = area.localized("name") if area is not None else _("No region")
        code = area.m49 if area is not None else ""
        columns.setdefault((region_code, code), (name, []))[1].append(country.iso3)
    return [columns[position] for position in sorted(columns)]


def country_group_list() -> QuerySet[CountryGroup]:
    return CountryGroup.objects.prefetch_related("members").order_by("name")


@dataclass(frozen=True)
class FigureSet:
    """The figures of one year and where each indicator's figures come from."""

    year: int
    values: dict[str, dict[str, Decimal | None]]
    sources: dict[str, list[str]]


def figures_for(*, indicators: Sequence[str], year: int, states: Sequence[str]) -> FigureSet:
    """The reference figures of ``year`` (that year only: no figure is carried over from another
    year) for ``states``, with their sources; one query."""
    values: dict[str, dict[str, Decimal | None]] = {name: {} for name in indicators}
    sources: dict[str, set[str]] = {name: set() for name in indicators}
    rows = ReferenceFigure.objects.filter(
        indicator__in=indicators, year=year, iso3__in=states
    ).values_list("indicator", "iso3", "value", "source")
    for indicator, iso3, value, source in rows:
        values[indicator][iso3] = value
        sources[indicator].add(source)
    return FigureSet(year, values, {name: sorted(found) for name, found in sources.items()})


def figure_years(*, indicator: str) -> list[int]:
    return list(
        ReferenceFigure.objects.filter(indicator=indicator)
        .values_list("year", flat=True)
        .distinct()
        .order_by("year")
    )


#: Where the "disbursed-usd" measure comes from, shown with every result that uses it.
DISBURSED_SOURCE = (
    "Solidarity commitments registry: US$ disbursed (IATI transaction types 3 and 4) in the year "
    "by the State, on its published pledges and in imported IATI activities"
)


def disbursed_usd(*, states: Sequence[str], year: int) -> dict[str, Decimal | None]:
    """Money disbursed by each State in ``year``, read from the commitments registry; a State
    with nothing recorded there has no figure (unknown, not zero)."""
    # The registry is another bounded context: read it only through its own selector.
    from solidarity.commitments.selectors import disbursed_usd_by_state

    totals = disbursed_usd_by_state(year=year)
    return {state: totals.get(state) for state in states}


@dataclass(frozen=True)
class Calculation:
    """Everything the calculator shows, for the page, the API, the downloads and the CLI."""

    key: Key
    group: Group
    year: int
    figures: FigureSet
    shares: KeyShares | None
    table: FairShareTable | None
    ranges: dict[str, ShareRange]
    family_size: int
    actual: str | None
    actual_sources: list[str]
    names: dict[str, str]
    missing: tuple[MissingFigure, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return not self.missing


def calculate(
    *,
    key: Key,
    group: Group,
    year: int,
    burden: Decimal | None,
    actual: str | None = None,
    extra_figures: Mapping[str, Mapping[str, Decimal | None]] | None = None,
    step: Fraction = Fraction(1, 20),
    spread: Fraction = Fraction(1, 5),
) -> Calculation:
    """Key shares, fair shares, gaps, ratios and sensitivity of ``key`` over ``group``.

    ``actual`` is one of `ACTUAL_MEASURES` (or None); ``burden`` None takes the total of the
    actual measure. ``extra_figures`` (a user's file) win over the reference figures. Raises
    `solidarity.stats.fairshare.FairShareError`.
    """
    wanted = list(key.indicators)
    actual_indicator = None
    if actual is not None:
        actual_indicator = ACTUAL_MEASURES[actual]
        if actual_indicator not in wanted and actual_indicator != "disbursed_usd":
            wanted.append(actual_indicator)
    figures = figures_for(indicators=wanted, year=year, states=group.states)
    if actual_indicator == "disbursed_usd":
        figures.values["disbursed_usd"] = disbursed_usd(states=group.states, year=year)
        figures.sources["disbursed_usd"] = [DISBURSED_SOURCE]
    values = merge_figures(figures.values, extra_figures or {})
    names = dict(Country.objects.filter(iso3__in=group.states).values_list("iso3", "name"))
    try:
        shares = key_shares(key, figures=values, states=group.states)
    except NoUsableStates as error:
        missing: tuple[MissingFigure, ...] = getattr(error, "missing", ())
        return Calculation(key, group, year, figures, None, None, {}, 0, actual, [], names, missing)
    table = fair_shares(
        shares,
        burden=burden,
        actual=None if actual_indicator is None else values.get(actual_indicator, {}),
        actual_indicator=actual_indicator,
    )
    family = weight_family(key, step=step, spread=spread)
    ranges = sensitivity(shares, family=family)
    missing = shares.missing + tuple(
        MissingFigure(row.iso3, actual_indicator, "no figure")
        for row in table.rows
        if actual_indicator is not None and actual_indicator in row.missing
    )
    return Calculation(
        key,
        group,
        year,
        figures,
        shares,
        table,
        ranges,
        len(family),
        actual,
        figures.sources.get(actual_indicator or "", []),
        names,
        missing,
    )


def consultation_list(*, user: AnyUser | None) -> QuerySet[Consultation]:
    """Open and closed consultations for everyone; drafts too for those who manage them."""
    consultations = Consultation.objects.order_by("-created_at", "-id")
    if not can_manage_consultations(user):
        consultations = consultations.exclude(status=Consultation.Status.DRAFT)
    return consultations


def consultation_get(*, user: AnyUser | None, pk: int) -> Consultation:
    """Raises ``Consultation.DoesNotExist`` also for a draft the user may not see."""
    return consultation_list(user=user).prefetch_related("options").get(pk=pk)


@dataclass(frozen=True)
class OptionTally:
    option_id: int
    label: str
    votes: int


@dataclass(frozen=True)
class ConsultationResult:
    """The count under the consultation's rules. One State, one vote: every vote counts one."""

    eligible: int
    voted: int
    quorum_needed: int
    quorum_met: bool
    tallies: list[OptionTally]
    threshold: int
    adopted: OptionTally | None
    votes: list[Vote]


def consultation_result(*, consultation: Consultation) -> ConsultationResult:
    """Turnout, quorum, the count per option and the option adopted (if any).

    Quorum: at least ``ceil(quorum * eligible)`` States voted. Majority: ``simple`` more than half
    of the votes cast; ``absolute`` more than half of the eligible States; ``two_thirds`` at least
    two thirds of the votes cast. No option is adopted without quorum or on a tie below the
    threshold.
    """
    votes = list(Vote.objects.filter(consultation=consultation).select_related("option", "country"))
    counts = Counter(vote.option_id for vote in votes)
    tallies = [
        OptionTally(option.pk, option.label, counts.get(option.pk, 0))
        for option in consultation.options.all()
    ]
    eligible = len(consultation.eligible)
    voted = len(votes)
    quorum = Fraction(str(consultation.quorum))
    quorum_needed = math.ceil(quorum * eligible)
    quorum_met = voted >= quorum_needed and voted > 0
    if consultation.majority == Consultation.Majority.ABSOLUTE:
        threshold = eligible // 2 + 1
    elif consultation.majority == Consultation.Majority.TWO_THIRDS:
        threshold = -((-2 * voted) // 3)
    else:
        threshold = voted // 2 + 1
    adopted = None
    if quorum_met:
        winners = [tally for tally in tallies if tally.votes >= max(threshold, 1)]
        if len(winners) == 1:
            adopted = winners[0]
    return ConsultationResult(
        eligible, voted, quorum_needed, quorum_met, tallies, threshold, adopted, votes
    )
