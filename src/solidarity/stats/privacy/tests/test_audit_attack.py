"""The LP attack itself, checked against an independent solver: its exact intervals equal
SciPy's ``linprog`` minimum and maximum of each withheld cell, and its fast proofs (random
objectives, hypercubes, local boxes) pass and fail exactly the cells the exact attack does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog  # type: ignore[import-untyped]  # no scipy stubs pinned here

from solidarity.stats.privacy import attack as attack_module
from solidarity.stats.privacy.attack import Lattice, attack
from solidarity.stats.privacy.tables import Table

from .protect_support import adult_people
from .protect_support import tabulate as pandas_tabulate


def withheld_pattern(table: Table, *, share: float, seed: int) -> np.ndarray:
    """The small cells and a seeded random share of the others: some cells protected, some
    not, in one big component."""
    randomness = np.random.default_rng(seed)
    count = table.frame["count"].to_numpy()
    small = (count > 0) & (count < 10)
    return np.asarray(small | (randomness.random(len(count)) < share))


@pytest.fixture(scope="module")
def country_age_sex(shared_data: Path) -> dict[str, Table]:
    people = adult_people(shared_data)
    return {"T": pandas_tabulate(people, "T", ("COUNTRY_OF_BIRTH", "AGE", "SEX"))}


def independent_interval(
    lattice: Lattice, values: np.ndarray, withheld: np.ndarray, cell: int
) -> tuple[float, float]:
    """min and max of one withheld cell with SciPy (HiGHS through another interface, built from
    the relations directly)."""
    matrix = lattice.matrix().toarray()
    unknown = np.flatnonzero(withheld)
    known = np.where(withheld, 0.0, np.nan_to_num(values))
    rows = np.flatnonzero(np.abs(matrix[:, unknown]).sum(axis=1) > 0)
    a_eq = matrix[np.ix_(rows, unknown)]
    b_eq = -(matrix[rows] @ known)
    target = np.zeros(len(unknown))
    target[np.flatnonzero(unknown == cell)[0]] = 1.0
    low = linprog(target, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-target, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert low.status == 0
    upper = np.inf if high.status == 3 else -high.fun
    return float(low.fun), float(upper)


def test_exact_intervals_match_an_independent_solver(country_age_sex: dict[str, Table]) -> None:
    table = country_age_sex["T"]
    lattice = Lattice.build(country_age_sex)
    mask = withheld_pattern(table, share=0.15, seed=7)
    values = lattice.cell_values({"T": table.frame["value"].where(~mask).to_numpy()})
    withheld = lattice.cell_mask({"T": mask})
    result = attack(lattice, values, withheld, protection_level=10, exact=True)
    assert result.exact[withheld].all()
    randomness = np.random.default_rng(3)
    for cell in randomness.choice(np.flatnonzero(withheld), size=25, replace=False).tolist():
        low, high = independent_interval(lattice, values, withheld, cell)
        assert result.lower[cell] == pytest.approx(low, abs=1e-6)
        if np.isinf(high):
            assert np.isinf(result.upper[cell])
        else:
            assert result.upper[cell] == pytest.approx(high, abs=1e-6)
    # The true count is always inside the interval.
    truth = lattice.cell_values({"T": table.frame["value"].to_numpy()})
    assert (result.lower[withheld] <= truth[withheld] + 1e-6).all()
    assert (truth[withheld] <= result.upper[withheld] + 1e-6).all()


@pytest.mark.parametrize(
    ("share", "interior"), [(0.05, False), (0.3, False), (0.05, True), (0.3, True)]
)
def test_fast_proofs_fail_exactly_the_cells_the_exact_attack_fails(
    country_age_sex: dict[str, Table],
    share: float,
    interior: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Local proofs (a feasible table, hypercubes, boxes) run from 50 withheld cells here; with
    # ``interior``, the big components' path too (a central table by the interior point method,
    # neighbourhood rounds, hop LPs, exact attack by interior point and crossover).
    monkeypatch.setattr(attack_module, "LOCAL_FROM", 50)
    if interior:
        monkeypatch.setattr(attack_module, "INTERIOR_FROM", 50)
    table = country_age_sex["T"]
    lattice = Lattice.build(country_age_sex)
    mask = withheld_pattern(table, share=share, seed=11)
    values = lattice.cell_values({"T": table.frame["value"].where(~mask).to_numpy()})
    withheld = lattice.cell_mask({"T": mask})
    fast = attack(lattice, values, withheld, protection_level=10)
    exact = attack(lattice, values, withheld, protection_level=10, exact=True)
    assert fast.largest_component >= 50
    assert 0 < len(exact.failing) < len(exact.cells)
    assert sorted(fast.failing.tolist()) == sorted(exact.failing.tolist())
    for cell in fast.failing.tolist():
        assert fast.lower[cell] == pytest.approx(exact.lower[cell], abs=1e-6)
        assert fast.upper[cell] == pytest.approx(exact.upper[cell], abs=1e-6)
