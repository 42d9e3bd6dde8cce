"""The background task of a protection run (django-tasks; see docs/protection.md for the
workers)."""

from __future__ import annotations

from django_tasks import task


@task()
def protection_run_task(run_id: int) -> str:
    """Carry out one queued run (`actions.run_execute`); returns its final status."""
    from solidarity.protection.actions import run_execute

    return str(run_execute(run_id=run_id).status)
