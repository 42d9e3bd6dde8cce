"""The solidarity tabulate command, end to end on the UCI Adult extract, with every method."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from solidarity.stats.privacy import cli, run, tabulate
from solidarity.stats.privacy.output import read_published
from solidarity.stats.privacy.tables import TOTAL

EXAMPLE = Path(cli.__file__).resolve().parent / "examples" / "adult-1994.yaml"


def invoke(*arguments: str | Path) -> tuple[int, str]:
    """Run ``solidarity tabulate …`` or ``solidarity audit …`` (the commands themselves: the
    stats library may not import the ``solidarity`` command, which imports Django)."""
    name, *rest = arguments
    command = {"tabulate": cli.tabulate_command, "audit": cli.audit_command}[str(name)]
    result = CliRunner().invoke(command, [str(a) for a in rest])
    return result.exit_code, result.output


def test_the_command_line_mirrors_the_library() -> None:
    assert cli.METHODS == run.METHODS
    assert cli.ENGINES == tabulate.ENGINES
    assert set(run.available_methods()) == set(run.METHODS)


def test_cellkey_from_the_command_line(adult_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "tabulate",
        adult_csv,
        "--spec",
        EXAMPLE,
        "--method",
        "cellkey",
        "--state",
        tmp_path / "state",
        "--out",
        out,
    )
    assert code == 0, output
    assert output.splitlines()[0].startswith("T1: 135 cells, ")
    assert f"cellkey on 30162 records (duckdb); report: {out / 'report.json'}" in output
    tables, report = read_published(out)
    assert sorted(tables) == ["T1", "T2", "T3"]
    # The defaults come from the specification (10 and 2), recorded in the report.
    assert report["parameters"]["threshold"] == 10
    assert report["parameters"]["max_deviation"] == 2
    assert (tmp_path / "state" / "record_keys.parquet").exists()
    header = (out / "T2.csv").read_text().splitlines()[0]
    assert header == (
        "STRUCTURE,STRUCTURE_ID,ACTION,COUNTRY_OF_BIRTH,AGE,SEX,RACE_ETHNICITY,"
        "OBS_VALUE,CONF_STATUS,OBS_STATUS"
    )


def test_suppression_from_the_command_line(adult_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "tabulate",
        adult_csv,
        "--spec",
        EXAMPLE,
        "--method",
        "suppress",
        "--threshold",
        "5",
        "--state",
        tmp_path / "state",
        "--out",
        out,
    )
    assert code == 0, output
    tables, report = read_published(out)
    assert report["method"] == "suppress"
    assert report["parameters"]["threshold"] == 5
    assert report["suppression"]["primary_cells"] > 0
    assert report["suppression"]["secondary_cells"] > 0
    # The dataset's tables form one component, too big for the MILP.
    assert report["parameters"]["secondary_method"] == "auto"
    assert [c["reason"] for c in report["suppression"]["components"]] == ["size"]
    for table in tables.values():
        shown = table.frame["OBS_VALUE"].dropna()
        assert not shown.between(1, 4).any()
        assert set(table.frame["CONF_STATUS"]) == {"F", "C"}


def test_differential_privacy_from_the_command_line_keeps_its_budget(
    adult_csv: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    code, output = invoke(
        "tabulate",
        adult_csv,
        "--spec",
        EXAMPLE,
        "--method",
        "dp",
        "--rho",
        "0.5",
        "--state",
        state,
        "--out",
        tmp_path / "one",
    )
    assert code == 0, output
    assert "Privacy budget: rho spent 0.5, left 0.0" in output
    tables, report = read_published(tmp_path / "one")
    assert report["budget"]["rho_total"] == 0.5
    assert all((t.frame["CONF_STATUS"] == "F").all() for t in tables.values())
    # Without a raise, a second release exceeds the budget: refused, nothing written.
    code, output = invoke(
        "tabulate",
        adult_csv,
        "--spec",
        EXAMPLE,
        "--method",
        "dp",
        "--rho",
        "0.1",
        "--state",
        state,
        "--out",
        tmp_path / "two",
    )
    assert code == 1
    assert "Error:" in output
    assert not (tmp_path / "two").exists()
    code, output = invoke(
        "tabulate",
        adult_csv,
        "--spec",
        EXAMPLE,
        "--method",
        "dp",
        "--rho",
        "0.1",
        "--raise-budget",
        "0.6",
        "--state",
        state,
        "--out",
        tmp_path / "two",
    )
    assert code == 0, output
    report = json.loads((tmp_path / "two" / "report.json").read_text())
    assert report["budget"]["rho_total"] == 0.6


def test_dp_post_processing_from_the_command_line(adult_csv: Path, tmp_path: Path) -> None:
    code, output = invoke(
        "tabulate",
        adult_csv,
        "--spec",
        EXAMPLE,
        "--method",
        "dp",
        "--rho",
        "0.5",
        "--post-process",
        "--state",
        tmp_path / "state",
        "--out",
        tmp_path / "out",
    )
    assert code == 0, output
    tables, report = read_published(tmp_path / "out")
    assert report["parameters"]["postprocess"] == "clip at zero, margins summed bottom-up"
    for table in tables.values():
        values = table.frame["OBS_VALUE"].astype("int64")
        assert (values >= 0).all()
        # Every margin is the sum of its cells: the grand total is the sum of the finest ones.
        inner = (table.frame[list(table.dimensions)] != TOTAL).all(axis=1)
        grand = (table.frame[list(table.dimensions)] == TOTAL).all(axis=1)
        if not any(table.parents.values()):
            assert int(values[grand].iloc[0]) == int(values[inner].sum())
    code, output = invoke("audit", tmp_path / "out")
    assert code == 0, output
    # Only for differential privacy.
    code, output = invoke(
        "tabulate",
        adult_csv,
        "--spec",
        EXAMPLE,
        "--method",
        "suppress",
        "--post-process",
        "--out",
        tmp_path / "suppressed",
    )
    assert code == 2
    assert "are for --method dp" in output


def test_wrong_options_and_bad_input_exit_with_a_message(adult_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke("tabulate", adult_csv, "--spec", EXAMPLE, "--method", "dp", "--out", out)
    assert code == 2
    assert "the dp method needs --rho, or --epsilon and --delta" in output
    code, output = invoke(
        "tabulate",
        adult_csv,
        "--spec",
        EXAMPLE,
        "--method",
        "cellkey",
        "--rho",
        "1",
        "--out",
        out,
    )
    assert code == 2
    assert (
        "--rho, --epsilon, --delta, --raise-budget and --post-process are for --method dp" in output
    )
    bad_spec = tmp_path / "spec.yaml"
    bad_spec.write_text("dataset: adult\ndimensions: {}\ntables: []\n")
    code, output = invoke(
        "tabulate", adult_csv, "--spec", bad_spec, "--method", "cellkey", "--out", out
    )
    assert code == 1
    assert f"Error: {bad_spec}, key dimensions: must name at least one dimension" in output
    missing = tmp_path / "missing.csv"
    code, output = invoke(
        "tabulate",
        missing,
        "--spec",
        EXAMPLE,
        "--method",
        "cellkey",
        "--state",
        tmp_path / "state",
        "--out",
        out,
    )
    assert code == 1
    assert f"Error: {missing}: no such file" in output
    assert not out.exists()


def test_the_audit_passes_on_every_method_and_fails_on_a_tampered_release(
    adult_csv: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    for method, extra in (("cellkey", []), ("suppress", []), ("dp", ["--rho", "1"])):
        out = tmp_path / method
        code, output = invoke(
            "tabulate", adult_csv, "--spec", EXAMPLE, "--method", method, *extra,
            "--state", state, "--out", out,
        )  # fmt: skip
        assert code == 0, output
        code, output = invoke("audit", out)
        assert code == 0, output
        assert f"(dataset adult-1994, method {method}): passed" in output
    # A cell key release whose perturbation table was widened after the fact fails.
    report_path = tmp_path / "cellkey" / "report.json"
    report = json.loads(report_path.read_text())
    last = max(row["i"] for row in report["ptable"])
    for row in report["ptable"]:
        if row["i"] == last and row["v"] == 2:
            row["v"] = 3
    report_path.write_text(json.dumps(report))
    code, output = invoke("audit", tmp_path / "cellkey")
    assert code == 1
    assert "FAILED" in output
    assert "exceeds the maximum deviation 2" in output
    code, output = invoke("audit", tmp_path / "nothing")
    assert code == 1
    assert "no report.json" in output


def test_the_secondary_method_is_passed_through_and_reported(
    adult_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "tabulate",
        adult_csv,
        "--spec",
        EXAMPLE,
        "--method",
        "suppress",
        "--secondary-method",
        "heuristic",
        "--state",
        tmp_path / "state",
        "--out",
        out,
    )
    assert code == 0, output
    _, report = read_published(out)
    assert report["parameters"]["secondary_method"] == "heuristic"
    (component,) = report["suppression"]["components"]
    assert component["method"] == "heuristic"
    assert component["reason"] == "method"
    assert component["milp"] is None
    assert {t["method"] for t in report["tables"].values()} == {"heuristic"}
