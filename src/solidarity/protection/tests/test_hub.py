"""Protected tables into the data hub: "Submit to the data hub" on a run's page, and the
one-command publication of a ``solidarity tabulate`` folder. Withheld cells arrive as
confidential and are never published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile

from solidarity.audit.models import AuditEntry
from solidarity.cli import main
from solidarity.indicators.actions import (
    dataset_version_approve,
    dataset_version_publish,
    dataset_version_submit,
)
from solidarity.indicators.models import DatasetVersion, Observation
from solidarity.indicators.publication import public_observations
from solidarity.protection.models import ProtectionRun
from solidarity.protection.tests.conftest import SPEC, SPEC_RACE
from solidarity.stats.privacy.run import protect
from solidarity.stats.privacy.spec import parse_spec

pytestmark = pytest.mark.django_db

INDICATOR = "GCM_MIGRANT_STOCK"


def start_run(client: Any, cast: Any, adult: Path, spec: str = SPEC) -> ProtectionRun:
    response = client.post(
        "/protection/new/",
        {
            "organisation": str(cast.statistics_office.pk),
            "spec_text": spec,
            "method": "suppress",
            "threshold": "100",
            "microdata": SimpleUploadedFile(adult.name, adult.read_bytes()),
        },
    )
    assert response.status_code == 302
    run = ProtectionRun.objects.latest("pk")
    assert run.status == "done", run.error
    return run


def assert_confidential_cells_never_published(version: DatasetVersion, cast: Any) -> None:
    observations = Observation.objects.filter(version=version)
    confidential = observations.filter(conf_status="C")
    assert confidential.exists()
    assert all(o.value is None for o in confidential)
    # Even once reviewed and published, the public never sees them.
    dataset_version_submit(actor=cast.data_provider, version=version)
    dataset_version_approve(actor=cast.reviewer, version=version)
    dataset_version_publish(actor=cast.reviewer, version=version)
    public = public_observations(versions=[version])
    assert public.count() == observations.count() - confidential.count()
    assert not public.filter(conf_status="C").exists()


def test_a_run_is_submitted_to_the_hub_as_a_draft(cast: Any, log_in: Any, adult: Path) -> None:
    client = log_in(cast.data_provider)
    run = start_run(client, cast, adult)
    response = client.post(
        f"/protection/runs/{run.pk}/submit/",
        {"indicator": INDICATOR, "ref_area": "KEN", "period": "1994"},
    )
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert "Submitted to the data hub as version 1, a draft." in response.content.decode()
    version = DatasetVersion.objects.get()
    assert version.status == "draft"
    assert version.dataset.indicator_id == INDICATOR
    assert version.dataset.provider == cast.statistics_office
    # T1 (sex by age, 24 cells) and T2 (age: the same cells as T1's sex total) once each.
    assert version.observation_count == 24
    withheld = sum(1 for _ in Observation.objects.filter(version=version, conf_status="C"))
    assert withheld == run.report["tables"]["T1"]["cells_withheld"]
    entry = AuditEntry.objects.get(action="protection_run.submit")
    after = entry.after or {}
    assert after["dataset_version"] == version.pk
    assert after["tables"] == ["T1", "T2"]
    assert AuditEntry.objects.filter(action="dataset_version.import").count() == 1
    assert_confidential_cells_never_published(version, cast)


def test_one_table_at_a_time(cast: Any, log_in: Any, adult: Path) -> None:
    client = log_in(cast.data_provider)
    run = start_run(client, cast, adult)
    response = client.post(
        f"/protection/runs/{run.pk}/submit/",
        {"indicator": INDICATOR, "period": "1994", "tables": ["T2"]},
    )
    assert response.status_code == 200
    version = DatasetVersion.objects.get()
    assert version.observation_count == 8
    assert version.dataset.ref_area.code == "404"  # the organisation's country by default


def test_the_hub_refuses_a_table_the_indicator_does_not_break_down_by(
    cast: Any, log_in: Any, adult: Path
) -> None:
    client = log_in(cast.data_provider)
    run = start_run(client, cast, adult, SPEC_RACE)
    response = client.post(
        f"/protection/runs/{run.pk}/submit/", {"indicator": INDICATOR, "period": "1994"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "The data hub refused the tables. Nothing was stored." in text
    assert "RACE_ETHNICITY" in text
    assert not DatasetVersion.objects.exists()
    assert not AuditEntry.objects.filter(action="protection_run.submit").exists()


def tabulate(folder: Path, adult: Path, spec: str = SPEC) -> Path:
    parsed = parse_spec(yaml.safe_load(spec), file="spec.yaml", base=folder)
    out = folder / "published"
    protect(
        parsed,
        "suppress",
        {"threshold": 100},
        out,
        microdata_path=adult,
        state_dir=folder / "state",
    )
    return out


def publish(*args: str) -> Any:
    return CliRunner().invoke(main, ["protection", "publish", *args])


def test_publish_round_trip(cast: Any, adult: Path, tmp_path: Path) -> None:
    out = tabulate(tmp_path, adult)
    options = ["--provider", "KNBS", "--indicator", INDICATOR, "--period", "1994"]
    dry = publish(str(out), *options, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Valid (dry run): nothing stored." in dry.output
    assert not DatasetVersion.objects.exists()
    result = publish(str(out), *options)
    assert result.exit_code == 0, result.output
    assert "Published as version 1 (draft)" in result.output
    version = DatasetVersion.objects.get()
    assert version.created_by_label == "system:cli"
    entry = AuditEntry.objects.get(action="protection.publish")
    assert entry.object_id == str(version.pk)
    assert (entry.after or {})["method"] == "suppress"
    assert_confidential_cells_never_published(version, cast)
    # A second version needs its revision note; one table only.
    again = publish(str(out), *options, "--table", "T2")
    assert again.exit_code == 1
    assert "say what changed and why" in again.output
    again = publish(str(out), *options, "--table", "T2", "--revision-note", "Ages only.")
    assert again.exit_code == 0, again.output
    assert "Tables T2:" in again.output


def test_publish_refuses_with_the_summary_and_writes_nothing(
    cast: Any, adult: Path, tmp_path: Path
) -> None:
    out = tabulate(tmp_path, adult, SPEC_RACE)
    result = publish(str(out), "--provider", "KNBS", "--indicator", INDICATOR, "--period", "1994")
    assert result.exit_code == 1
    assert "RACE_ETHNICITY" in result.output
    assert "Not published: the hub refused the tables." in result.output
    assert not DatasetVersion.objects.exists()
    unknown = publish(
        str(out), "--provider", "KNBS", "--indicator", INDICATOR, "--period", "1994",
        "--table", "T9",
    )  # fmt: skip
    assert unknown.exit_code == 1
    assert "No table T9 in this output (it has: T1)." in unknown.output


def test_publish_refuses_a_folder_whose_audit_fails(cast: Any, adult: Path, tmp_path: Path) -> None:
    out = tabulate(tmp_path, adult)
    # Undo the protection of one withheld cell: the audit must catch it.
    table = out / "T1.csv"
    lines = table.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if ",,C,O" in line)
    lines[index] = lines[index].replace(",,C,O", ",5,F,A")
    table.write_text("\r\n".join(lines) + "\r\n")
    result = publish(str(out), "--provider", "KNBS", "--indicator", INDICATOR, "--period", "1994")
    assert result.exit_code == 1
    assert "The audit of" in result.output
    assert "nothing was published" in result.output
    assert not DatasetVersion.objects.exists()
