"""The cell key method on the real UCI Adult extract: the perturbation table's properties, no
published 1s and 2s, the same value for the same cell everywhere, stable across releases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
import pytest

from solidarity.stats.privacy.cellkey import (
    check_ptable,
    consistent_across_tables,
    perturb,
    protect_cellkey,
    ptable,
    ptable_from_records,
)
from solidarity.stats.privacy.keys import ensure_record_keys
from solidarity.stats.privacy.output import read_published
from solidarity.stats.privacy.run import protect
from solidarity.stats.privacy.spec import Spec
from solidarity.stats.privacy.tabulate import tabulate


def test_a_deviation_below_two_cannot_hide_ones_and_twos() -> None:
    with pytest.raises(ValueError, match="the maximum deviation must be at least 2"):
        ptable(1)


@pytest.mark.parametrize("max_deviation", [2, 3, 5])
def test_ptables_keep_their_properties(max_deviation: int) -> None:
    table = ptable(max_deviation)
    assert check_ptable(table, max_deviation=max_deviation) == []
    assert table["v"].abs().max() <= max_deviation
    published = table["i"] + table["v"]
    assert not published.between(1, 2).any()
    for _, row in table.groupby("i"):
        assert (row["p"] * row["v"]).sum() == pytest.approx(0, abs=1e-12)


def test_check_ptable_finds_broken_tables() -> None:
    table = ptable(2)
    wider = table.copy()
    wider.loc[wider["i"] == 5, "v"] = [-3, -1, 0, 1, 3]
    assert "i=5: a perturbation exceeds the maximum deviation 2" in check_ptable(
        wider, max_deviation=2
    )
    unbalanced = table.copy()
    unbalanced.loc[unbalanced["i"] == 4, "p"] = [0.25, 0.25, 0.25, 0.25]
    problems = check_ptable(unbalanced, max_deviation=2)
    assert any(p.startswith("i=4: the mean perturbation is") for p in problems)
    short = table[table["i"] < 4]
    assert any("cannot serve larger counts" in p for p in check_ptable(short, max_deviation=2))


def test_perturbation_is_unbiased_over_many_cells() -> None:
    rng = np.random.default_rng(11)
    count = np.full(200_000, 7)
    perturbed = perturb(count, rng.random(200_000), ptable(2))
    assert abs((perturbed - count).mean()) < 0.01
    assert set(np.unique(perturbed - count)) == {-2, -1, 0, 1, 2}
    ones = perturb(np.ones(100_000, dtype=np.int64), rng.random(100_000), ptable(2))
    assert set(np.unique(ones)) == {0, 3}
    assert abs(ones.mean() - 1) < 0.01


def test_the_adult_tables_under_the_cell_key_method(
    adult_csv: Path, adult_spec: Spec, tmp_path: Path
) -> None:
    keys = ensure_record_keys(adult_spec, adult_csv, state_dir=tmp_path / "state")
    tables = tabulate(adult_spec, adult_csv, record_keys=keys)
    published, report = protect_cellkey(tables, threshold=10, max_deviation=2)
    for table_id, frame in published.items():
        original = tables[table_id].frame
        values = frame["OBS_VALUE"]
        shown = values.dropna().astype(int)
        assert not shown.between(1, 9).any(), table_id
        difference = (shown - original.loc[shown.index, "count"]).abs()
        assert difference.max() <= 2
        withheld = frame["CONF_STATUS"] == "C"
        assert values[withheld].isna().all()
        assert values[~withheld].notna().all()
        assert set(frame.loc[withheld, "OBS_STATUS"]) <= {"O"}
        # Empty cells stay empty.
        assert (values[original["count"] == 0] == 0).all()
        assert report["tables"][table_id]["cells_withheld"] == int(withheld.sum())
    t2 = report["tables"]["T2"]
    assert t2["cells_withheld"] > 100
    assert t2["cells_perturbed"] > 100
    assert check_ptable(ptable_from_records(report["ptable"]), max_deviation=2) == []


def test_releases_repeat_the_same_values_and_tables_agree(
    adult_csv: Path, adult_spec: Spec, tmp_path: Path
) -> None:
    params = {"threshold": 10, "max_deviation": 2}
    state = tmp_path / "state"
    first = protect(
        adult_spec, "cellkey", params, tmp_path / "one", microdata_path=adult_csv, state_dir=state
    )
    second = protect(
        adult_spec, "cellkey", params, tmp_path / "two", microdata_path=adult_csv, state_dir=state
    )
    assert (
        first["parameters"]
        == second["parameters"]
        == {"threshold": 10, "max_deviation": 2, "js": 2, "sigma": 1.0}
    )
    for table_id in ("T1", "T2", "T3"):
        assert (tmp_path / "one" / f"{table_id}.csv").read_bytes() == (
            tmp_path / "two" / f"{table_id}.csv"
        ).read_bytes()
    published, report = read_published(tmp_path / "one")
    assert consistent_across_tables(published) == []
    assert report["method"] == "cellkey"
    assert report["engine"] == "duckdb"
    assert report["records"] == 30162
    assert set(report["timings"]) >= {"record_keys", "tabulate", "protect", "total"}
    # A different set of keys (a new dataset state) moves some values: the keys matter.
    protect(
        adult_spec,
        "cellkey",
        params,
        tmp_path / "three",
        microdata_path=adult_csv,
        state_dir=tmp_path / "other-state",
    )
    assert (tmp_path / "one" / "T2.csv").read_bytes() != (
        tmp_path / "three" / "T2.csv"
    ).read_bytes()
    saved = json.loads((tmp_path / "one" / "report.json").read_text())
    assert saved["tables"]["T1"]["parents"]["COUNTRY_OF_BIRTH"]["USA"] == "019"


def test_inconsistent_tables_are_found() -> None:
    from solidarity.stats.privacy.output import PublishedTable

    one = pd.DataFrame({"SEX": ["F", "_T"], "OBS_VALUE": pd.array([5, 9], dtype="Int64")})
    two = pd.DataFrame({"AGE": ["_T"], "OBS_VALUE": pd.array([10], dtype="Int64")})
    problems = consistent_across_tables(
        {"A": PublishedTable("A", ("SEX",), one), "B": PublishedTable("B", ("AGE",), two)}
    )
    assert problems == ["cell _T is 9 in A but 10 in B"]
