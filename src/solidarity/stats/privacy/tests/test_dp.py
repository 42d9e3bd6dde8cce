"""Differential privacy on the real UCI Adult extract: public codelists (cells with no one get
noise too), the sensitivity from the groupings, OpenDP's privacy loss equal to ours, noise of
the promised size, the ledger charged before any noise, post-processing that adds up."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from solidarity.stats.privacy import ledger
from solidarity.stats.privacy.attack import Lattice
from solidarity.stats.privacy.dp import (
    add_noise,
    calibrate,
    epsilon_from_rho,
    groupings,
    public_tables,
    release,
    rho_from_epsilon_delta,
    sensitivity_of,
)
from solidarity.stats.privacy.errors import SpecError
from solidarity.stats.privacy.spec import Spec, parse_spec
from solidarity.stats.privacy.tables import TOTAL, Table, relations
from solidarity.stats.privacy.tabulate import tabulate


@pytest.fixture(scope="module")
def adult_tables(adult_spec: Spec, adult_csv: Path) -> dict[str, Table]:
    return tabulate(adult_spec, adult_csv)


@pytest.mark.parametrize(("epsilon", "delta"), [(0.1, 1e-6), (1.0, 1e-9), (8.0, 1e-5)])
def test_epsilon_delta_converts_to_the_largest_rho_that_implies_it(
    epsilon: float, delta: float
) -> None:
    rho = rho_from_epsilon_delta(epsilon, delta)
    assert epsilon_from_rho(rho, delta) == pytest.approx(epsilon, rel=1e-12)
    assert epsilon_from_rho(rho * 1.01, delta) > epsilon
    with pytest.raises(ValueError, match="epsilon must be positive"):
        rho_from_epsilon_delta(epsilon, 0)


def test_the_sensitivity_counts_the_cells_one_person_is_in(
    adult_tables: dict[str, Table],
) -> None:
    # COUNTRY_OF_BIRTH has two levels (country, M49 region): 3 x 2 x 2 x 2 groupings in T2,
    # and T1 and T3 add none (they are T2's margins).
    sensitivity, count = sensitivity_of(adult_tables)
    assert count == 24
    assert sensitivity == pytest.approx(math.sqrt(24))
    flat = {"C": 1, "S": 1, "A": 1, "R": 1}
    assert len(groupings({"T1": ["C", "S"], "T2": ["C", "A", "S", "R"]}, flat)) == 16
    assert len(groupings({"T1": ["C", "S"], "T3": ["A", "R"]}, flat)) == 7
    # Checked on the data: one person's cells, counted.
    person = {"COUNTRY_OF_BIRTH": "MEX", "AGE": "Y25T64", "SEX": "F", "RACE_ETHNICITY": "WHITE"}
    region = adult_tables["T1"].parents["COUNTRY_OF_BIRTH"]["MEX"]
    touched = set()
    for table in adult_tables.values():
        frame = table.frame
        keep = np.ones(len(frame), dtype=bool)
        for dimension in table.dimensions:
            allowed = {person[dimension], TOTAL}
            if dimension == "COUNTRY_OF_BIRTH":
                allowed.add(region)
            keep &= frame[dimension].isin(allowed).to_numpy()
        for _, row in frame[keep].iterrows():
            touched.add(
                tuple(
                    row.get(d, TOTAL) for d in ("COUNTRY_OF_BIRTH", "AGE", "SEX", "RACE_ETHNICITY")
                )
            )
    assert len(touched) == count


def test_opendp_and_our_privacy_loss_agree() -> None:
    for sensitivity, rho in [(1.0, 0.01), (math.sqrt(24), 0.5), (4.0, 2.0)]:
        scale, ours, theirs = calibrate(sensitivity, rho)
        assert ours == pytest.approx(rho, rel=1e-12)
        assert theirs == pytest.approx(rho, rel=1e-9)
        assert scale == pytest.approx(sensitivity / math.sqrt(2 * rho))


def test_the_noise_has_mean_zero_and_the_promised_spread() -> None:
    counts = np.full(40_000, 50, dtype=np.int64)
    noisy = add_noise(counts, scale=3.0)
    noise = noisy - counts
    assert noise.dtype == np.int64
    assert abs(noise.mean()) < 4 * 3.0 / math.sqrt(len(noise))
    assert noise.std() == pytest.approx(3.0, rel=0.03)
    assert len(np.unique(noise)) > 15  # integers spread over the discrete Gaussian's support


def test_a_release_uses_the_public_codelists_and_charges_the_ledger(
    adult_spec: Spec, adult_tables: dict[str, Table], tmp_path: Path
) -> None:
    published, report = release(spec=adult_spec, tables=adult_tables, state_dir=tmp_path, rho=0.5)
    # Y_LT15 has no one in the extract (the youngest is 17) and is released all the same.
    t3 = published["T3"]
    assert (t3["AGE"] == "Y_LT15").sum() == 3 * 6
    assert set(published) == {"T1", "T2", "T3"}
    # The same cell has the same value in every table.
    t1 = published["T1"].set_index(["COUNTRY_OF_BIRTH", "SEX"])["OBS_VALUE"]
    t2 = published["T2"]
    margin = t2[(t2["AGE"] == TOTAL) & (t2["RACE_ETHNICITY"] == TOTAL)].set_index(
        ["COUNTRY_OF_BIRTH", "SEX"]
    )["OBS_VALUE"]
    assert (t1.sort_index() == margin.sort_index()).all()
    assert (published["T2"]["CONF_STATUS"] == "F").all()
    assert (published["T2"]["OBS_STATUS"] == "E").all()
    assert report["dp"]["sensitivity"] == pytest.approx(math.sqrt(24))
    assert report["dp"]["opendp_rho"] == pytest.approx(0.5)
    assert report["budget"]["rho_total"] == 0.5
    assert report["budget"]["rho_left"] == 0.0
    state = ledger.read_ledger(tmp_path, "adult-1994")
    assert [e["event"] for e in state.events] == ["total", "release"]
    assert state.releases[0]["release"] == report["budget"]["release"]
    # The first release's rho became the total: a second one needs an explicit raise.
    with pytest.raises(ledger.BudgetExceededError):
        release(spec=adult_spec, tables=adult_tables, state_dir=tmp_path, rho=0.1)
    assert len(ledger.read_ledger(tmp_path, "adult-1994").releases) == 1
    _, second = release(
        spec=adult_spec,
        tables=adult_tables,
        state_dir=tmp_path,
        epsilon=1.0,
        delta=1e-6,
        raise_budget=1.0,
    )
    assert second["parameters"]["rho"] == pytest.approx(rho_from_epsilon_delta(1.0, 1e-6))
    assert second["budget"]["rho_spent"] == pytest.approx(0.5 + second["parameters"]["rho"])
    assert ledger.verify(tmp_path, "adult-1994").passed


def test_the_noisy_counts_are_near_the_true_ones(
    adult_spec: Spec, adult_tables: dict[str, Table], tmp_path: Path
) -> None:
    published, report = release(spec=adult_spec, tables=adult_tables, state_dir=tmp_path, rho=2.0)
    scale = report["dp"]["scale"]
    truth = adult_tables["T2"].frame.set_index(list(adult_tables["T2"].dimensions))["count"]
    noisy = published["T2"].set_index(list(adult_tables["T2"].dimensions))["OBS_VALUE"]
    error = (noisy.astype(float) - truth.reindex(noisy.index, fill_value=0)).to_numpy()
    assert error.std() == pytest.approx(scale, rel=0.1)
    assert abs(error.mean()) < 4 * scale / math.sqrt(len(error))


def test_post_processing_gives_non_negative_counts_that_add_up(
    adult_spec: Spec, adult_tables: dict[str, Table], tmp_path: Path
) -> None:
    published, report = release(
        spec=adult_spec, tables=adult_tables, state_dir=tmp_path, rho=0.5, postprocess=True
    )
    assert report["parameters"]["postprocess"] == "clip at zero, margins summed bottom-up"
    for table_id, frame in published.items():
        values = frame["OBS_VALUE"].to_numpy(dtype=np.int64)
        assert (values >= 0).all()
        source = adult_tables[table_id]
        rel = relations(
            Table(id=table_id, dimensions=source.dimensions, frame=frame, parents=source.parents)
        )
        sums = np.bincount(
            rel["relation"], weights=values[rel["row"]] * rel["coefficient"].to_numpy()
        )
        assert np.abs(sums).max() == 0
    # Nested tables agree with the table they are margins of.
    t1 = published["T1"].set_index(["COUNTRY_OF_BIRTH", "SEX"])["OBS_VALUE"].sort_index()
    t2 = published["T2"]
    margin = t2[(t2["AGE"] == TOTAL) & (t2["RACE_ETHNICITY"] == TOTAL)]
    assert (margin.set_index(["COUNTRY_OF_BIRTH", "SEX"])["OBS_VALUE"].sort_index() == t1).all()


def test_codes_from_the_data_are_refused(adult_csv: Path, tmp_path: Path) -> None:
    spec = parse_spec(
        {
            "dataset": "adult-raw",
            "microdata": {"path": str(adult_csv)},
            "dimensions": {"RACE": {"column": "race"}},
            "tables": [{"id": "T1", "dimensions": ["RACE"]}],
        },
        file="spec.yaml",
    )
    tables = tabulate(spec, adult_csv)
    with pytest.raises(SpecError, match="differential privacy needs a public codelist") as error:
        release(spec=spec, tables=tables, state_dir=tmp_path, rho=0.5)
    assert error.value.key == "dimensions.RACE"
    assert not (tmp_path / ledger.LEDGER_FILE).exists()


def test_a_table_holding_codes_outside_the_codelist_is_refused(
    adult_tables: dict[str, Table],
) -> None:
    codelists = {"SEX": ("F",), "COUNTRY_OF_BIRTH": ("USA",)}
    with pytest.raises(
        ValueError, match="COUNTRY_OF_BIRTH holds codes outside its public codelist"
    ):
        public_tables({"T1": adult_tables["T1"]}, codelists)


def test_every_distinct_cell_is_noised_once(adult_tables: dict[str, Table]) -> None:
    lattice = Lattice.build(adult_tables)
    assert lattice.cells < sum(table.cells for table in adult_tables.values())
