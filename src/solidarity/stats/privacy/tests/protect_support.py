"""Tables of the real UCI Adult census extract for the protection tests, built with a plain
pandas ``groupby`` (independently of the engines): every combination of codes, margins and the
grand total, in the shape of `tables.Table`."""

from __future__ import annotations

from itertools import combinations, product
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here

from solidarity.stats.privacy.tables import TOTAL, Table

AGE_BINS = [(0, 24, "Y_LT25"), (25, 44, "Y25T44"), (45, 64, "Y45T64"), (65, 200, "Y_GE65")]
RACES = {
    "White": "WHITE",
    "Black": "BLACK",
    "Asian-Pac-Islander": "ASIAN_PAC",
    "Amer-Indian-Eskimo": "AMER_INDIAN",
    "Other": "OTHER",
}


def adult_people(shared_data: Path) -> pd.DataFrame:
    """One row per person: COUNTRY_OF_BIRTH, SEX, AGE, RACE_ETHNICITY codes."""
    raw = pd.read_csv(shared_data / "microdata" / "uci_adult_census_1994.csv")
    age = pd.Series(pd.NA, index=raw.index, dtype=object)
    for low, high, code in AGE_BINS:
        age[(raw["age"] >= low) & (raw["age"] <= high)] = code
    return pd.DataFrame(
        {
            "COUNTRY_OF_BIRTH": raw["country"].str.strip().str.replace("-", "_"),
            "SEX": raw["sex"].map({"Male": "M", "Female": "F"}),
            "AGE": age,
            "RACE_ETHNICITY": raw["race"].map(RACES),
        }
    )


def tabulate(people: pd.DataFrame, table_id: str, dimensions: tuple[str, ...]) -> Table:
    """Every cell of ``dimensions`` with all margins, zeros included."""
    codes = {d: sorted(people[d].unique()) for d in dimensions}
    pieces = []
    for size in range(len(dimensions) + 1):
        for kept in combinations(dimensions, size):
            if kept:
                counts = people.groupby(list(kept)).size().reset_index(name="count")
            else:
                counts = pd.DataFrame({"count": [len(people)]})
            for dimension in dimensions:
                if dimension not in kept:
                    counts[dimension] = TOTAL
            pieces.append(counts)
    found = pd.concat(pieces, ignore_index=True).set_index(list(dimensions))["count"]
    full = pd.MultiIndex.from_tuples(
        list(product(*[[*codes[d], TOTAL] for d in dimensions])), names=list(dimensions)
    )
    frame = found.reindex(full, fill_value=0).reset_index()
    frame = frame.sort_values(list(dimensions)).reset_index(drop=True)
    frame["count"] = frame["count"].astype(np.int64)
    frame["value"] = frame["count"].astype(np.float64)
    return Table(id=table_id, dimensions=dimensions, frame=frame)


ADULT_TABLES = {
    "T1": ("COUNTRY_OF_BIRTH", "SEX"),
    "T2": ("COUNTRY_OF_BIRTH", "AGE", "SEX", "RACE_ETHNICITY"),
    "T3": ("AGE", "RACE_ETHNICITY"),
}


def adult_tables(shared_data: Path) -> dict[str, Table]:
    """The test dataset: country x sex, the four-dimension table, and age x race."""
    people = adult_people(shared_data)
    return {key: tabulate(people, key, dims) for key, dims in ADULT_TABLES.items()}
