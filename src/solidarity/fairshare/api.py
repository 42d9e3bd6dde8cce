"""Fair sharing over the JSON API: the preset keys, the groups, a calculation (the calculator's
table with its sources and missing figures) and the consultations with their published results.

Everything here is public and read-only; votes are cast on the site, by a State's focal point
with two-factor authentication. Each operation parses its parameters, calls one selector of
:mod:`solidarity.fairshare.selectors` and returns a typed schema.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from solidarity.api.schemas import Problem
from solidarity.fairshare import selectors
from solidarity.fairshare.exports import calculation_rows
from solidarity.fairshare.models import Consultation
from solidarity.stats.fairshare import PRESETS, FairShareError, describe, parse_key, preset_key

router = Router(tags=["Fair sharing"])


class TermOut(Schema):
    indicator: str
    weight: str
    transform: str
    per_capita: bool
    cap: str | None


class KeyOut(Schema):
    name: str
    title: str
    reference: str
    formula: str = Field(description="The key's formula in symbols.")
    indicators: list[str] = Field(description="Every indicator the key needs figures for.")
    terms: list[TermOut]


def _key_out(name: str) -> dict[str, Any]:
    key = preset_key(name)
    return key.as_dict() | {"formula": describe(key), "indicators": list(key.indicators)}


@router.get(
    "/fairshare/keys",
    response=list[KeyOut],
    summary="Preset fair-share keys",
    description="The preset keys (EU 2024, EU 2015) with their legal source, their formula in "
    "symbols, the indicators they need and their terms.",
)
def fairshare_key_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_key_out(name) for name in PRESETS]


class GroupOut(Schema):
    spec: str = Field(description="What to pass as `group`: EU27, UN, M49:<code>, GROUP:<slug>.")
    name: str


@router.get(
    "/fairshare/groups",
    response=list[GroupOut],
    summary="Groups of States",
    description="Every group a key can be computed over: EU27, all UN Member States, the UN "
    "Member States of each M49 region and sub-region, and the groups users have defined.",
)
def fairshare_group_list(request: HttpRequest) -> list[dict[str, str]]:
    return [{"spec": spec, "name": name} for spec, name in selectors.group_choices()]


class SharesQuery(Schema):
    key: Literal["eu2024", "eu2015"] = "eu2024"
    group: str = Field("EU27", description="EU27, UN, M49:<code> or GROUP:<slug>.")
    year: int = Field(2020, ge=1990, le=2100)
    burden: Decimal | None = Field(
        None, ge=0, description="By default the group's total of the actual measure."
    )
    actual: Literal["refugees", "migrant-stock", "disbursed-usd"] | None = None
    spread: Decimal = Field(Decimal("0.2"), ge=0, le=1)


class ShareRowOut(Schema):
    iso3: str
    name: str
    key_share: Decimal | None
    fair_share: Decimal | None
    actual: Decimal | None
    gap: Decimal | None
    ratio: Decimal | None
    share_low: Decimal | None = Field(description="Lowest key share across the weight family.")
    share_high: Decimal | None = Field(description="Highest key share across the weight family.")
    missing: list[str] = Field(description="Figures the State lacks (never counted as zero).")


class SourceOut(Schema):
    indicator: str
    year: int
    sources: list[str]


class SharesOut(Schema):
    key: KeyOut
    group: GroupOut
    year: int
    burden: Decimal | None
    burden_from_actual: bool
    family_size: int = Field(description="Number of weight sets in the sensitivity family.")
    sources: list[SourceOut]
    rows: list[ShareRowOut]


@router.get(
    "/fairshare/shares",
    response={200: SharesOut, 400: Problem},
    summary="Each State's key share, fair share, actual effort, gap and ratio",
    description="The calculator's table for a preset key, a group, a year, a burden and an "
    "actual measure, with each State's range across the sensitivity family, the source of every "
    "indicator's figures and the figures each State lacks (never counted as zero).",
)
def fairshare_shares(request: HttpRequest, query: Query[SharesQuery]) -> dict[str, Any]:
    try:
        group = selectors.group_get(spec=query.group)
        calculation = selectors.calculate(
            key=preset_key(query.key),
            group=group,
            year=query.year,
            burden=query.burden,
            actual=query.actual,
            spread=Fraction(query.spread),
        )
    except (selectors.UnknownGroup, FairShareError) as error:
        raise HttpError(400, str(error)) from None
    table = calculation.table
    burden = None
    if table is not None and table.burden is not None:
        burden = Decimal(table.burden.numerator) / Decimal(table.burden.denominator)
    return {
        "key": _key_out(query.key),
        "group": {"spec": group.spec, "name": group.name},
        "year": calculation.year,
        "burden": burden,
        "burden_from_actual": bool(table and table.burden_from_actual),
        "family_size": calculation.family_size,
        "sources": [
            {"indicator": indicator, "year": calculation.year, "sources": sources}
            for indicator, sources in calculation.figures.sources.items()
        ],
        "rows": [
            row | {"missing": str(row["missing"]).split()} for row in calculation_rows(calculation)
        ],
    }


class OptionOut(Schema):
    id: int
    label: str
    burden: Decimal
    formula: str
    votes: int | None = Field(description="Published when the consultation closes.")


class VoteOut(Schema):
    country: str
    option: int


class ConsultationOut(Schema):
    id: int
    title: str
    question: str
    status: str
    group: str
    year: int
    quorum: Decimal
    majority: str
    eligible: list[str]
    voted: list[str] = Field(description="The States that have voted (their choice: see votes).")
    options: list[OptionOut]
    votes: list[VoteOut] | None = Field(description="Each State's vote, once closed.")
    quorum_met: bool | None
    adopted: int | None = Field(description="The option adopted, once closed (none: no majority).")


@router.get(
    "/fairshare/consultations",
    response=list[ConsultationOut],
    summary="Consultations on fair-share keys (one State, one vote)",
    description="Open and closed consultations with their options and who has voted; each "
    "State's vote, the count and the option adopted once closed. Drafts only for reviewers and "
    "administrators.",
)
def fairshare_consultation_list(request: HttpRequest) -> list[dict[str, Any]]:
    consultations = selectors.consultation_list(user=request.user).prefetch_related("options")
    out = []
    for consultation in consultations:
        result = selectors.consultation_result(consultation=consultation)
        closed = consultation.status == Consultation.Status.CLOSED
        counts = {tally.option_id: tally.votes for tally in result.tallies}
        out.append(
            {
                "id": consultation.pk,
                "title": consultation.title,
                "question": consultation.question,
                "status": consultation.status,
                "group": consultation.group,
                "year": consultation.year,
                "quorum": consultation.quorum,
                "majority": consultation.majority,
                "eligible": consultation.eligible,
                "voted": sorted(vote.country_id for vote in result.votes),
                "options": [
                    {
                        "id": option.pk,
                        "label": option.label,
                        "burden": option.burden,
                        "formula": describe(parse_key(option.key)),
                        "votes": counts.get(option.pk, 0) if closed else None,
                    }
                    for option in consultation.options.all()
                ],
                "votes": [
                    {"country": vote.country_id, "option": vote.option_id} for vote in result.votes
                ]
                if closed
                else None,
                "quorum_met": result.quorum_met if closed else None,
                "adopted": (result.adopted.option_id if result.adopted else None)
                if closed
                else None,
            }
        )
    return out
