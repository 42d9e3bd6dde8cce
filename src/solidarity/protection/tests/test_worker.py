"""The embedded default: runs are queued in the database and carried out by the worker that
``solidarity serve`` starts beside the web server (``manage db_worker``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from solidarity.indicators.loaders import load_indicator_catalogue
from solidarity.protection import files
from solidarity.protection.models import ProtectionRun
from solidarity.protection.tests.conftest import SPEC
from solidarity.reference.loaders import load_reference_data

# The worker closes its database connection when it stops, which a test inside one transaction
# cannot survive on PostgreSQL: this test commits, and the database is flushed after it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True, scope="module")
def _catalogue_back_after_the_flush(django_db_blocker: Any) -> Iterator[None]:
    """Put the reference catalogue back for the tests that run after this one (the root
    conftest loads it once per session)."""
    yield
    with django_db_blocker.unblock():
        load_reference_data(actor="system:tests")
        load_indicator_catalogue(actor="system:tests")


def test_a_run_waits_in_the_database_until_the_worker_carries_it_out(
    cast: Any, log_in: Any, adult: Path, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = log_in(cast.data_provider)
    response = client.post(
        "/protection/new/",
        {
            "organisation": str(cast.statistics_office.pk),
            "spec_text": SPEC,
            "method": "cellkey",
            "microdata": SimpleUploadedFile(adult.name, adult.read_bytes()),
        },
    )
    assert response.status_code == 302
    run = ProtectionRun.objects.get()
    assert run.status == "queued"
    assert DBTaskResult.objects.get().status == "READY"
    page = client.get(f"/protection/runs/{run.pk}/").content.decode()
    assert 'data-status-url="/protection/runs/' in page
    assert "protection/run.js" in page
    assert "Refresh this page" in page
    assert client.get(f"/protection/runs/{run.pk}/status.json").json()["status"] == "queued"
    call_command("db_worker", "--batch", "--max-tasks", "1", "--no-startup-delay", "--no-reload")
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.audit_passed is True
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert not files.upload_dir(run.pk).exists()
    assert "protection/run.js" not in client.get(f"/protection/runs/{run.pk}/").content.decode()
