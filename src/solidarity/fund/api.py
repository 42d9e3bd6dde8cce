"""The participation fund over the JSON API: calls with their published rules, criteria and —
once published — results with the reason for each decision. Public and read-only."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from solidarity.api.schemas import Problem
from solidarity.fund import selectors
from solidarity.fund.models import FundCall

router = Router()


class CriterionOut(Schema):
    name: str
    description: str
    weight: Decimal
    max_points: int


class DecisionOut(Schema):
    applicant: str
    country: str
    score: Decimal = Field(description="0 to 100, the panel's weighted mean.")
    awarded: bool
    amount: Decimal
    reason: str


class FundCallOut(Schema):
    code: str
    title: str
    cycle_code: str = Field(description="The review cycle's code, e.g. IMRF-2026.")
    budget: Decimal
    currency: str
    opens_on: datetime.date
    closes_on: datetime.date
    eligibility_rules: str
    min_awards_per_region: int
    min_women_share: Decimal
    max_region_share: Decimal
    status: str
    criteria: list[CriterionOut]
    results: list[DecisionOut] = Field(description="Empty until the results are published.")


def _out(call: FundCall) -> FundCallOut:
    return FundCallOut(
        code=call.code,
        title=call.title,
        cycle_code=call.cycle_code,
        budget=call.budget,
        currency=call.currency,
        opens_on=call.opens_on,
        closes_on=call.closes_on,
        eligibility_rules=call.eligibility_rules,
        min_awards_per_region=call.min_awards_per_region,
        min_women_share=call.min_women_share,
        max_region_share=call.max_region_share,
        status=call.status,
        criteria=[
            CriterionOut(
                name=c.name, description=c.description, weight=c.weight, max_points=c.max_points
            )
            for c in call.criteria.all()
        ],
        results=[
            DecisionOut(
                applicant=d.application.name,
                country=d.application.country_id,
                score=d.score,
                awarded=d.awarded,
                amount=d.amount,
                reason=d.reason,
            )
            for d in selectors.published_decisions(call)
        ],
    )


@router.get(
    "/fund/calls",
    response=list[FundCallOut],
    tags=["Participation fund"],
    summary="List the participation fund's calls",
    description="Every call with its review cycle, budget, dates, eligibility rules, balance "
    "rules and scoring criteria, and its results once published.",
)
def fund_call_list(request: HttpRequest) -> list[FundCallOut]:
    return [_out(call) for call in selectors.call_list()]


@router.get(
    "/fund/calls/{code}",
    response={200: FundCallOut, 404: Problem},
    tags=["Participation fund"],
    summary="Get one call with its rules and published results",
    description="One call by its code, e.g. `imrf-2026-participation`; `results` lists every "
    "eligible application's score, award and reason once the results are published.",
)
def fund_call_get(request: HttpRequest, code: str) -> FundCallOut:
    try:
        return _out(selectors.call_get(code=code))
    except FundCall.DoesNotExist:
        raise HttpError(404, f"No call with the code {code!r}.") from None
