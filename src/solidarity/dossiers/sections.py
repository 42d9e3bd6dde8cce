"""The sections of a State's dossier that other apps' data fill: each reads through that app's own
selectors (never its models' managers), and says where its figures come from, as of when, and
plainly what is missing.

The review's own sections (the State's review, stakeholders' views, follow-up) are built in
:mod:`solidarity.dossiers.selectors`, beside the visibility rule that depends on them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from solidarity.commitments import selectors as commitments
from solidarity.fairshare import selectors as fairshare
from solidarity.indicators import publication
from solidarity.indicators import selectors as indicators
from solidarity.indicators.models import Code
from solidarity.reference.models import Country
from solidarity.rights import selectors as rights
from solidarity.stats.fairshare import FairShareError, FairShareRow, preset_key
from solidarity.testimonies import selectors as testimonies
from solidarity.testimonies.models import Use

#: The fair-share key the dossier shows: the calculator's default (docs/fair-sharing.md).
FAIR_SHARE_KEY = "eu2024"
#: Recommendations (clusters of near-duplicates) listed per objective on the page and in the PDF,
#: newest first; all of them are on the rights pages and in the API. Keeps a dossier readable and
#: its PDF fast for States with hundreds of recommendations.
RECOMMENDATIONS_SHOWN = 10
#: What a State actually does, set against its fair share: refugees and asylum seekers hosted.
FAIR_SHARE_ACTUAL = "refugees"


@dataclass(frozen=True)
class Source:
    """Where a section's figures come from, and as of when (a date, or a year or period as the
    source gives it; empty when the source gives none)."""

    label: str
    as_of: str = ""
    url: str = ""


@dataclass
class Section:
    """One part of the dossier. ``missing`` is a sentence saying what is not there yet (empty
    when the section has data); ``summary`` one line for the index and the command line."""

    key: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    missing: str = ""
    summary: str = ""

    @property
    def is_missing(self) -> bool:
        return bool(self.missing)


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat()


# -- Testimonies ---------------------------------------------------------------------------------


def testimonies_section(*, state: Country) -> Section:
    """Testimonies about the State whose authors consented to their publication, released by a
    moderator, in their redacted form only (the testimonies' consent gate decides)."""
    shared = testimonies.shared_testimonies(Use.PUBLISH, state=state)
    section = Section(key="testimonies", title=_("Testimonies"))
    section.data = {"testimonies": shared}
    latest = max(
        (item.testimony.moderated_at for item in shared if item.testimony.moderated_at),
        default=None,
    )
    section.sources = [
        Source(
            _(
                "Testimonies given to Solidarity, published with their authors' consent after "
                "moderation and redaction"
            ),
            _date(latest),
        )
    ]
    if not shared:
        section.missing = _(
            "No testimony about this State has been published with its author's consent yet."
        )
    section.summary = ngettext(
        "%(count)s testimony published with consent.",
        "%(count)s testimonies published with consent.",
        len(shared),
    ) % {"count": len(shared)}
    return section


# -- Human-rights recommendations and ratifications ----------------------------------------------


def recommendations_section(*, state: Country) -> Section:
    """The State's human-rights recommendations that bear on a GCM objective, by objective, with
    their implementation status and the assessments of others."""
    recommendations = rights.recommendation_list(
        rights.RecommendationFilters(country=state.iso3)
    ).prefetch_related(Prefetch("assessments"))
    groups = rights.recommendations_by_objective(recommendations)
    mapped = [group for group in groups if group.objective is not None]
    unmapped = sum(group.count for group in groups if group.objective is None)
    everything = {r.pk: r for g in groups for c in g.clusters for r in c.recommendations}
    statuses: dict[str, int] = {}
    for recommendation in everything.values():
        label = recommendation.get_status_display() if recommendation.status else _("no status")
        statuses[label] = statuses.get(label, 0) + 1
    mechanisms = sorted({r.mechanism.name for r in everything.values()})
    newest = max((r.published_on for r in everything.values() if r.published_on), default=None)
    section = Section(key="recommendations", title=_("Human-rights recommendations"))
    section.data = {
        "groups": mapped,
        "unmapped": unmapped,
        "statuses": statuses,
        "shown": RECOMMENDATIONS_SHOWN,
        "shown_slice": f":{RECOMMENDATIONS_SHOWN}",
    }
    section.sources = [
        Source(
            _("UN human-rights mechanisms: %(mechanisms)s")
            % {"mechanisms": ", ".join(mechanisms) or _("none")},
            _date(newest),
        )
    ]
    if not mapped:
        section.missing = (
            _("No human-rights recommendation to this State is mapped to a GCM objective yet.")
            if everything
            else _("No human-rights recommendation to this State has been imported yet.")
        )
    section.summary = _(
        "%(mapped)s recommendations on %(objectives)s objectives (%(unmapped)s not mapped)."
    ) % {
        "mapped": len({r.pk for g in mapped for c in g.clusters for r in c.recommendations}),
        "objectives": len(mapped),
        "unmapped": unmapped,
    }
    return section


def ratifications_section(*, state: Country) -> Section:
    rows = rights.country_ratifications(country=state)
    known = [(treaty, ratification) for treaty, ratification in rows if ratification is not None]
    section = Section(key="ratifications", title=_("Treaty ratifications"))
    section.data = {"rows": rows}
    sources: dict[tuple[str, str], Source] = {}
    for _treaty, ratification in known:
        sources.setdefault(
            (ratification.source, ratification.as_of),
            Source(ratification.source, ratification.as_of),
        )
    section.sources = list(sources.values())
    if not known:
        section.missing = _(
            "No ratification of the catalogue's treaties is recorded for this State."
        )
    parties = sum(1 for _t, r in known if r.status == "party")
    section.summary = _("Party to %(parties)s of %(treaties)s treaties and conventions.") % {
        "parties": parties,
        "treaties": len(rows),
    }
    return section


# -- Indicators ----------------------------------------------------------------------------------


def indicators_section(*, state: Country) -> Section:
    """The published data about the State, per indicator, with the breakdowns its data have and
    those missing: the data hub's own coverage report, for this State."""
    section = Section(key="indicators", title=_("Indicators and their disaggregation"))
    try:
        ref_area = indicators.ref_area_get(iso3_or_m49=state.iso3)
    except Code.DoesNotExist:
        section.missing = _("The data hub has no reference area for this State.")
        section.summary = section.missing
        return section
    rows = publication.coverage_report(ref_area=ref_area)
    versions = list(publication.public_versions(ref_area=ref_area))
    published = [row for row in rows if row.published]
    section.data = {"rows": rows, "published": published}
    section.sources = [
        Source(
            _("%(provider)s, %(indicator)s, version %(number)s")
            % {
                "provider": version.dataset.provider.name,
                "indicator": version.dataset.indicator_id,
                "number": version.number,
            },
            _date(version.published_at),
        )
        for version in versions
    ]
    if not published:
        section.missing = _("No indicator data about this State has been published yet.")
    section.summary = _(
        "%(published)s of %(indicators)s indicators with published data; "
        "%(complete)s fully disaggregated."
    ) % {
        "published": len(published),
        "indicators": len(rows),
        "complete": sum(1 for row in published if not row.missing),
    }
    return section


# -- Pledges and money ---------------------------------------------------------------------------


def pledges_section(*, state: Country) -> Section:
    """The published pledges the State makes or joins, with the money pledged, committed and
    disbursed in US dollars. Drafts never appear: the dossier is a public document."""
    pledges = list(
        commitments.pledge_list(
            user=None,
            filters=commitments.PledgeFilters(state=state.iso3, status="published"),
        )
    )
    totals = {"pledged": Decimal(0), "committed": Decimal(0), "disbursed": Decimal(0)}
    not_converted = 0
    for pledge in pledges:
        totals["pledged"] += pledge.pledged_usd or 0  # type: ignore[attr-defined]
        totals["committed"] += pledge.committed_usd or 0  # type: ignore[attr-defined]
        totals["disbursed"] += pledge.disbursed_usd or 0  # type: ignore[attr-defined]
        not_converted += pledge.not_converted  # type: ignore[attr-defined]
    section = Section(key="pledges", title=_("Pledges and money"))
    section.data = {"pledges": pledges, "totals": totals, "not_converted": not_converted}
    newest = max((p.published_at or p.updated_at for p in pledges), default=None)
    section.sources = [
        Source(
            _(
                "Solidarity commitments registry: published pledges and their IATI transactions, "
                "in US dollars at the ECB rate of the transaction's date"
            ),
            _date(newest),
        )
    ]
    if not pledges:
        section.missing = _("This State has made or joined no published pledge yet.")
    section.summary = ngettext(
        "%(count)s pledge; US$ %(pledged)s pledged, %(committed)s committed, "
        "%(disbursed)s disbursed.",
        "%(count)s pledges; US$ %(pledged)s pledged, %(committed)s committed, "
        "%(disbursed)s disbursed.",
        len(pledges),
    ) % {
        "count": len(pledges),
        "pledged": f"{totals['pledged']:,.0f}",
        "committed": f"{totals['committed']:,.0f}",
        "disbursed": f"{totals['disbursed']:,.0f}",
    }
    return section


# -- Fair share ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FairSharePosition:
    """One State's line of the fair-share table, in decimals for display (the arithmetic
    itself is exact, in fractions)."""

    key_share: Decimal | None
    fair_share: Decimal | None
    actual: Decimal | None
    gap: Decimal | None
    ratio: Decimal | None
    missing: tuple[str, ...]

    @classmethod
    def of(cls, row: FairShareRow) -> FairSharePosition:
        def decimal(value: Fraction | None, places: int) -> Decimal | None:
            if value is None:
                return None
            return round(Decimal(value.numerator) / Decimal(value.denominator), places)

        return cls(
            decimal(row.key_share, 6),
            decimal(row.fair_share, 0),
            decimal(row.actual, 0),
            decimal(row.gap, 0),
            decimal(row.ratio, 2),
            row.missing,
        )


def _fair_share_group(state: Country) -> str:
    """The States the State is compared with: the EU's 27 for a Member State (the key's own
    group), else the UN Member States of its smallest M49 region (its neighbours)."""
    if state.iso3 in fairshare.eu27_states():
        return "EU27"
    area = state.intermediate_region_id or state.subregion_id or state.region_id
    return f"M49:{area}" if area else "UN"


def fair_share_section(*, state: Country) -> Section:
    """The State's fair share of the refugees hosted in its group under the calculator's
    default key, against the number it hosts. The burden is the total hosted by the States of
    the group that have every figure, as in docs/fair-sharing.md."""
    section = Section(key="fair_share", title=_("Fair-share position"))
    key = preset_key(FAIR_SHARE_KEY)
    years = fairshare.figure_years(indicator=FAIR_SHARE_ACTUAL)
    if not years:
        section.missing = _("No reference figures of refugees hosted are loaded.")
        section.summary = section.missing
        return section
    year = years[-1]
    try:
        group = fairshare.group_get(spec=_fair_share_group(state))
    except fairshare.UnknownGroup:
        group = fairshare.group_get(spec="UN")
    if state.iso3 not in group.states:
        section.missing = _(
            "This country or area is not a UN Member State: it has no fair share under a key."
        )
        section.summary = section.missing
        return section
    wanted = [*key.indicators, FAIR_SHARE_ACTUAL]
    figures = fairshare.figures_for(indicators=wanted, year=year, states=group.states)
    burden = sum(
        (
            figures.values[FAIR_SHARE_ACTUAL][iso3] or Decimal(0)
            for iso3 in group.states
            if all(figures.values[name].get(iso3) is not None for name in wanted)
        ),
        Decimal(0),
    )
    try:
        calculation = fairshare.calculate(
            key=key, group=group, year=year, burden=burden, actual=FAIR_SHARE_ACTUAL
        )
    except FairShareError as error:
        section.missing = _("The fair share could not be computed: %(error)s") % {"error": error}
        section.summary = section.missing
        return section
    row = None
    if calculation.table is not None:
        row = next((r for r in calculation.table.rows if r.iso3 == state.iso3), None)
    share_range = calculation.ranges.get(state.iso3)
    section.data = {
        "key": key,
        "group": group,
        "year": year,
        "burden": burden,
        "row": None if row is None else FairSharePosition.of(row),
        "range": share_range,
        "states_with_share": len(calculation.shares.shares) if calculation.shares else 0,
    }
    section.sources = [
        Source(f"{indicator}: {', '.join(sources)}", str(year))
        for indicator, sources in calculation.figures.sources.items()
        if sources
    ]
    if row is None or row.key_share is None:
        lacking = ", ".join(row.missing) if row is not None else ""
        section.missing = _(
            "This State lacks a figure the key needs for %(year)s (%(lacking)s): it has no fair "
            "share."
        ) % {"year": year, "lacking": lacking}
        section.summary = section.missing
        return section
    if row.actual is None:
        section.missing = _(
            "No figure of refugees hosted by this State in %(year)s: its fair share is given "
            "without a gap or ratio."
        ) % {"year": year}
    section.summary = _(
        "Key share %(share)s of %(group)s; fair share %(fair)s, hosts %(actual)s (ratio %(ratio)s)."
    ) % {
        "share": _percent(row.key_share),
        "group": group.spec,
        "fair": _whole(row.fair_share),
        "actual": _whole(row.actual),
        "ratio": f"{float(row.ratio):.2f}" if row.ratio is not None else "—",
    }
    return section


def _percent(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.2f} %"


def _whole(value: Fraction | None) -> str:
    return "—" if value is None else f"{round(value):,}"
