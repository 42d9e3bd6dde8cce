"""Secondary suppression on the real UCI Adult extract: every withheld cell survives the LP
attack from all the tables together, with hierarchies, with tables not nested in each other, at
a protection level above the threshold, and for both costs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
import pytest

from solidarity.stats.privacy.attack import Lattice, attack
from solidarity.stats.privacy.spec import Spec
from solidarity.stats.privacy.suppression import SuppressionResult, suppress
from solidarity.stats.privacy.tables import TOTAL, Table
from solidarity.stats.privacy.tabulate import tabulate

from .protect_support import adult_people
from .protect_support import tabulate as pandas_tabulate


@pytest.fixture(scope="module")
def adult_tables(adult_spec: Spec, adult_csv: Path) -> dict[str, Table]:
    """The example specification's three tables (country with M49 regions, age, sex, race)."""
    return tabulate(adult_spec, adult_csv)


def published_attack(
    tables: dict[str, Table], result: SuppressionResult, level: float
) -> tuple[bool, int]:
    """The attack an intruder runs: from the published cells only."""
    lattice = Lattice.build(tables)
    values = lattice.cell_values(
        {
            t: table.frame["value"].where(~result.confidential[t]).to_numpy()
            for t, table in tables.items()
        }
    )
    attacked = attack(
        lattice, values, lattice.cell_mask(result.confidential), protection_level=level
    )
    return attacked.passed, len(attacked.cells)


def small_table() -> Table:
    frame = pd.DataFrame(
        {
            "A": ["a", "a", "a", "b", "b", "b", "c", "c", "c", TOTAL, TOTAL, TOTAL],
            "B": ["x", "y", TOTAL] * 4,
            "count": [0, 3, 3, 30, 40, 70, 12, 0, 12, 42, 43, 85],
        }
    )
    frame["value"] = frame["count"].astype(float)
    return Table(id="T", dimensions=("A", "B"), frame=frame)


def test_primary_cells_are_the_small_non_zero_ones_margins_included() -> None:
    result = suppress({"T": small_table()}, threshold=10)
    frame = small_table().frame
    primary = frame[result.primary["T"]]
    assert sorted(zip(primary["A"], primary["B"], strict=True)) == [("a", TOTAL), ("a", "y")]
    # Zeros are not primary suppressions.
    assert not result.primary["T"][(frame["count"] == 0).to_numpy()].any()
    assert result.statistics["primary_cells"] == 2
    assert result.confidential["T"][result.primary["T"]].all()
    assert not (result.primary["T"] & result.secondary["T"]).any()
    assert published_attack({"T": small_table()}, result, 10)[0]


def test_the_example_tables_are_protected_across_tables(adult_tables: dict[str, Table]) -> None:
    result = suppress(adult_tables, threshold=10)
    passed, withheld = published_attack(adult_tables, result, 10)
    assert passed
    statistics = result.statistics
    lattice = result.lattice
    counts = lattice.cell_values(
        {t: table.frame["count"].to_numpy() for t, table in adult_tables.items()}
    )
    assert statistics["primary_cells"] == int(((counts > 0) & (counts < 10)).sum())
    assert statistics["primary_cells"] + statistics["secondary_cells"] == withheld
    assert statistics["secondary_cells"] > 0
    assert 0 < statistics["information_loss_cells"] < 1
    # Every small cell is withheld, in every table that has it; the same cell has the same
    # status everywhere (T1 and T3 are margins of T2).
    for table_id, table in adult_tables.items():
        small = ((table.frame["count"] > 0) & (table.frame["count"] < 10)).to_numpy()
        assert result.confidential[table_id][small].all()
    t1 = adult_tables["T1"].frame.assign(withheld=result.confidential["T1"])
    t2 = adult_tables["T2"].frame.assign(withheld=result.confidential["T2"])
    margins = t2[(t2["AGE"] == TOTAL) & (t2["RACE_ETHNICITY"] == TOTAL)]
    merged = t1.merge(margins, on=["COUNTRY_OF_BIRTH", "SEX"], suffixes=("_t1", "_t2"))
    assert len(merged) == len(t1)
    assert (merged["withheld_t1"] == merged["withheld_t2"]).all()


def test_the_counts_cost_protects_too_and_never_withholds_the_grand_total(
    adult_tables: dict[str, Table],
) -> None:
    by_counts = suppress(adult_tables, threshold=10, cost="counts")
    assert published_attack(adult_tables, by_counts, 10)[0]
    assert by_counts.statistics["cost"] == "counts"
    for table_id, table in adult_tables.items():
        grand_total = (table.frame[list(table.dimensions)] == TOTAL).all(axis=1).to_numpy()
        assert not by_counts.confidential[table_id][grand_total].any()


def test_tables_not_nested_in_each_other_are_repaired_until_the_attack_fails(
    shared_data: Path,
) -> None:
    people = adult_people(shared_data)
    tables = {
        "BY_SEX": pandas_tabulate(people, "BY_SEX", ("COUNTRY_OF_BIRTH", "SEX")),
        "BY_AGE": pandas_tabulate(people, "BY_AGE", ("COUNTRY_OF_BIRTH", "AGE")),
        "BY_RACE": pandas_tabulate(people, "BY_RACE", ("COUNTRY_OF_BIRTH", "RACE_ETHNICITY")),
    }
    result = suppress(tables, threshold=10)
    assert published_attack(tables, result, 10)[0]
    # The country margins are shared by the three tables and protected once for all.
    lattice = result.lattice
    assert lattice.cells < sum(t.cells for t in tables.values())


def test_a_protection_level_above_the_threshold_is_kept(shared_data: Path) -> None:
    people = adult_people(shared_data)
    tables = {"T": pandas_tabulate(people, "T", ("COUNTRY_OF_BIRTH", "AGE", "SEX"))}
    result = suppress(tables, threshold=5, protection_level=25)
    assert result.statistics["protection_level"] == 25
    assert published_attack(tables, result, 25)[0]
    # The same pattern is not enough for a wider level: the check can fail.
    lattice = result.lattice
    values = lattice.cell_values(
        {"T": tables["T"].frame["value"].where(~result.confidential["T"]).to_numpy()}
    )
    wider = attack(lattice, values, lattice.cell_mask(result.confidential), protection_level=10_000)
    assert not wider.passed


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"threshold": 0}, "threshold must be at least 1"),
        ({"threshold": 10, "protection_level": 0}, "protection_level must be positive"),
        ({"threshold": 10, "cost": "people"}, "cost must be 'cells' or 'counts'"),
    ],
)
def test_bad_parameters_are_refused(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress({"T": small_table()}, **arguments)  # type: ignore[arg-type]


def test_a_table_without_small_cells_withholds_nothing() -> None:
    frame = small_table().frame.copy()
    frame["count"] = np.where(frame["count"] == 0, 0, 100)
    frame.loc[frame["A"] == TOTAL, "count"] = [200, 100, 300]
    frame.loc[frame["B"] == TOTAL, "count"] = (
        frame[frame["B"] != TOTAL]
        .groupby("A", sort=False)["count"]
        .sum()
        .reindex(frame.loc[frame["B"] == TOTAL, "A"])
        .to_numpy()
    )
    frame["value"] = frame["count"].astype(float)
    result = suppress({"T": Table(id="T", dimensions=("A", "B"), frame=frame)}, threshold=10)
    assert not result.confidential["T"].any()
    assert result.statistics["secondary_cells"] == 0
