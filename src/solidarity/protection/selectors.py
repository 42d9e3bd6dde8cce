"""Reads of protection runs, scoped to who may see them (`permissions`)."""

from __future__ import annotations

from django.db.models import QuerySet

from solidarity.accounts.models import Organisation
from solidarity.accounts.permissions import (
    AnyUser,
    is_administrator,
    organisations_user_provides_data_for,
)
from solidarity.protection.models import ProtectionRun


def run_list_for_user(*, user: AnyUser) -> QuerySet[ProtectionRun]:
    """The runs ``user`` may see: every run for administrators, their organisations' for data
    providers, none for anyone else."""
    runs = ProtectionRun.objects.select_related("provider", "created_by")
    if is_administrator(user):
        return runs
    return runs.filter(provider__in=organisations_user_provides_data_for(user))


def run_get(*, user: AnyUser, pk: int) -> ProtectionRun:
    """One run ``user`` may see; ``ProtectionRun.DoesNotExist`` otherwise (a run of another
    provider is not acknowledged)."""
    return run_list_for_user(user=user).get(pk=pk)


def organisations_for_runs(*, user: AnyUser) -> QuerySet[Organisation]:
    """The organisations ``user`` may start a run for."""
    if is_administrator(user):
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=organisations_user_provides_data_for(user)).order_by(
        "name"
    )
