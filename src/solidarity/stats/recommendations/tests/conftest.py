"""Small slices of the real UPR Info file: tests stay fast, the full evaluation is a benchmark."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from solidarity.stats.recommendations import UprInfoRecommendation, read_upr_info_csv


@pytest.fixture(scope="session")
def upr_file(shared_data: Path) -> Path:
    return shared_data / "recommendations" / "upr_info_recommendations_2008-2012.csv.gz"


@pytest.fixture(scope="session")
def upr_rows(upr_file: Path) -> list[UprInfoRecommendation]:
    return list(read_upr_info_csv(upr_file, require_labels=True))


@pytest.fixture(scope="session")
def upr_table(upr_file: Path) -> list[dict[str, str]]:
    with gzip.open(upr_file, "rt", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
