"""The audit's threshold check on weighted releases: published values are then weighted
totals while the threshold counts records, so the audit compares like with like (a published
total is at least the threshold times the smallest mean weight of a published cell, which the
report records) — a valid weighted release passes, a leaked small cell still fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from solidarity.stats.privacy.audit import audit_dir
from solidarity.stats.privacy.run import protect
from solidarity.stats.privacy.spec import load_spec

# Records per (sex, region); every record weighs 0.5, so a cell of 18 records totals 9.
COUNTS = {
    ("M", "R1"): 40,
    ("F", "R1"): 35,
    ("M", "R2"): 30,
    ("F", "R2"): 3,
    ("M", "R3"): 25,
    ("F", "R3"): 22,
    ("M", "R4"): 18,
    ("F", "R4"): 16,
}


@pytest.fixture
def weighted_spec(tmp_path: Path) -> Path:
    lines = ["sex,region,w"]
    for (sex, region), count in COUNTS.items():
        lines += [f"{sex},{region},0.5"] * count
    (tmp_path / "people.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "spec.yaml").write_text(
        "dataset: weighted-demo\n"
        "microdata: {path: people.csv}\n"
        "weight: w\n"
        "dimensions:\n"
        "  SEX: {column: sex, codelist: [M, F]}\n"
        "  REGION: {column: region, codelist: [R1, R2, R3, R4]}\n"
        "tables:\n"
        "  - {id: T1, dimensions: [SEX, REGION]}\n",
        encoding="utf-8",
    )
    return tmp_path / "spec.yaml"


@pytest.mark.parametrize(
    ("method", "params", "check"),
    [
        ("suppress", {"threshold": 10}, "threshold"),
        ("cellkey", {"threshold": 10, "max_deviation": 2}, "small counts"),
    ],
)
def test_a_valid_weighted_release_passes_the_threshold_check(
    weighted_spec: Path, method: str, params: dict[str, int], check: str
) -> None:
    out = weighted_spec.parent / "out"
    report = protect(load_spec(weighted_spec), method, params, out)
    assert report["weights"] == {
        "column": "w",
        "values": "weighted totals",
        "minimum_mean_weight": 0.5,
    }
    result = audit_dir(out)
    assert result.passed, str(result)
    detail = next(c for c in result.checks if c.name == check).detail
    assert "smallest mean weight" in detail
    # The same files audited as counts (what the audit did before weighted reports were told
    # apart): cells of 18 and 16 records, published as 9 and 8, were wrongly flagged.
    (out / "report.json").write_text(
        json.dumps({k: v for k, v in report.items() if k != "weights"}), encoding="utf-8"
    )
    assert not next(c for c in audit_dir(out).checks if c.name == check).passed


def test_a_leaked_small_weighted_cell_still_fails(weighted_spec: Path) -> None:
    out = weighted_spec.parent / "out"
    protect(load_spec(weighted_spec), "suppress", {"threshold": 10}, out)
    # Tamper: publish the 3 women of R2 (weighted total 1.5, published as 2).
    lines = (out / "T1.csv").read_text(encoding="utf-8").splitlines()
    leaked = [line.replace(",,C,O", ",2,F,A") if ",F,R2," in line else line for line in lines]
    assert leaked != lines
    (out / "T1.csv").write_text("\n".join(leaked) + "\n", encoding="utf-8")
    result = audit_dir(out)
    assert not result.passed
    threshold = next(c for c in result.checks if c.name == "threshold")
    assert not threshold.passed
    assert "below 4.5 = 10 records x 0.5" in threshold.detail
    assert any(cell.cell == "REGION=R2;SEX=F" for cell in result.offending)
