"""Reads of the participation fund: calls with their rules, published results, the panel's view
and an applicant's own applications."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from solidarity.accounts.models import User
from solidarity.fund.models import AllocationRun, Application, Decision, FundCall


def call_list() -> QuerySet[FundCall]:
    return FundCall.objects.prefetch_related("criteria")


def call_get(*, code: str) -> FundCall:
    return FundCall.objects.prefetch_related("criteria").get(code=code)


def published_run(call: FundCall) -> AllocationRun | None:
    return call.allocations.filter(published=True).first()


def published_decisions(call: FundCall) -> list[Decision]:
    """The published result of a call: every eligible application's outcome and reason."""
    run = published_run(call)
    if run is None:
        return []
    return list(run.decisions.select_related("application__country"))


def latest_run(call: FundCall) -> AllocationRun | None:
    return call.allocations.order_by("-run_at", "-id").first()


def panel_applications(call: FundCall) -> QuerySet[Application]:
    return call.applications.select_related("country__region", "applicant").prefetch_related(
        "scores"
    )


def applications_of(user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("call")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(run__published=True).prefetch_related(
                    "disbursements"
                ),
                to_attr="published_decisions",
            )
        )
    )
