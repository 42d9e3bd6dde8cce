"""The Spark engine (local mode, one core) gives exactly the DuckDB engine's tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
import pytest

from solidarity.stats.privacy.cellkey import protect_cellkey
from solidarity.stats.privacy.errors import MicrodataError
from solidarity.stats.privacy.keys import ensure_record_keys
from solidarity.stats.privacy.spec import Spec, parse_spec
from solidarity.stats.privacy.tabulate import tabulate


def test_spark_and_duckdb_give_identical_tables_and_cell_keys(
    spark: Any, adult_csv: Path, adult_spec: Spec, tmp_path: Path
) -> None:
    keys = ensure_record_keys(adult_spec, adult_csv, state_dir=tmp_path)
    timings: dict[str, float] = {}
    with_spark = tabulate(adult_spec, adult_csv, engine="spark", record_keys=keys, timings=timings)
    with_duckdb = tabulate(adult_spec, adult_csv, record_keys=keys)
    assert set(timings) >= {"T1", "T2", "T3"}
    for table_id, table in with_duckdb.items():
        pd.testing.assert_frame_equal(with_spark[table_id].frame, table.frame, check_exact=True)
        assert with_spark[table_id].parents == table.parents
    # And so the same published values.
    from_spark, _ = protect_cellkey(with_spark, threshold=10, max_deviation=2)
    from_duckdb, _ = protect_cellkey(with_duckdb, threshold=10, max_deviation=2)
    for table_id, frame in from_duckdb.items():
        pd.testing.assert_frame_equal(from_spark[table_id], frame)


def test_spark_reads_parquet_and_record_ids(spark: Any, adult_csv: Path, tmp_path: Path) -> None:
    people = pd.read_csv(adult_csv).iloc[:3000]
    people.insert(0, "person", range(len(people)))
    path = tmp_path / "people.parquet"
    people.sample(frac=1, random_state=1).to_parquet(path)
    spec = parse_spec(
        {
            "dataset": "ids",
            "microdata": {"path": "people.parquet", "record_id": "person"},
            "weight": "fnlwgt",
            "dimensions": {
                "SEX": {"column": "sex", "codes": {"Male": "M", "Female": "F"}},
                "AGE": {"column": "age", "bins": [[0, 39, "Y_LT40"], [40, None, "Y_GE40"]]},
            },
            "tables": [{"id": "T", "dimensions": ["SEX", "AGE"]}],
        },
        file="spec.yaml",
        base=tmp_path,
    )
    keys = ensure_record_keys(spec)
    a = tabulate(spec, engine="spark", record_keys=keys)["T"].frame
    b = tabulate(spec, record_keys=keys)["T"].frame
    pd.testing.assert_frame_equal(
        a[["SEX", "AGE", "count", "record_key_sum"]], b[["SEX", "AGE", "count", "record_key_sum"]]
    )
    # Weighted totals are sums of floats: equal to rounding, whatever the order of addition.
    pd.testing.assert_series_equal(a["value"], b["value"], rtol=1e-12)


def test_spark_reports_the_first_uncoded_record(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("sex,age\nMale,30\nFemale,41\nMale,abc\n")
    spec = parse_spec(
        {
            "dataset": "bad",
            "dimensions": {"AGE": {"column": "age", "bins": [[0, None, "ALL"]]}},
            "tables": [{"id": "T", "dimensions": ["AGE"]}],
        },
        file="spec.yaml",
    )
    with pytest.raises(MicrodataError) as caught:
        tabulate(spec, path, engine="spark")
    assert str(caught.value).startswith(f"{path}, row 4, column 'age' ('abc'): is not a number")
