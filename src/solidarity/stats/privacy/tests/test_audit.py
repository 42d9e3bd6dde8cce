"""The audit on real published directories of the UCI Adult extract: naive primary-only
suppression is broken by the LP attack (the cells are listed), secondary suppression passes; the
cell key and DP checks pass on real output and fail on tampered output; ``solidarity audit``
exits with 1 on a failed audit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
import pytest
from click.testing import CliRunner

from solidarity.stats.privacy.audit import audit_dir
from solidarity.stats.privacy.cli import audit_command
from solidarity.stats.privacy.output import write_published
from solidarity.stats.privacy.run import protect
from solidarity.stats.privacy.spec import Spec
from solidarity.stats.privacy.tables import TOTAL, Table
from solidarity.stats.privacy.tabulate import tabulate


@pytest.fixture(scope="module")
def adult_tables(adult_spec: Spec, adult_csv: Path) -> dict[str, Table]:
    return tabulate(adult_spec, adult_csv)


@pytest.fixture(scope="module")
def suppressed_dir(
    adult_spec: Spec, adult_csv: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    folder = tmp_path_factory.mktemp("suppressed")
    protect(adult_spec, "suppress", {"threshold": 10}, folder / "out", microdata_path=adult_csv)
    return folder / "out"


def primary_only(tables: dict[str, Table], folder: Path, *, threshold: int) -> None:
    """What a naive publisher does: withhold the small cells, publish everything else."""
    published = {}
    for table_id, table in tables.items():
        count = table.frame["count"]
        withheld = ((count > 0) & (count < threshold)).to_numpy()
        out = table.frame[list(table.dimensions)].copy()
        out["OBS_VALUE"] = pd.array(count.to_numpy(), dtype="Int64")
        out.loc[withheld, "OBS_VALUE"] = pd.NA
        out["CONF_STATUS"] = np.where(withheld, "C", "F")
        out["OBS_STATUS"] = np.where(withheld, "O", "A")
        published[table_id] = out
    write_published(
        folder,
        published,
        {
            "dataset": "adult-1994",
            "method": "suppress",
            "parameters": {"threshold": threshold, "protection_level": threshold},
            "tables": {
                t: {"dimensions": list(table.dimensions), "parents": dict(table.parents)}
                for t, table in tables.items()
            },
        },
    )


def test_primary_only_suppression_is_broken_by_the_attack(
    adult_tables: dict[str, Table], tmp_path: Path
) -> None:
    primary_only(adult_tables, tmp_path, threshold=10)
    result = audit_dir(tmp_path)
    assert not result.passed
    attack = next(check for check in result.checks if check.name == "attack")
    assert not attack.passed
    assert "withheld cells can be narrowed below 10" in attack.detail
    intervals = [cell for cell in result.offending if cell.lower is not None]
    assert len(intervals) > 100
    for cell in intervals:
        assert cell.upper is not None
        assert cell.lower is not None
        assert cell.upper - cell.lower < 10
    # A cell alone in its row of T1 is given away exactly: Cambodia, women (2 in the extract).
    t1 = adult_tables["T1"].frame
    cambodian_women = int(
        t1[(t1["COUNTRY_OF_BIRTH"] == "KHM") & (t1["SEX"] == "F")]["count"].iloc[0]
    )
    found = {cell.cell: cell for cell in intervals}
    exposed = found["COUNTRY_OF_BIRTH=KHM;SEX=F"]
    assert exposed.lower == pytest.approx(cambodian_women)
    assert exposed.upper == pytest.approx(cambodian_women)
    printed = str(result)
    first = intervals[0]
    assert f"    {first.table}  {first.cell}  [{first.lower:g}, {first.upper:g}]" in printed
    assert f"… and {len(result.offending) - 50} more" in printed
    # The other checks are not what failed.
    assert all(check.passed for check in result.checks if check.name != "attack")


def test_secondary_suppression_passes_the_audit(suppressed_dir: Path) -> None:
    result = audit_dir(suppressed_dir)
    assert result.passed, str(result)
    assert [check.name for check in result.checks] == [
        "relations",
        "consistency",
        "threshold",
        "attack",
    ]
    assert result.figures["withheld"] > 0
    assert result.offending == []
    # And a wider protection level than the run used is a failure the audit can see.
    stricter = audit_dir(suppressed_dir, protection_level=5000)
    assert not stricter.passed


def test_a_withheld_cell_published_elsewhere_and_a_small_count_are_caught(
    suppressed_dir: Path, tmp_path: Path
) -> None:
    for path in suppressed_dir.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    t1 = pd.read_csv(tmp_path / "T1.csv", dtype=str, keep_default_na=False)
    row = t1.index[(t1["COUNTRY_OF_BIRTH"] == "KHM") & (t1["SEX"] == "F")][0]
    t1.loc[row, ["OBS_VALUE", "CONF_STATUS", "OBS_STATUS"]] = ["2", "F", "A"]
    t1.to_csv(tmp_path / "T1.csv", index=False, lineterminator="\r\n")
    result = audit_dir(tmp_path)
    assert not result.passed
    failed = {check.name for check in result.checks if not check.passed}
    assert {"consistency", "threshold"} <= failed
    reasons = {(cell.table, cell.cell): cell.reason for cell in result.offending}
    assert reasons[("T1", "COUNTRY_OF_BIRTH=KHM;SEX=F")] == "is published with 2"


def test_cell_key_output_passes_and_a_published_one_fails(
    adult_spec: Spec, adult_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cellkey"
    protect(
        adult_spec,
        "cellkey",
        {"threshold": 10, "max_deviation": 2},
        out,
        microdata_path=adult_csv,
        state_dir=tmp_path / "state",
    )
    result = audit_dir(out)
    assert result.passed, str(result)
    assert [check.name for check in result.checks] == ["ptable", "consistency", "small counts"]
    # Publish a 1 and break the perturbation table: both are found.
    t3 = pd.read_csv(out / "T3.csv", dtype=str, keep_default_na=False)
    t3.loc[0, ["OBS_VALUE", "CONF_STATUS"]] = ["1", "F"]
    t3.to_csv(out / "T3.csv", index=False, lineterminator="\r\n")
    report = json.loads((out / "report.json").read_text())
    for row in report["ptable"]:
        if row["i"] == 1:
            row["v"] = -1 if row["v"] == -1 else 1
    (out / "report.json").write_text(json.dumps(report))
    broken = audit_dir(out)
    failed = {check.name for check in broken.checks if not check.passed}
    assert failed >= {"ptable", "small counts"}


def test_dp_output_passes_and_a_lost_ledger_or_a_smaller_noise_fails(
    adult_spec: Spec, adult_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dp"
    state = tmp_path / "state"
    protect(adult_spec, "dp", {"rho": 0.5}, out, microdata_path=adult_csv, state_dir=state)
    result = audit_dir(out)
    assert result.passed, str(result)
    assert [check.name for check in result.checks] == ["categories", "privacy loss", "ledger"]
    assert result.figures["groupings"] == 24  # country (with regions) x age x sex x race
    report = json.loads((out / "report.json").read_text())
    report["dp"]["scale"] = report["dp"]["scale"] / 2
    (out / "report.json").write_text(json.dumps(report))
    cheaper = audit_dir(out)
    # The recomputed loss exceeds both what the report and what the ledger charged.
    assert {c.name for c in cheaper.checks if not c.passed} == {"privacy loss", "ledger"}
    (state / "privacy_ledger.json").unlink()
    lost = audit_dir(out)
    assert "ledger" in {c.name for c in lost.checks if not c.passed}


def test_the_audit_command_exits_with_1_on_a_failed_audit(
    adult_tables: dict[str, Table], suppressed_dir: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    # The command itself (``solidarity audit`` registers it; the import contract keeps the
    # Django-side ``solidarity.cli`` out of the stats library's tests).
    passed = runner.invoke(audit_command, [str(suppressed_dir)])
    assert passed.exit_code == 0, passed.output
    assert "method suppress): passed" in passed.output
    small = {"T1": adult_tables["T1"]}
    primary_only(small, tmp_path, threshold=10)
    failed = runner.invoke(audit_command, [str(tmp_path)])
    assert failed.exit_code == 1
    assert "[FAIL] attack" in failed.output
    assert "offending cells" in failed.output


def test_an_empty_report_is_not_a_pass(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "SEX": ["F", TOTAL],
            "OBS_VALUE": pd.array([5, 5], dtype="Int64"),
            "CONF_STATUS": ["F", "F"],
            "OBS_STATUS": ["A", "A"],
        }
    )
    write_published(tmp_path, {"T1": frame}, {"dataset": "x", "method": "mystery"})
    result = audit_dir(tmp_path)
    assert not result.passed
    assert result.checks[0].detail == "the report names no known method ('mystery')"


def test_rounded_weighted_totals_are_audited_with_their_rounding(
    adult_csv: Path, tmp_path: Path
) -> None:
    import yaml

    from solidarity.stats.privacy.spec import load_spec

    raw = pd.read_csv(adult_csv)
    raw["weight"] = (raw["fnlwgt"] / 100_000).round(4)  # fractional survey weights
    raw.to_csv(tmp_path / "people.csv", index=False)
    examples = Path(__file__).resolve().parent.parent / "examples"
    document = yaml.safe_load((examples / "adult-1994.yaml").read_text())
    document["weight"] = "weight"
    document["microdata"] = {"path": "people.csv"}
    document["tables"] = [document["tables"][0], document["tables"][2]]
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(document))
    protect(load_spec(tmp_path / "spec.yaml"), "suppress", {"threshold": 10}, tmp_path / "out")
    result = audit_dir(tmp_path / "out")
    relations = result.checks[0]
    assert relations.name == "relations"
    assert relations.passed
    assert "adds up to rounding" in relations.detail
    assert next(c for c in result.checks if c.name == "attack").passed
