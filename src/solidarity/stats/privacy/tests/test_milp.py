"""Secondary suppression as a MILP (`milp`), its fallbacks, and the pruning pass: known optima
on small tables, never worse than the heuristic, always passing the LP attack."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
import pytest

from solidarity.stats.privacy import milp
from solidarity.stats.privacy.attack import Lattice
from solidarity.stats.privacy.milp import solve_component
from solidarity.stats.privacy.spec import Spec
from solidarity.stats.privacy.suppression import suppress
from solidarity.stats.privacy.tables import TOTAL, Table
from solidarity.stats.privacy.tabulate import tabulate

from .test_suppression import published_attack


def table_of(counts: np.ndarray, table_id: str = "T") -> Table:
    """Every cell of ``counts`` with all its margins (codes ``D0``, ``D1``, …)."""
    names = [f"D{axis}" for axis in range(counts.ndim)]
    rows = []
    ranges = [[*range(size), None] for size in counts.shape]
    for index in itertools.product(*ranges):
        inner = tuple(slice(None) if i is None else i for i in index)
        value = int(np.asarray(counts[inner]).sum())
        codes = [TOTAL if i is None else f"c{i}" for i in index]
        rows.append([*codes, value])
    frame = pd.DataFrame(rows, columns=[*names, "count"])
    frame["value"] = frame["count"].astype(float)
    return Table(id=table_id, dimensions=tuple(names), frame=frame)


def withheld_names(result_table: Table, mask: np.ndarray) -> list[tuple[str, ...]]:
    frame = result_table.frame[mask]
    return sorted(tuple(str(v) for v in row) for row in frame[list(result_table.dimensions)].values)


def cost_of(tables: dict[str, Table], secondary: dict[str, np.ndarray], cost: str) -> float:
    lattice = Lattice.build(tables)
    values = lattice.cell_values(
        {t: table.frame["value"].to_numpy() for t, table in tables.items()}
    )
    cells = lattice.cell_mask(secondary)
    return float(cells.sum() if cost == "cells" else values[cells].sum())


@pytest.mark.parametrize("shape", [(2, 2), (3, 3)])
def test_one_primary_in_a_table_with_margins_costs_four_cells(shape: tuple[int, int]) -> None:
    counts = np.full(shape, 30)
    counts[0, 0] = 4
    table = table_of(counts)
    result = suppress({"T": table}, threshold=10, method="milp")
    assert result.statistics["primary_cells"] == 1
    assert result.statistics["secondary_cells"] == 3
    (component,) = result.statistics["components"]
    assert component["method"] == "milp"
    assert component["milp"]["status"] == "optimal"
    assert component["milp"]["gap"] == pytest.approx(0.0, abs=1e-4)
    assert component["milp"]["confirmed_by_attack"]
    # Three cells and the tie-breaker (inner cells before margins): the optimum is the square
    # of four inner cells around the primary one.
    assert round(component["milp"]["objective"]) == 3
    names = withheld_names(table, result.confidential["T"])
    assert len(names) == 4
    assert all(TOTAL not in name for name in names)
    assert ("c0", "c0") in names
    assert published_attack({"T": table}, result, 10)[0]


def test_the_model_alone_finds_the_optimum_without_a_start() -> None:
    counts = np.array([[3, 20, 25], [30, 40, 35], [15, 22, 50]])
    tables = {"T": table_of(counts)}
    lattice = Lattice.build(tables)
    values = lattice.cell_values({"T": tables["T"].frame["value"].to_numpy()})
    primary = (values > 0) & (values < 10)
    outcome = solve_component(
        lattice,
        lattice.matrix(),
        np.arange(lattice.cells),
        values=values,
        primary=primary,
        weights=np.ones(lattice.cells),
        level=10.0,
    )
    assert outcome.status == "optimal"
    assert outcome.pattern is not None
    assert int(outcome.pattern.sum()) == 4
    assert outcome.objective == pytest.approx(3.0)
    assert outcome.confirmed
    assert outcome.rounds >= 1
    assert outcome.columns == lattice.cells * 3  # y and two vectors for the one primary


def random_tables(seed: int) -> dict[str, Table]:
    randomness = np.random.default_rng(seed)
    shape = [(4, 4), (5, 3), (3, 3, 2), (4, 3, 2)][seed % 4]
    counts = randomness.integers(0, 35, size=shape)
    counts[randomness.random(shape) < 0.2] = 0
    return {"T": table_of(counts)}


@pytest.mark.parametrize("cost", ["cells", "counts"])
@pytest.mark.parametrize("seed", range(6))
def test_the_milp_never_costs_more_than_the_heuristic_and_passes_the_attack(
    seed: int, cost: str
) -> None:
    tables = random_tables(seed)
    heuristic = suppress(tables, threshold=10, cost=cost, method="heuristic", prune=0)  # type: ignore[arg-type]
    exact = suppress(tables, threshold=10, cost=cost, method="milp", time_limit=5)  # type: ignore[arg-type]
    assert published_attack(tables, heuristic, 10)[0]
    assert published_attack(tables, exact, 10)[0]
    assert cost_of(tables, exact.secondary, cost) <= cost_of(tables, heuristic.secondary, cost)
    for component in exact.statistics["components"]:
        assert component["milp"] is not None
        if component["method"] == "milp":
            assert component["milp"]["confirmed_by_attack"]
            assert component["milp"]["status"] in ("optimal", "time_limit")
    # The primary cells are the same; only the secondary ones differ.
    assert (exact.primary["T"] == heuristic.primary["T"]).all()


def test_a_model_too_big_for_memory_is_never_built(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = np.full((4, 4), 30)
    counts[1, 2] = 3
    tables = {"T": table_of(counts)}
    monkeypatch.setattr(milp, "MAX_COLUMNS", 50)  # 25 cells x (1 + 2 vectors) = 75 columns
    result = suppress(tables, threshold=10, method="milp")
    (component,) = result.statistics["components"]
    assert component["method"] == "heuristic"
    assert component["reason"] == "too_large"
    assert component["milp"]["status"] == "too_large"
    assert published_attack(tables, result, 10)[0]


def test_a_time_limit_keeps_a_protected_pattern() -> None:
    randomness = np.random.default_rng(7)
    counts = randomness.integers(0, 40, size=(6, 6, 4))
    tables = {"T": table_of(counts)}
    result = suppress(tables, threshold=10, method="milp", time_limit=0.2)
    (component,) = result.statistics["components"]
    milp = component["milp"]
    assert milp["status"] in ("time_limit", "no_solution")
    assert milp["seconds"] < 10
    if component["method"] == "milp":
        # An incumbent at the time limit is used only once the attack confirms it.
        assert milp["status"] == "time_limit"
        assert milp["confirmed_by_attack"]
        assert milp["gap"] is None or milp["gap"] >= 0
    else:
        assert component["reason"] == "no_solution"
    assert published_attack(tables, result, 10)[0]


def test_components_too_big_fall_back_to_the_heuristic() -> None:
    counts = np.full((4, 4), 30)
    counts[1, 2] = 3
    tables = {"T": table_of(counts)}
    result = suppress(tables, threshold=10, milp_max_size=10)
    (component,) = result.statistics["components"]
    assert component["method"] == "heuristic"
    assert component["reason"] == "size"
    assert component["milp"] is None
    assert component["size"] == 25 * 1
    assert result.statistics["tables"]["T"]["method"] == "heuristic"
    assert published_attack(tables, result, 10)[0]
    forced = suppress(tables, threshold=10, method="milp", milp_max_size=10)
    assert forced.statistics["components"][0]["method"] == "milp"
    never = suppress(tables, threshold=10, method="heuristic")
    assert never.statistics["components"][0]["reason"] == "method"
    chosen = suppress(tables, threshold=10)
    assert chosen.statistics["components"][0]["method"] == "milp"
    assert chosen.statistics["tables"]["T"]["method"] == "milp"


def test_the_report_says_which_method_ran_per_component_and_table() -> None:
    tables = {
        "A": table_of(np.array([[4, 30], [30, 30]]), "A"),
        "B": table_of(np.array([[30, 30, 4], [28, 2, 0]]), "B"),
    }
    # Two tables with dimensions of their own, sharing only the grand total (94 in both).
    tables["B"].frame.columns = ["E0", "E1", "count", "value"]
    tables["B"] = Table(id="B", dimensions=("E0", "E1"), frame=tables["B"].frame)
    result = suppress(tables, threshold=10)
    statistics = result.statistics
    assert statistics["method"] == "auto"
    covered = sorted(t for c in statistics["components"] for t in c["tables"])
    assert covered == ["A", "B"]
    for component in statistics["components"]:
        assert set(component) >= {
            "tables",
            "cells",
            "primary_cells",
            "size",
            "method",
            "reason",
            "heuristic_secondary_cells",
            "secondary_cells",
            "milp",
        }
        assert component["method"] == "milp"
        assert set(component["milp"]) >= {"status", "objective", "bound", "gap", "seconds"}
    assert statistics["tables"]["A"]["method"] == "milp"
    assert published_attack(tables, result, 10)[0]
    with pytest.raises(ValueError, match="method"):
        suppress(tables, threshold=10, method="exact")  # type: ignore[arg-type]


def test_pruning_publishes_secondary_cells_again_and_stays_protected() -> None:
    tables = {"T": table_of(np.random.default_rng(3).integers(0, 40, size=(10, 10)))}
    plain = suppress(tables, threshold=10, method="heuristic", prune=0)
    pruned = suppress(tables, threshold=10, method="heuristic")
    assert pruned.statistics["heuristic_secondary_cells"] == plain.statistics["secondary_cells"]
    assert pruned.statistics["pruned_cells"] > 0
    assert (
        pruned.statistics["secondary_cells"]
        == plain.statistics["secondary_cells"] - pruned.statistics["pruned_cells"]
    )
    # Only secondary cells are published again.
    assert not (pruned.confidential["T"] & ~plain.confidential["T"]).any()
    assert published_attack(tables, pruned, 10)[0]


def test_small_adult_tables_are_solved_exactly_and_pass_the_attack(
    adult_spec: Spec, adult_csv: Path
) -> None:
    everything = tabulate(adult_spec, adult_csv)
    tables = {"T3": everything["T3"]}
    result = suppress(tables, threshold=10)
    (component,) = result.statistics["components"]
    assert component["method"] == "milp", component
    assert component["milp"]["confirmed_by_attack"]
    heuristic = suppress(tables, threshold=10, method="heuristic")
    assert result.statistics["secondary_cells"] <= heuristic.statistics["secondary_cells"]
    assert published_attack(tables, result, 10)[0]
    # The whole dataset is one component too big for the MILP: the heuristic runs.
    whole = suppress(everything, threshold=10)
    assert [c["reason"] for c in whole.statistics["components"]] == ["size"]
    assert published_attack(everything, whole, 10)[0]
