"""Protection runs through the web: the real UCI Adult extract protected with each method, the
microdata deleted after the run (or kept), server-side files inside the allowed folder only,
bad specifications and microdata refused with nothing written, and each dataset's state kept
from one run to the next."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from solidarity.audit.models import AuditEntry
from solidarity.protection import actions, files
from solidarity.protection.models import ProtectionRun
from solidarity.protection.tests.conftest import SPEC

pytestmark = pytest.mark.django_db

PARAMETERS = {
    "cellkey": {},
    "suppress": {"threshold": "100"},
    "dp": {"rho": "0.5"},
}


def post_run(client: Any, cast: Any, microdata: Path | None, **fields: Any) -> Any:
    data: dict[str, Any] = {
        "organisation": str(cast.statistics_office.pk),
        "spec_text": SPEC,
        "method": "cellkey",
    }
    if microdata is not None:
        data["microdata"] = SimpleUploadedFile(
            microdata.name, microdata.read_bytes(), content_type="text/csv"
        )
    data.update(fields)
    return client.post("/protection/new/", data)


def private_files() -> list[Path]:
    root = Path(settings.PROTECTION_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("method", ["cellkey", "suppress", "dp"])
def test_each_method_protects_the_real_extract_and_deletes_the_microdata(
    cast: Any, log_in: Any, adult: Path, method: str, monkeypatch: Any
) -> None:
    steps: list[tuple[float, str]] = []
    record = actions._progress

    def watch(pk: int, fraction: float, step: str) -> None:
        steps.append((fraction, step))
        record(pk, fraction, step)

    monkeypatch.setattr(actions, "_progress", watch)
    client = log_in(cast.data_provider)
    response = post_run(client, cast, adult, method=method, **PARAMETERS[method])
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ProtectionRun.objects.get()
    assert response["Location"] == f"/protection/runs/{run.pk}/"
    assert run.status == "done", run.error
    assert run.audit_passed is True, run.audit
    assert run.progress == 1.0
    # The task reports each table as it is done, then the method, the writing and the audit.
    assert [step for _, step in steps] == ["T1", "T2", method, "written", "audit"]
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)
    assert run.report["records"] == 30162
    assert run.report["method"] == method
    assert set(run.report["tables"]) == {"T1", "T2"}
    if method == "cellkey":
        assert run.parameters == {"threshold": 10, "max_deviation": 2}
    if method == "suppress":
        assert run.report["cells_withheld"] > 0
    if method == "dp":
        assert run.report["budget"]["rho_spent"] == pytest.approx(0.5)
        assert (
            "Privacy budget: rho_left" in client.get(f"/protection/runs/{run.pk}/").content.decode()
        )
    # The microdata are gone, the protected tables and the dataset's state remain.
    assert run.microdata_deleted_at is not None
    assert not files.upload_dir(run.pk).exists()
    assert not any(p.suffix == ".csv" and "microdata" in p.parts for p in private_files())
    assert {p.name for p in Path(run.output_dir).iterdir()} == {"T1.csv", "T2.csv", "report.json"}
    assert files.state_dir(cast.statistics_office.pk, "adult-small").is_dir()
    page = client.get(f"/protection/runs/{run.pk}/")
    text = page.content.decode()
    assert "The audit passed" in text
    assert "Cells withheld" in text
    assert "Submit to the data hub" in text
    if method == "suppress":
        # Each group of linked cells says how its secondary cells were chosen, in words.
        assert 'id="suppression-components"' in text
        assert "Suppression: components" not in text
        assert ("heuristic" in text) or ("optimal search (MILP)" in text)
    logged = list(AuditEntry.objects.filter(object_id=str(run.pk)).values_list("action", flat=True))
    assert sorted(logged) == ["protection_run.create", "protection_run.finish"]


def test_the_microdata_are_kept_when_asked(cast: Any, log_in: Any, adult: Path) -> None:
    client = log_in(cast.data_provider)
    assert post_run(client, cast, adult, keep_microdata="on").status_code == 302
    run = ProtectionRun.objects.get()
    assert run.status == "done"
    assert run.microdata_deleted_at is None
    kept = files.upload_dir(run.pk) / adult.name
    assert kept.read_bytes() == adult.read_bytes()
    assert Path(run.microdata_path) == kept
    assert settings.MEDIA_ROOT not in kept.parents


def test_a_server_file_is_used_in_place_and_never_deleted(
    cast: Any, log_in: Any, adult: Path, tmp_path: Path
) -> None:
    server = tmp_path / "server" / "census"
    server.mkdir()
    (server / "adult.csv").write_bytes(adult.read_bytes())
    client = log_in(cast.data_provider)
    response = post_run(client, cast, None, server_path="census/adult.csv")
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ProtectionRun.objects.get()
    assert run.status == "done", run.error
    assert (server / "adult.csv").exists()
    assert run.microdata_deleted_at is None


@pytest.mark.parametrize("where", ["outside", "dotdot", "symlink", "missing"])
def test_a_server_path_outside_the_allowed_folder_is_refused(
    cast: Any, log_in: Any, adult: Path, tmp_path: Path, where: str
) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(adult.read_bytes())
    link = tmp_path / "server" / "link.csv"
    link.symlink_to(outside)
    path = {
        "outside": str(outside),
        "dotdot": "../elsewhere.csv",
        "symlink": "link.csv",
        "missing": "nothing.csv",
    }[where]
    response = log_in(cast.data_provider).post(
        "/protection/new/",
        {
            "organisation": str(cast.statistics_office.pk),
            "spec_text": SPEC,
            "method": "cellkey",
            "server_path": path,
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "microdata folder" in text
    assert not ProtectionRun.objects.exists()
    assert private_files() == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("dataset: x\ndimensions: {}\ntables: []\n", "specification, key dimensions: must name"),
        ("dataset: [unclosed\n", "specification: is not valid YAML at line"),
        (
            SPEC.replace("column: sex", "column: gender"),
            "uci_adult_census_1994.csv, row 1: no column &#x27;gender&#x27;",
        ),
        (
            SPEC.replace("tables:", "tables:\n  - {id: T3, dimensions: [COUNTRY]}"),
            "specification, key tables[0].dimensions",
        ),
    ],
)
def test_a_bad_specification_is_refused_with_its_place_and_nothing_written(
    cast: Any, log_in: Any, adult: Path, spec: str, message: str
) -> None:
    response = post_run(log_in(cast.data_provider), cast, adult, spec_text=spec)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProtectionRun.objects.exists()
    assert private_files() == []
    assert not AuditEntry.objects.filter(action__startswith="protection").exists()


@pytest.mark.parametrize(
    ("content", "message", "at_once"),
    [
        (b"", "adult.csv: the file is empty", True),
        ("sex,age\nMännlich,30\n".encode("latin-1"), "adult.csv: is not UTF-8 text", True),
        (b"sex,age\nMale,30\nFemale,abc\n", "row 3", False),
        (b"sex,age\nMale,30\nUnknown,40\n", "row 3", False),
    ],
)
def test_bad_microdata_get_a_clear_error_and_no_table(
    cast: Any, log_in: Any, tmp_path: Path, content: bytes, message: str, at_once: bool
) -> None:
    path = tmp_path / "adult.csv"
    path.write_bytes(content)
    client = log_in(cast.data_provider)
    response = post_run(client, cast, path)
    if at_once:
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not ProtectionRun.objects.exists()
    else:
        # Values are checked by the engine when the run starts: the run fails with its message,
        # writes no table and deletes the upload.
        assert response.status_code == 302
        run = ProtectionRun.objects.get()
        assert run.status == "failed"
        assert message in run.error
        assert "adult.csv" in run.error
        assert not files.output_dir(run.pk).exists()
        assert run.microdata_deleted_at is not None
        page = client.get(f"/protection/runs/{run.pk}/").content.decode()
        assert "The run failed" in page
    assert not any("runs" in p.parts for p in private_files())


def test_the_budget_ledger_persists_from_one_run_to_the_next(
    cast: Any, log_in: Any, adult: Path
) -> None:
    client = log_in(cast.data_provider)
    assert post_run(client, cast, adult, method="dp", rho="0.5").status_code == 302
    assert post_run(client, cast, adult, method="dp", rho="0.5").status_code == 302
    first, second = ProtectionRun.objects.order_by("pk")
    assert first.status == "done"
    # Without a budget, the first release's rho is the total: a second release is refused.
    assert second.status == "failed"
    assert "raise the total explicitly" in second.error
    assert post_run(client, cast, adult, method="dp", rho="0.5", raise_budget="1.0").status_code
    third = ProtectionRun.objects.order_by("pk").last()
    assert third is not None
    assert third.status == "done", third.error
    assert third.report["budget"]["rho_left"] == pytest.approx(0.0)


def test_record_keys_are_kept_per_provider_and_dataset(cast: Any, log_in: Any, adult: Path) -> None:
    client = log_in(cast.data_provider)
    post_run(client, cast, adult)
    state = files.state_dir(cast.statistics_office.pk, "adult-small")
    before = {p.name: p.read_bytes() for p in state.rglob("*") if p.is_file()}
    assert before
    post_run(client, cast, adult)
    after = {p.name: p.read_bytes() for p in state.rglob("*") if p.is_file()}
    assert {k: v for k, v in after.items() if k in before} == before
    first, second = ProtectionRun.objects.order_by("pk")
    assert (Path(first.output_dir) / "T1.csv").read_text() == (
        Path(second.output_dir) / "T1.csv"
    ).read_text()


def test_the_status_and_the_zip_of_the_tables(cast: Any, log_in: Any, adult: Path) -> None:
    client = log_in(cast.data_provider)
    post_run(client, cast, adult)
    run = ProtectionRun.objects.get()
    status = client.get(f"/protection/runs/{run.pk}/status.json").json()
    assert status == {
        "status": "done",
        "status_label": "Done",
        "progress": 1.0,
        "step": "done",
        "finished": True,
    }
    response = client.get(f"/protection/runs/{run.pk}/tables.zip")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["T1.csv", "T2.csv", "report.json"]
    assert archive.read("T1.csv").startswith(b"STRUCTURE,STRUCTURE_ID,ACTION,SEX,AGE,OBS_VALUE")


def test_another_provider_and_members_cannot_reach_a_run(
    cast: Any, log_in: Any, adult: Path, client: Any
) -> None:
    from conftest import make_user
    from solidarity.accounts.models import Organisation, Role

    post_run(log_in(cast.data_provider), cast, adult)
    run = ProtectionRun.objects.get()
    other_office = Organisation.objects.create(
        name="Instituto Nacional", acronym="INEGI", kind=Organisation.Kind.NSO, country=cast.mexico
    )
    other = make_user("otto", role=Role.DATA_PROVIDER, organisation=other_office)
    member = make_user("mara", role=Role.MEMBER, organisation=cast.statistics_office)
    pages = ["", "status.json", "tables.zip"]
    for user, expected in ((other, 404), (member, 404), (cast.reviewer, 404)):
        client.logout()
        log_in(user)
        for page in pages:
            assert client.get(f"/protection/runs/{run.pk}/{page}").status_code == expected
        assert client.post(f"/protection/runs/{run.pk}/submit/", {}).status_code == expected
    client.logout()
    log_in(member)
    assert client.get("/protection/").status_code == 403
    log_in(other)
    assert f"/protection/runs/{run.pk}/" not in client.get("/protection/").content.decode()
    client.logout()
    log_in(cast.administrator)
    assert client.get(f"/protection/runs/{run.pk}/").status_code == 200
    # Administrators read every run but do not speak for the organisation in the hub.
    assert client.post(f"/protection/runs/{run.pk}/submit/", {}).status_code == 403


def test_a_parquet_upload_and_a_specification_file(
    cast: Any, log_in: Any, adult: Path, tmp_path: Path
) -> None:
    import pandas as pd  # type: ignore[import-untyped]

    parquet = tmp_path / "adult.parquet"
    pd.read_csv(adult, usecols=["age", "sex"]).to_parquet(parquet)
    response = post_run(
        log_in(cast.data_provider),
        cast,
        parquet,
        spec_text="",
        spec_file=SimpleUploadedFile("adult.yaml", SPEC.encode()),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    run = ProtectionRun.objects.get()
    assert run.status == "done", run.error
    assert run.microdata_name == "adult.parquet"
    assert run.spec == SPEC


def test_an_administrator_runs_for_any_organisation(cast: Any, log_in: Any, adult: Path) -> None:
    client = log_in(cast.administrator)
    form = client.get("/protection/new/").content.decode()
    assert cast.migrant_org.name.replace("'", "&#x27;") in form
    assert post_run(client, cast, adult).status_code == 302
    run = ProtectionRun.objects.get()
    assert run.provider == cast.statistics_office
    assert run.created_by == cast.administrator
    assert (
        f"/protection/runs/{run.pk}/"
        in log_in(cast.data_provider).get("/protection/").content.decode()
    )


def test_a_hierarchy_file_is_not_read_on_the_server(cast: Any, log_in: Any, adult: Path) -> None:
    spec = SPEC.replace(
        "  SEX: {column: sex, codes: {Male: M, Female: F}}",
        "  SEX: {column: sex, codes: {Male: M, Female: F}, hierarchy: {path: /etc/passwd}}",
    )
    response = post_run(log_in(cast.data_provider), cast, adult, spec_text=spec)
    assert response.status_code == 400
    assert "key dimensions.SEX.hierarchy.path" in response.content.decode()
    assert not ProtectionRun.objects.exists()


def test_a_run_that_never_ends_is_stopped_and_its_microdata_deleted(
    cast: Any, log_in: Any, adult: Path, settings: Any
) -> None:
    from click.testing import CliRunner

    from solidarity.cli import main

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    post_run(log_in(cast.data_provider), cast, adult)
    run = ProtectionRun.objects.get()
    assert run.status == "queued"
    assert files.upload_dir(run.pk).exists()
    result = CliRunner().invoke(main, ["protection", "fail-stale", "--hours", "1"])
    assert result.output.endswith("0 runs stopped.\n")
    ProtectionRun.objects.filter(pk=run.pk).update(created_at=run.created_at - timedelta(hours=2))
    result = CliRunner().invoke(main, ["protection", "fail-stale", "--hours", "1"])
    assert result.exit_code == 0, result.output
    assert "1 runs stopped." in result.output
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.microdata_deleted_at is not None
    assert not files.upload_dir(run.pk).exists()
    assert AuditEntry.objects.filter(action="protection_run.fail_stale").count() == 1
    listed = CliRunner().invoke(main, ["protection", "runs"])
    assert f"#{run.pk}\t" in listed.output
    assert "failed" in listed.output


def test_the_engine_chosen_is_the_one_run(
    cast: Any, log_in: Any, adult: Path, monkeypatch: Any
) -> None:
    # Spark itself (same tables as DuckDB) is tested by the engine; starting it here would
    # take minutes.
    from solidarity.stats.privacy import run as engine_run

    engines: list[str] = []

    def protect(*args: Any, engine: str, **kwargs: Any) -> dict[str, Any]:
        engines.append(engine)
        raise ValueError("stopped by the test")

    monkeypatch.setattr(engine_run, "protect", protect)
    post_run(log_in(cast.data_provider), cast, adult, engine="spark")
    run = ProtectionRun.objects.get()
    assert engines == ["spark"]
    assert run.engine == "spark"
    assert run.status == "failed"
    assert run.error == "stopped by the test"


def test_the_secondary_suppression_method_is_chosen_and_recorded(
    cast: Any, log_in: Any, adult: Path
) -> None:
    client = log_in(cast.data_provider)
    response = post_run(
        client, cast, adult, method="suppress", threshold="100", secondary_method="heuristic"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ProtectionRun.objects.get()
    assert run.audit_passed is True, run.audit
    assert run.parameters["secondary_method"] == "heuristic"
    components = run.report["suppression"]["components"]
    assert components
    assert {(c["method"], c["reason"]) for c in components} == {("heuristic", "method")}
    refused = post_run(client, cast, adult, method="suppress", secondary_method="best")
    assert refused.status_code == 400
    assert "Select a valid choice. best is not one of the available choices." in (
        refused.content.decode()
    )
    assert ProtectionRun.objects.count() == 1
