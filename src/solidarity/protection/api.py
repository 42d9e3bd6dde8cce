"""Disclosure-control runs on the web: a data provider uploads a table spec and microdata, the
privacy engine protects the tables in the background, and the provider reads the report and the
audit and submits the protected tables to the data hub.

Over the API, runs are read only, by those who see them on the web: the data providers of the
run's organisation and administrators (others get an empty list and 404s)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from solidarity.protection import selectors
from solidarity.protection.models import ProtectionRun

router = Router(tags=["Protection"])


class RunOut(Schema):
    id: int
    provider: str = Field(description="The organisation whose microdata the run protects.")
    dataset: str = Field(description="The dataset name of the table specification.")
    method: str = Field(description="cellkey, suppress or dp.")
    parameters: dict[str, Any] = Field(description="The method's parameters as used.")
    engine: str
    status: str = Field(description="queued, running, done or failed.")
    progress: float = Field(description="From 0 to 1.")
    step: str = Field(description="The step under way (a table id, the method, 'audit').")
    audit_passed: bool | None = Field(description="None until the run is done.")
    microdata_deleted: bool = Field(description="Whether the uploaded microdata were deleted.")
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_provider(obj: ProtectionRun) -> str:
        return obj.provider.name

    @staticmethod
    def resolve_step(obj: ProtectionRun) -> str:
        return obj.progress_step

    @staticmethod
    def resolve_microdata_deleted(obj: ProtectionRun) -> bool:
        return obj.microdata_deleted_at is not None


class RunDetailOut(RunOut):
    report: dict[str, Any] = Field(
        description="The engine's report: cells, cells withheld, information loss, privacy "
        "budget spent and left, timings, per-table figures."
    )
    audit: dict[str, Any] = Field(description="The audit: checks and offending cells.")


@router.get(
    "/protection/runs",
    response=list[RunOut],
    auth=django_auth,
    summary="List protection runs",
    description="The disclosure-control runs of the organisations you provide data for (every "
    "run for administrators), newest first, at most 200. Empty for everyone else.",
)
def protection_run_list(request: HttpRequest) -> list[ProtectionRun]:
    return list(selectors.run_list_for_user(user=request.user)[:200])


@router.get(
    "/protection/runs/{run_id}",
    response=RunDetailOut,
    auth=django_auth,
    summary="Read a protection run",
    description="A run's status, progress, report and audit. 404 for a run you may not see.",
)
def protection_run_get(request: HttpRequest, run_id: int) -> ProtectionRun:
    try:
        return selectors.run_get(user=request.user, pk=run_id)
    except ProtectionRun.DoesNotExist:
        raise HttpError(404, f"No protection run {run_id}.") from None
