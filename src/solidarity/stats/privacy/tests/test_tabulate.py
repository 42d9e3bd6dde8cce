"""Tabulation with DuckDB on the real UCI Adult extract, checked against an independent pandas
count; record keys; and the errors bad microdata get."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
import pytest

from solidarity.stats.privacy.errors import MicrodataError
from solidarity.stats.privacy.keys import ensure_record_keys
from solidarity.stats.privacy.run import protect
from solidarity.stats.privacy.spec import Spec, parse_spec
from solidarity.stats.privacy.tables import KEY_MODULUS, TOTAL, cell_ids, check_table
from solidarity.stats.privacy.tabulate import _BATCH, KEY_COLUMN, tabulate


def coded_adult(adult_csv: Path, spec: Spec) -> pd.DataFrame:
    """The Adult records coded with pandas alone (no engine code), for comparison."""
    people = pd.read_csv(adult_csv)
    coded = pd.DataFrame(index=people.index)
    for name, dimension in spec.dimensions.items():
        column = people[dimension.column]
        if dimension.bins is not None:
            edges = pd.cut(column, [-1, 14, 24, 64, 200], labels=[b.code for b in dimension.bins])
            coded[name] = edges.astype(str)
        else:
            assert dimension.codes is not None
            coded[name] = column.astype(str).map(dict(dimension.codes))
    assert not coded.isna().any().any()
    return coded


def expected_cells(coded: pd.DataFrame, dims: list[str], spec: Spec) -> dict[tuple[str, ...], int]:
    """Every margin by brute force: each record counts in each combination of its codes,
    their ancestors and the total."""
    options = []
    for name in dims:
        hierarchy = spec.dimensions[name].hierarchy
        values = coded[name].to_numpy()
        if hierarchy is None:
            options.append([[v, TOTAL] for v in values])
        else:
            options.append([[v, *hierarchy.ancestors(v), TOTAL] for v in values])
    counts: dict[tuple[str, ...], int] = {}
    from itertools import product

    for record in zip(*options, strict=True):
        for cell in product(*record):
            counts[cell] = counts.get(cell, 0) + 1
    return counts


def test_adult_tables_match_an_independent_count(adult_csv: Path, adult_spec: Spec) -> None:
    tables = tabulate(adult_spec, adult_csv)
    coded = coded_adult(adult_csv, adult_spec)
    for table_id, table in tables.items():
        check_table(table)
        dims = list(table.dimensions)
        expected = expected_cells(coded, dims, adult_spec)
        frame = table.frame
        got = {
            tuple(row[:-1]): int(row[-1])
            for row in frame[[*dims, "count"]].itertuples(index=False, name=None)
        }
        nonzero = {cell: n for cell, n in got.items() if n}
        assert nonzero == expected, table_id
        assert (frame["value"] == frame["count"]).all()
        assert frame["count"].iloc[-1] == 30162
    # 40 countries (England and Scotland are both GBR), 4 M49 regions present (no African
    # country in the extract), and the total; by sex, female, male and the total.
    t1 = tables["T1"].frame
    assert len(t1) == (40 + 4 + 1) * 3
    assert tables["T1"].parents["COUNTRY_OF_BIRTH"]["MEX"] == "019"
    mexico = t1[(t1["COUNTRY_OF_BIRTH"] == "MEX") & (t1["SEX"] == TOTAL)]["count"]
    assert mexico.tolist() == [610]
    # Every combination is present, zeros included: 45 x 5 x 3 x 6 cells.
    assert len(tables["T2"].frame) == 45 * 5 * 3 * 6
    assert (tables["T2"].frame["count"] == 0).sum() > 1000


def test_parquet_gives_the_same_tables_as_csv(
    adult_csv: Path, adult_spec: Spec, tmp_path: Path
) -> None:
    parquet = tmp_path / "adult.parquet"
    pd.read_csv(adult_csv).to_parquet(parquet)
    from_csv = tabulate(adult_spec, adult_csv)
    from_parquet = tabulate(adult_spec, parquet)
    for table_id in from_csv:
        pd.testing.assert_frame_equal(from_csv[table_id].frame, from_parquet[table_id].frame)


def test_weights_give_weighted_totals(adult_csv: Path, tmp_path: Path) -> None:
    spec = parse_spec(
        {
            "dataset": "weighted",
            "weight": "fnlwgt",
            "dimensions": {"SEX": {"column": "sex", "codes": {"Male": "M", "Female": "F"}}},
            "tables": [{"id": "T", "dimensions": ["SEX"]}],
        },
        file="spec.yaml",
    )
    frame = tabulate(spec, adult_csv)["T"].frame.set_index("SEX")
    people = pd.read_csv(adult_csv)
    assert frame.loc["F", "value"] == pytest.approx(
        people.loc[people.sex == "Female", "fnlwgt"].sum()
    )
    assert frame.loc[TOTAL, "value"] == pytest.approx(people["fnlwgt"].sum())
    assert frame.loc[TOTAL, "count"] == 30162


def test_cell_keys_are_the_sum_of_record_keys_and_agree_across_tables(
    adult_csv: Path, adult_spec: Spec, tmp_path: Path
) -> None:
    keys_path = ensure_record_keys(adult_spec, adult_csv, state_dir=tmp_path)
    keys = pd.read_parquet(keys_path)[KEY_COLUMN].to_numpy()
    assert len(keys) == 30162
    assert keys.min() >= 0
    assert keys.max() < KEY_MODULUS
    tables = tabulate(adult_spec, adult_csv, record_keys=keys_path)
    people = pd.read_csv(adult_csv)
    mexican_women = (people["country"] == "Mexico") & (people["sex"] == "Female")
    expected = int(keys[mexican_women.to_numpy()].sum()) % KEY_MODULUS / KEY_MODULUS
    t1 = tables["T1"].frame
    got = t1[(t1["COUNTRY_OF_BIRTH"] == "MEX") & (t1["SEX"] == "F")]["record_key_sum"]
    assert got.tolist() == [expected]
    seen: dict[str, float] = {}
    shared = 0
    for table in tables.values():
        for cell, key in zip(cell_ids(table), table.frame["record_key_sum"], strict=True):
            if cell in seen:
                shared += 1
                assert seen[cell] == key, cell
            seen[cell] = key
    assert shared > 100


def test_record_keys_are_kept_and_only_appended(adult_csv: Path, tmp_path: Path) -> None:
    people = pd.read_csv(adult_csv)
    first = tmp_path / "people.csv"
    people.iloc[:1000].to_csv(first, index=False)
    spec = parse_spec(
        {
            "dataset": "growing",
            "microdata": "people.csv",
            "dimensions": {"SEX": {"column": "sex", "codes": {"Male": "M", "Female": "F"}}},
            "tables": [{"id": "T", "dimensions": ["SEX"]}],
        },
        file="spec.yaml",
        base=tmp_path,
    )
    path = ensure_record_keys(spec)
    assert path == tmp_path / "growing.solidarity" / "record_keys.parquet"
    kept = pd.read_parquet(path)
    assert ensure_record_keys(spec) == path
    pd.testing.assert_frame_equal(pd.read_parquet(path), kept)
    people.iloc[:1500].to_csv(first, index=False)
    ensure_record_keys(spec)
    grown = pd.read_parquet(path)
    assert len(grown) == 1500
    pd.testing.assert_frame_equal(grown.iloc[:1000], kept)
    people.iloc[:10].to_csv(first, index=False)
    with pytest.raises(MicrodataError, match="has 10 records but the dataset 'growing' has keys"):
        ensure_record_keys(spec)


def test_record_ids_keep_keys_when_the_file_is_reordered(adult_csv: Path, tmp_path: Path) -> None:
    people = pd.read_csv(adult_csv).iloc[:2000].copy()
    people.insert(0, "person", [f"P{i:05d}" for i in range(len(people))])
    path = tmp_path / "people.csv"
    people.to_csv(path, index=False)
    spec = parse_spec(
        {
            "dataset": "ids",
            "microdata": {"path": "people.csv", "record_id": "person"},
            "dimensions": {"SEX": {"column": "sex", "codes": {"Male": "M", "Female": "F"}}},
            "tables": [{"id": "T", "dimensions": ["SEX"]}],
        },
        file="spec.yaml",
        base=tmp_path,
    )
    keys = ensure_record_keys(spec)
    before = tabulate(spec, record_keys=keys)["T"].frame
    people.sample(frac=1, random_state=7).to_csv(path, index=False)
    assert ensure_record_keys(spec) == keys
    after = tabulate(spec, record_keys=keys)["T"].frame
    pd.testing.assert_frame_equal(before, after)
    people.iloc[[0, 0, 1]].to_csv(path, index=False)
    with pytest.raises(MicrodataError, match=r"column 'person' \('P00000'\): identifies two"):
        ensure_record_keys(spec)


def test_keys_follow_file_order_on_a_large_csv_read_in_parallel(tmp_path: Path) -> None:
    """Keys follow records by position: the order must hold when DuckDB reads a CSV in
    parallel."""
    rows = 400_000
    rng = np.random.default_rng(3)
    group = rng.integers(0, 50, rows)
    path = tmp_path / "big.csv"
    pd.DataFrame({"group": [f"G{g}" for g in group]}).to_csv(path, index=False)
    spec = parse_spec(
        {
            "dataset": "big",
            "microdata": "big.csv",
            "dimensions": {"GROUP": {"column": "group"}},
            "tables": [{"id": "T", "dimensions": ["GROUP"]}],
        },
        file="spec.yaml",
        base=tmp_path,
    )
    keys_path = ensure_record_keys(spec)
    keys = pd.read_parquet(keys_path)[KEY_COLUMN].to_numpy()
    frame = tabulate(spec, record_keys=keys_path)["T"].frame.set_index("GROUP")
    sums = pd.Series(keys).groupby(group).sum() % KEY_MODULUS / KEY_MODULUS
    for g in range(50):
        assert frame.loc[f"G{g}", "record_key_sum"] == sums[g]


def test_keys_add_up_exactly_over_batches_and_in_tables_counted_from_others(
    tmp_path: Path,
) -> None:
    """More records than one batch of the DuckDB engine holds, keys near 2**32, and tables whose
    cells are added up from another table's, in another order of dimensions: every cell's
    count and key as a plain pandas sum gives them."""
    rows = _BATCH + 50_000
    rng = np.random.default_rng(5)
    people = pd.DataFrame(
        {
            "region": rng.choice([f"R{i}" for i in range(7)], rows),
            "sex": rng.choice(["F", "M"], rows),
            "age": rng.integers(0, 100, rows),
        }
    )
    path = tmp_path / "people.parquet"
    people.to_parquet(path, row_group_size=300_000)
    spec = parse_spec(
        {
            "dataset": "batches",
            "microdata": "people.parquet",
            "dimensions": {
                "REGION": {"column": "region"},
                "SEX": {"column": "sex"},
                "AGE": {"column": "age", "bins": [[0, 49, "Y_LT50"], [50, None, "Y_GE50"]]},
            },
            "tables": [
                {"id": "BY_SEX_REGION", "dimensions": ["SEX", "REGION"]},
                {"id": "FULL", "dimensions": ["REGION", "AGE", "SEX"]},
                {"id": "BY_AGE", "dimensions": ["AGE"]},
            ],
        },
        file="spec.yaml",
        base=tmp_path,
    )
    keys_path = ensure_record_keys(spec)
    keys = np.full(rows, KEY_MODULUS - 1, dtype=np.uint32)
    keys[::3] = rng.integers(0, KEY_MODULUS, len(keys[::3]), dtype=np.uint32)
    import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    pq.write_table(pa.table({KEY_COLUMN: pa.array(keys, type=pa.uint32())}), keys_path)
    tables = tabulate(spec, record_keys=keys_path)
    people["AGE"] = np.where(people["age"] < 50, "Y_LT50", "Y_GE50")
    people["key"] = keys.astype(np.int64)
    for table_id, columns in {
        "BY_SEX_REGION": ["sex", "region"],
        "FULL": ["region", "AGE", "sex"],
        "BY_AGE": ["AGE"],
    }.items():
        frame = tables[table_id].frame
        expected = people.groupby(columns)["key"].agg(["size", "sum"])
        finest = frame[(frame[list(tables[table_id].dimensions)] != TOTAL).all(axis=1)]
        got = finest.set_index(list(tables[table_id].dimensions))
        for cell, (size, total) in expected.iterrows():
            assert got.loc[cell, "count"] == size, (table_id, cell)
            assert got.loc[cell, "record_key_sum"] == total % KEY_MODULUS / KEY_MODULUS
        assert frame["count"].iloc[-1] == rows


def test_keys_drawn_for_other_records_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("sex\nMale\nFemale\nFemale\n")
    spec = parse_spec(
        {
            "dataset": "stale",
            "microdata": "people.csv",
            "dimensions": {"SEX": {"column": "sex"}},
            "tables": [{"id": "T", "dimensions": ["SEX"]}],
        },
        file="spec.yaml",
        base=tmp_path,
    )
    keys = ensure_record_keys(spec)
    for content in ("sex\nMale\nFemale\nFemale\nMale\n", "sex\nMale\n"):
        path.write_text(content)
        with pytest.raises(MicrodataError) as caught:
            tabulate(spec, record_keys=keys)
        assert str(caught.value) == (
            f"{path}: does not have the 3 records the dataset's record keys were drawn for: "
            "run with the cell key method again to assign keys to new records (records can "
            "only be appended to a dataset identified by row)"
        )


# Bad microdata: the exact error, and nothing written.

SEX_AGE = {
    "dataset": "bad",
    "dimensions": {
        "SEX": {"column": "sex", "codes": {"Male": "M", "Female": "F"}},
        "AGE": {"column": "age", "bins": [[0, 64, "Y_LT65"], [65, None, "Y_GE65"]]},
    },
    "tables": [{"id": "T", "dimensions": ["SEX", "AGE"]}],
}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "people.csv: is empty"),
        (b"sex,age\n", "people.csv: holds no records"),
        (b"sex,years\nMale,30\n", "people.csv, column 'age': has no column 'age'; its columns"),
        (
            b"sex,age\nMale,30\nFemale,41\nMale,abc\n",
            "people.csv, row 4, column 'age' ('abc'): is not a number (the column mixes",
        ),
        (
            b"sex,age\nMale,30\nFemale,-4\n",
            "people.csv, row 3, column 'age' ('-4'): falls in none of the bins of AGE",
        ),
        (
            b"sex,age\nMale,30\nfemale,41\n",
            "people.csv, row 3, column 'sex' ('female'): is not mapped to a code of SEX",
        ),
        (b"sex,age\nMale,30\n,41\n", "people.csv, row 3, column 'sex': has no value"),
        (b"sex,age\nMale,30\nF\xe9minin,41\n", "people.csv: is not UTF-8 text"),
    ],
)
def test_bad_microdata_get_a_clear_error_and_nothing_is_written(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    spec = parse_spec(SEX_AGE, file="spec.yaml")
    out = tmp_path / "out"
    with pytest.raises(MicrodataError) as caught:
        protect(
            spec,
            "cellkey",
            {"threshold": 10, "max_deviation": 2},
            out,
            microdata_path=path,
            state_dir=tmp_path / "state",
        )
    assert str(caught.value).startswith(str(tmp_path / message)), str(caught.value)
    assert not out.exists()


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ("1.5,abc,2", "row 3, column 'weight' ('abc'): is not a number"),
        ("1.5,2,-2", "row 4, column 'weight' ('-2'): must be a number of at least 0"),
        ("1.5,,2", "row 3, column 'weight': has no value"),
    ],
)
def test_bad_weights_name_their_record(tmp_path: Path, weights: str, message: str) -> None:
    path = tmp_path / "people.csv"
    rows = zip(["Male", "Female", "Female"], weights.split(","), strict=True)
    path.write_text("sex,weight\n" + "".join(f"{sex},{weight}\n" for sex, weight in rows))
    spec = parse_spec(
        {
            "dataset": "weights",
            "weight": "weight",
            "dimensions": {"SEX": {"column": "sex"}},
            "tables": [{"id": "T", "dimensions": ["SEX"]}],
        },
        file="spec.yaml",
    )
    with pytest.raises(MicrodataError) as caught:
        tabulate(spec, path)
    assert str(caught.value) == f"{path}, {message}"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    spec = parse_spec(SEX_AGE, file="spec.yaml")
    with pytest.raises(MicrodataError, match=r"people.parquet: no such file"):
        tabulate(spec, tmp_path / "people.parquet")


def test_a_parquet_error_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "people.parquet"
    pd.DataFrame({"sex": ["Male", "Female", "Other"], "age": [3, 40, 70]}).to_parquet(path)
    spec = parse_spec(SEX_AGE, file="spec.yaml")
    with pytest.raises(MicrodataError) as caught:
        tabulate(spec, path)
    assert str(caught.value) == (
        f"{path}, row 3, column 'sex' ('Other'): "
        "is not mapped to a code of SEX (add it under codes)"
    )


def test_values_that_cannot_be_codes_must_be_mapped(adult_csv: Path) -> None:
    spec = parse_spec(
        {
            "dataset": "raw",
            "dimensions": {"COUNTRY": {"column": "country"}},
            "tables": [{"id": "T", "dimensions": ["COUNTRY"]}],
        },
        file="spec.yaml",
    )
    with pytest.raises(
        MicrodataError, match=r"\('Outlying-US\(Guam-USVI-etc\)'\): cannot be a code"
    ):
        tabulate(spec, adult_csv)


def test_progress_is_reported_table_by_table_up_to_the_whole_release(
    adult_csv: Path, adult_spec: Spec, tmp_path: Path
) -> None:
    calls: list[tuple[int, int, str]] = []
    protect(
        adult_spec,
        "cellkey",
        {"threshold": 10, "max_deviation": 2},
        tmp_path / "out",
        microdata_path=adult_csv,
        state_dir=tmp_path / "state",
        progress=lambda done, total, label: calls.append((done, total, label)),
    )
    assert calls == [(1, 5, "T1"), (2, 5, "T2"), (3, 5, "T3"), (4, 5, "cellkey"), (5, 5, "written")]
